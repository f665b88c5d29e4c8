"""Core XML: libvirt-style domain XML, hypervisor-agnostic (https://libvirt.org/formatdomain.html).

Core is Xen XML without the ``xen:`` namespace. Writing core removes each Xen-only setting and
reports it as a loss, or with ``keep_xen`` parks it in ``<metadata>`` so reading the core
document back restores the Xen XML exactly.
"""

from __future__ import annotations

from lxml import etree

from ..context import Context
from ..errors import ConversionError
from ..xmlio import NAMESPACES, parse_xml, run_stylesheet, serialize_xml

_KEPT = "/domain/metadata/xen:kept"
_XEN_OUTSIDE_METADATA = "//xen:*[not(ancestor::metadata)]"


def read(data: bytes, ctx: Context) -> etree._ElementTree:
    tree = parse_xml(data, file=ctx.file, limits=ctx.options.limits)
    stray = tree.xpath(_XEN_OUTSIDE_METADATA, namespaces=NAMESPACES)
    first = stray[0] if isinstance(stray, list) and stray else None
    if isinstance(first, etree._Element):
        raise ConversionError(
            f"<xen:{etree.QName(first).localname}> is a Xen-only setting, not core XML "
            "(read this document as xen)",
            file=ctx.file, line=first.sourceline, path=tree.getpath(first),
        )
    if tree.xpath(_KEPT, namespaces=NAMESPACES):
        return run_stylesheet("core_to_xen.xsl", tree, ctx)
    return tree


def write(hub: etree._ElementTree, ctx: Context) -> bytes:
    keep = "1" if ctx.options.keep_xen else ""
    core = run_stylesheet("xen_to_core.xsl", hub, ctx, **{"keep-xen": keep})
    return serialize_xml(core, pretty=ctx.options.pretty)

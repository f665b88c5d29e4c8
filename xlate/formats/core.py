"""Core XML: libvirt-style domain XML, hypervisor-agnostic (https://libvirt.org/formatdomain.html).

Core is Xen XML without the ``xen:`` namespace. Writing core removes each Xen-only setting and
reports it as a loss, or with ``keep_xen`` parks it in ``<metadata>`` so reading the core
document back restores the Xen XML exactly.

``xen_to_core.xsl`` does the removing; the report is made here, from the input tree, because
naming a few hundred dropped settings through ``xsl:message`` cost more than the whole
transform (docs/benchmarks.md). The rule is the stylesheet's: every outermost ``xen:``
element outside ``<metadata>`` is dropped; tests check that the two agree on every document
the suite converts.
"""

from __future__ import annotations

import re
from typing import List, Optional

from lxml import etree

from ..context import Context
from ..errors import ConversionError
from ..xmlio import NAMESPACES, XEN_NS, parse_xml, run_stylesheet, serialize_xml

_KEPT = "/domain/metadata/xen:kept"
_XEN_OUTSIDE_METADATA = "//xen:*[not(ancestor::metadata)]"
_XEN = "{" + XEN_NS + "}"
_XEN_LEN = len(_XEN)


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


def to_core(hub: etree._ElementTree, ctx: Context) -> etree._ElementTree:
    """The hub as a core tree; each dropped Xen-only setting becomes a loss in ``ctx``."""
    root = hub.getroot()
    if root.tag.startswith(_XEN):  # the stylesheet would leave no document at all
        raise ConversionError(
            f"the document element <xen:{root.tag[_XEN_LEN:]}> is a Xen-only element: "
            "nothing is left for core XML (a domain is <domain>)",
            file=ctx.file, line=root.sourceline, path="/xen:" + root.tag[_XEN_LEN:],
        )
    if ctx.options.keep_xen:
        return run_stylesheet("xen_to_core.xsl", hub, ctx, **{"keep-xen": "1"})
    core = run_stylesheet("xen_to_core.xsl", hub, ctx)
    # A tree made by a stylesheet (a hub read from SEXPR, say) has only the stylesheet's line
    # numbers: no position is better than a wrong one.
    lines = not isinstance(hub, etree._XSLTResultTree)
    top = "/" + root.tag
    path = hub.getelementpath
    ctx.losses_of("XEN-DROPPED", (
        ((top if setting.getparent() is None else f"{top}/{path(setting)}").replace(_XEN, "xen:"),
         _dropped(setting), setting.sourceline if lines else None)
        for setting in xen_settings(hub)
    ))
    return core


def write(hub: etree._ElementTree, ctx: Context) -> bytes:
    return serialize_xml(to_core(hub, ctx), pretty=ctx.options.pretty)


#: What ``xen_to_core.xsl`` drops: the outermost ``xen:`` elements outside ``<metadata>``, in
#: document order (the stylesheet's ``$xen-settings``; a test checks the two read the same).
XEN_SETTINGS = "//xen:*[not(ancestor::metadata) and not(ancestor::xen:*)]"
_xen_settings = etree.XPath(XEN_SETTINGS, namespaces=NAMESPACES)


def xen_settings(tree: etree._ElementTree) -> List[etree._Element]:
    """The Xen-only settings of a hub tree that writing core drops (or keeps)."""
    found = _xen_settings(tree)
    return found if isinstance(found, list) else []


_XML_SPACE = re.compile(r"[ \t\r\n]+")
_HAS_SPACE = re.compile(r"[ \t\r\n]").search
_ONE_LINE = str.maketrans("\r\n", "  ")
_ITEM_WIDTH = 60  # a carried SXP item is named in at most this many characters


def _dropped(setting: etree._Element) -> str:
    """What the loss says of a dropped setting."""
    name = setting.tag[_XEN_LEN:]
    if name == "sxp":  # SXP items xlate does not map, carried as they were: name each one
        items = [_sxp_line(item) for item in setting.iterchildren(tag=etree.Element)]
        if not items:
            return "an empty xen:sxp has no core equivalent"
        if len(items) == 1:
            return f"xend setting {items[0]} has no core equivalent"
        return f"xend settings {' '.join(items)} have no core equivalent"
    detail = f"Xen-only setting {name}"
    text: Optional[str] = None  # the value, if it is short and a plain text
    if not len(setting):
        text = setting.text or ""
        if len(text) <= 80 and not _HAS_SPACE(text):
            return f"{detail} = {text} has no core equivalent"
    elif next(setting.iterchildren(tag=etree.Element), None) is None:  # comments too
        text = "".join(setting.itertext())
    if text is not None:
        value = _XML_SPACE.sub(" ", text).strip(" ")
        if len(value) <= 80:
            detail += f" = {value}"
    return detail + " has no core equivalent"


def _sxp_line(item: etree._Element) -> str:
    """A codec-tree item (``l``, ``a``, ``s``) as S-expression text on one line, cut to
    ``_ITEM_WIDTH`` characters. Building stops once the cut is sure, so a deep or huge item
    costs no more than a small one."""
    parts: List[str] = []
    budget = [_ITEM_WIDTH + 1]

    def emit(text: str) -> None:
        parts.append(text)
        budget[0] -= len(text)

    def walk(element: etree._Element) -> None:
        if element.tag == "l":
            emit("(")
            for i, child in enumerate(element.iterchildren(tag=etree.Element)):
                if budget[0] <= 0:
                    return
                if i:
                    emit(" ")
                walk(child)
            emit(")")
        elif element.tag == "s":
            emit("'" + "".join(element.itertext()) + "'")
        else:
            emit("".join(element.itertext()))

    walk(item)
    line = "".join(parts).translate(_ONE_LINE)
    return line if len(line) <= _ITEM_WIDTH else line[: _ITEM_WIDTH - 3] + "..."

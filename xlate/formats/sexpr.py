"""SEXPR: xend's S-expression domain configurations.

Two shapes: ``(vm ...)``, what ``xm create -n`` prints and xend accepts, and ``(domain ...)``,
what ``xm list --long`` prints and xend keeps in ``config.sxp``. Reading parses the text with
the syntax-only codec (:mod:`xlate.codecs.sexpr`) and maps it with ``sexpr_to_xen.xsl``
(libvirt's meaning of each field, docs/mapping.md); writing maps the hub with
``xen_to_sexpr.xsl`` and prints it with the codec. References: xend's ``XendConfig.py`` and
``xm/create.py`` (xen-project/xen), libvirt's ``xen_sxpr.c`` (libvirt <= 5.5).
"""

from __future__ import annotations

from functools import lru_cache
from typing import List

from lxml import etree

from ..codecs.sexpr import read_sexpr, write_sexpr
from ..context import Context
from ..errors import ConversionError, XlateError
from ..limits import check_sexpr_text, check_sexpr_tree, check_size
from ..xmlio import XSLT_DIR, decode_utf8, run_stylesheet

_ROOTS = ("vm", "domain")


def _xend_version(ctx: Context) -> str:
    version = ctx.options.xend_version
    return "" if version is None else str(version)


_XSL = "{http://www.w3.org/1999/XSL/Transform}"


@lru_cache(maxsize=None)
def _vocabulary() -> str:
    """The ``vocabulary`` parameter of sexpr_to_xen.xsl: its table of xen: keys as one string.

    Without the parameter (as under xsltproc) the stylesheet builds the string from its table
    on every run, which costs more than the rest of the mapping. Here the parameter's own
    instructions run once, as the body of a one-template stylesheet, so the string is the same.
    """
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    source = etree.parse(str(XSLT_DIR / "sexpr_to_xen.xsl"), parser).getroot()
    param = source.find(f"{_XSL}param[@name='vocabulary']")
    root = etree.Element(f"{_XSL}stylesheet", version="1.0", nsmap=source.nsmap)
    etree.SubElement(etree.SubElement(root, f"{_XSL}template", match="/"), "vocabulary").extend(param)
    xslt = etree.XSLT(root, access_control=etree.XSLTAccessControl.DENY_ALL)
    return xslt(etree.ElementTree(etree.Element("none"))).getroot().text


def read(data: bytes, ctx: Context) -> etree._ElementTree:
    """SEXPR text → the hub (Xen XML)."""
    limits = ctx.options.limits
    check_size(data, limits, ctx.file)
    text = decode_utf8(data, file=ctx.file)  # a BOM is dropped; bad bytes: ParseError with offset
    check_sexpr_text(text, limits, ctx.file)
    repairs: List[XlateError] = []
    root = read_sexpr(
        text, filename=ctx.file, recover=True, diagnostics=repairs, max_depth=limits.max_depth
    )
    check_sexpr_tree(root, limits, len(text), ctx.file)
    for repair in repairs:
        ctx.loss("SXP-REPAIRED", "", repair.message, line=repair.line, col=repair.col)
    _check_root(root, ctx)
    return run_stylesheet(
        "sexpr_to_xen.xsl", etree.ElementTree(root), ctx,
        **{"xend-version": _xend_version(ctx), "vocabulary": _vocabulary()},
    )


def _check_root(root: etree._Element, ctx: Context) -> None:
    items = [child for child in root if isinstance(child.tag, str)]
    if not items:
        raise ConversionError("empty input: no (vm ...) or (domain ...)", file=ctx.file, line=1, col=1)
    first = items[0]
    head = first[0] if first.tag == "l" and len(first) else None
    if head is None or head.tag == "l" or head.text not in _ROOTS:
        what = f"({head.text} ...)" if head is not None and head.tag != "l" else "this item"
        raise ConversionError(
            f"expected (vm ...) or (domain ...), found {what}",
            file=ctx.file, line=first.sourceline, path="/sexpr/*[1]",
        )
    if len(items) > 1:
        raise ConversionError(
            f"the input holds {len(items)} top-level items; xlate converts one domain per file",
            file=ctx.file, line=items[1].sourceline, path="/sexpr/*[2]",
        )


def write(hub: etree._ElementTree, ctx: Context) -> bytes:
    """The hub → SEXPR text (UTF-8)."""
    tree = run_stylesheet("xen_to_sexpr.xsl", hub, ctx, **{"xend-version": _xend_version(ctx)})
    try:
        text = write_sexpr(tree, pretty=ctx.options.pretty)
    except ValueError as exc:  # a <xen:sxp> of the input that is not a codec tree
        raise ConversionError(f"cannot write SEXPR: {exc}", file=ctx.file) from None
    if not text.endswith("\n"):
        text += "\n"
    return text.encode("utf-8")

"""Safe XML I/O: the one parser configuration, the serializer, and the stylesheet runner.

Every XML document xlate reads goes through :func:`parse_xml`: no DTD (so no entities, no
external entities, no entity bombs), no network, no XInclude, bounded size and depth (libxml2's
default limits without XML_PARSE_HUGE). Every stylesheet runs with file and network access denied.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, Optional, Tuple, Union

from lxml import etree

from .context import Context
from .errors import ConversionError, LimitError, ParseError, UnsafeInputError

XEN_NS = "urn:xlate:xen:1"
NAMESPACES = {"xen": XEN_NS}
XSLT_DIR = Path(__file__).resolve().parent / "xslt"

MAX_INPUT_BYTES = 16 * 1024 * 1024

_ENCODING_DECL = re.compile(r"^(\s*<\?xml[^>]*?)\s+encoding\s*=\s*(['\"])[^'\"]*\2", re.S)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
        remove_blank_text=True,
        collect_ids=False,
    )


def parse_xml(
    data: Union[bytes, str], *, file: Optional[str] = None, max_bytes: int = MAX_INPUT_BYTES
) -> etree._ElementTree:
    """Parse untrusted XML safely; raise :class:`ParseError` (with line and column) on bad input."""
    if isinstance(data, str):
        # A str is already decoded: an encoding declaration would contradict it.
        data = _ENCODING_DECL.sub(r"\1", data, count=1).encode("utf-8")
    if len(data) > max_bytes:
        raise LimitError(f"input is {len(data)} bytes, over the limit of {max_bytes}", file=file)
    if _has_doctype(data):
        raise UnsafeInputError(
            "DOCTYPE declarations are not allowed (no DTDs, no entities)", file=file, line=1, col=1
        )
    parser = _parser()
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, col = exc.position if exc.position else (None, None)
        message = (exc.msg or "malformed XML").strip()
        # libxml2 appends ", line N, column M" to its messages; we print the position ourselves.
        message = re.sub(r",? line \d+, column \d+$", "", message)
        if message.startswith("Excessive depth"):
            raise LimitError("elements nested deeper than 256 levels", file=file, line=line, col=col) from None
        raise ParseError(message, file=file, line=line, col=col) from None
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        raise UnsafeInputError(
            "DOCTYPE declarations are not allowed (no DTDs, no entities)", file=file, line=1, col=1
        )
    return tree


_ROOT_START = re.compile(rb"<[A-Za-z_:]")
_DOCTYPE = b"<!DOCTYPE"
_DOCTYPE_UTF16 = ("<!DOCTYPE".encode("utf-16-le"), "<!DOCTYPE".encode("utf-16-be"))


def _has_doctype(data: bytes) -> bool:
    """True when a DOCTYPE precedes the root element: refused before libxml2 sees it."""
    at = data.find(_DOCTYPE)
    if at >= 0:
        root = _ROOT_START.search(data)
        if root is None or at < root.start():
            return True
    return any(needle in data for needle in _DOCTYPE_UTF16)


def serialize_xml(tree: Union[etree._ElementTree, etree._Element], *, pretty: bool = True) -> bytes:
    """Serialize as UTF-8 without declaration, 2-space indented, ending in a newline."""
    root = tree.getroot() if isinstance(tree, etree._ElementTree) else tree
    # The xen: namespace, where used, is declared once on the document element.
    uses_xen = root.xpath("boolean(//xen:*)", namespaces=NAMESPACES)
    etree.cleanup_namespaces(root, top_nsmap=NAMESPACES if uses_xen else None)
    if pretty:
        etree.indent(root, space="  ")
    out = etree.tostring(root, encoding="UTF-8", xml_declaration=False)
    return out + b"\n"


_STYLESHEETS: Dict[str, etree.XSLT] = {}


def stylesheet(name: str) -> etree.XSLT:
    """Load ``xlate/xslt/NAME`` once per process, with all file and network access denied."""
    xslt = _STYLESHEETS.get(name)
    if xslt is None:
        if "/" in name or "\\" in name:
            raise ValueError(f"stylesheet name must be a file name in xlate/xslt, not {name!r}")
        doc = etree.parse(str(XSLT_DIR / name), etree.XMLParser(no_network=True, resolve_entities=False))
        xslt = etree.XSLT(doc, access_control=etree.XSLTAccessControl.DENY_ALL)
        _STYLESHEETS[name] = xslt
    return xslt


def run_stylesheet(
    name: str, tree: etree._ElementTree, ctx: Context, **params: str
) -> etree._ElementTree:
    """Run a mapping stylesheet; its ``xlate:loss`` messages become ``ctx`` losses.

    ``xlate:error`` messages (with ``terminate="yes"``) raise :class:`ConversionError`.
    """
    xslt = stylesheet(name)
    args = {key: etree.XSLT.strparam(value) for key, value in params.items()}
    try:
        result = xslt(tree, **args)
    except etree.XSLTApplyError:
        _report(xslt.error_log, tree, ctx, name)
        raise ConversionError(f"stylesheet {name} failed", file=ctx.file) from None
    _report(xslt.error_log, tree, ctx, name)
    return result


def _report(log, tree: etree._ElementTree, ctx: Context, name: str) -> None:
    nodes = _NodeFinder(tree)
    for entry in log:
        text = entry.message
        if text.startswith("xlate:loss|"):
            _, code, path, detail = text.split("|", 3)
            path, line = nodes.locate(path)
            ctx.loss(code, path, detail, line=line)
        elif text.startswith("xlate:error|"):
            _, path, message = text.split("|", 2)
            path, line = nodes.locate(path)
            raise ConversionError(message, file=ctx.file, line=line, path=path)
        elif text.startswith("Terminating"):
            continue  # libxslt's own note after a terminate message
        else:
            raise RuntimeError(f"stylesheet {name}: unexpected message {text!r}")


_INDEXED = re.compile(r"^\((.+)\)\[(\d+)\]$")


class _NodeFinder:
    """Resolves the XPaths in stylesheet messages to a readable path and a source line.

    ``(EXPR)[N]`` is evaluated once per EXPR, so reporting N nodes of one set stays linear.
    """

    def __init__(self, tree: etree._ElementTree) -> None:
        self.tree = tree
        self.sets: Dict[str, list] = {}

    def locate(self, path: str) -> Tuple[str, Optional[int]]:
        if not path.startswith(("/", "(")):
            return path, None  # not an XPath: a path in the source's own terms
        node = self._find(path)
        if node is None:
            return path, None
        element = node if isinstance(node, etree._Element) else node.getparent()
        if element is None:
            return path, None
        readable = self._readable(element)
        if element is not node:  # an attribute or a text node
            attr = getattr(node, "attrname", None)
            readable += f"/@{attr}" if attr else ""
        return readable, element.sourceline

    def _find(self, path: str):
        indexed = _INDEXED.match(path)
        try:
            if indexed:
                expr, index = indexed.group(1), int(indexed.group(2))
                if expr not in self.sets:
                    self.sets[expr] = self.tree.xpath(expr, namespaces=NAMESPACES)
                found = self.sets[expr][index - 1 : index]
            else:
                found = self.tree.xpath(path, namespaces=NAMESPACES)
        except etree.XPathError:
            return None
        return found[0] if isinstance(found, list) and found else None

    def _readable(self, element: etree._Element) -> str:
        rel = self.tree.getelementpath(element)
        root = etree.QName(self.tree.getroot()).localname
        text = f"/{root}" if rel == "." else f"/{root}/{rel}"
        return text.replace("{" + XEN_NS + "}", "xen:")

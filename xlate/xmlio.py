"""Safe XML I/O: the one parser configuration, the serializer, and the stylesheet runner.

Every XML document xlate reads goes through :func:`parse_xml`: no DTD (so no entities, no
external entities, no entity bombs), no network, no XInclude, bounded size, depth, text and
attribute lengths and device count (:class:`xlate.limits.Limits`), and the encoding checked
first so that invalid bytes are reported by byte offset. Every stylesheet runs with file and
network access denied.
"""

from __future__ import annotations

import codecs
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple, Union

from lxml import etree

from .context import Context
from .errors import ConversionError, LimitError, ParseError, UnsafeInputError
from .limits import DEFAULT as DEFAULT_LIMITS
from .limits import LIBXML2_DEPTH, Limits, check_hub, check_size, check_xml_text, check_xml_tree
from .limits import needs_huge_tree
from .limits import resolve as resolve_limits

XEN_NS = "urn:xlate:xen:1"
NAMESPACES = {"xen": XEN_NS}
XSLT_DIR = Path(__file__).resolve().parent / "xslt"

#: The default input size limit (``Limits.max_input_bytes``).
MAX_INPUT_BYTES = DEFAULT_LIMITS.max_input_bytes

_ENCODING_DECL = re.compile(r"^(\s*<\?xml[^>]*?)\s+encoding\s*=\s*(['\"])[^'\"]*\2", re.S)


def _parser(huge: bool = False) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=huge,
        remove_blank_text=True,
        collect_ids=False,
    )


def parse_xml(
    data: Union[bytes, str],
    *,
    file: Optional[str] = None,
    limits: Optional[Limits] = None,
    max_bytes: Optional[int] = None,
) -> etree._ElementTree:
    """Parse untrusted XML safely; raise :class:`ParseError` (with line and column) on bad input.

    ``limits`` (default: :class:`xlate.limits.Limits`'s defaults) bounds the input; going over
    raises :class:`LimitError`. ``max_bytes`` overrides ``limits.max_input_bytes``.
    """
    limits = resolve_limits(limits)
    if max_bytes is not None:
        limits = limits.with_(max_input_bytes=max_bytes)
    if isinstance(data, str):
        check_size(data, limits, file)
        data = encode_text(data, file=file)
    check_size(data, limits, file)
    text = decode_xml(data, file=file)
    if _has_doctype(text):
        raise UnsafeInputError(
            "DOCTYPE declarations are not allowed (no DTDs, no entities)", file=file, line=1, col=1
        )
    check_xml_text(text, limits, file)
    del text
    huge = needs_huge_tree(limits)
    try:
        root = etree.fromstring(data, _parser(huge))
    except etree.XMLSyntaxError as exc:
        line, col = exc.position if exc.position else (None, None)
        message = (exc.msg or "malformed XML").strip()
        # libxml2 appends ", line N, column M" to its messages; we print the position ourselves.
        message = re.sub(r",? line \d+, column \d+$", "", message)
        if message.startswith("Excessive depth"):
            depth = limits.max_depth if not huge else 2048
            raise LimitError(
                f"elements nested deeper than {min(depth, limits.max_depth)} levels "
                "(max_depth; --limit depth=N)",
                file=file, line=line, col=col,
            ) from None
        raise ParseError(message, file=file, line=line, col=col) from None
    tree = root.getroottree()
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        raise UnsafeInputError(
            "DOCTYPE declarations are not allowed (no DTDs, no entities)", file=file, line=1, col=1
        )
    check_xml_tree(tree, limits, len(data), file)
    check_hub(tree, limits, file)
    return tree


# --------------------------------------------------------------------------------------------
# Encodings
# --------------------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF8, "UTF-8", "utf-8"),
    (codecs.BOM_UTF32_LE, "UTF-32", "utf-32-le"),
    (codecs.BOM_UTF32_BE, "UTF-32", "utf-32-be"),
    (codecs.BOM_UTF16_LE, "UTF-16", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "UTF-16", "utf-16-be"),
)
# Without a byte order mark, how '<?' starts in each encoding (XML 1.0 appendix F).
_NO_BOM = (
    (b"<\0\0\0", "UTF-32", "utf-32-le"),
    (b"\0\0\0<", "UTF-32", "utf-32-be"),
    (b"<\0?\0", "UTF-16", "utf-16-le"),
    (b"\0<\0?", "UTF-16", "utf-16-be"),
)
_DECLARED = re.compile(rb"<\?xml\s[^>]*?encoding\s*=\s*[\"']([A-Za-z][A-Za-z0-9._:-]*)[\"']")


def _encoding_of(data: bytes) -> Tuple[str, str, int]:
    """(name to show, Python codec, length of the byte order mark) of an XML document."""
    for bom, label, codec in _BOMS:
        if data.startswith(bom):
            return label, codec, len(bom)
    for head, label, codec in _NO_BOM:
        if data.startswith(head):
            return label, codec, 0
    declared = _DECLARED.match(data, 0, 512) if data.startswith(b"<?xml") else None
    if declared is None:
        return "UTF-8", "utf-8", 0
    label = declared.group(1).decode("ascii")
    if label.upper().replace("_", "-") in ("UTF-16", "UTF-32", "UCS-2", "UCS-4", "ISO-10646-UCS-2",
                                          "ISO-10646-UCS-4"):
        # A two/four-byte encoding declared in one-byte characters cannot be right.
        raise ParseError(f"the document declares encoding {label} but is not written in it",
                         line=1, col=declared.start(1) + 1)
    try:
        codec = codecs.lookup(label).name
    except LookupError:
        raise ParseError(f"unsupported encoding {label!r}", line=1, col=declared.start(1) + 1) from None
    return label, codec, 0


def decode_xml(data: bytes, *, file: Optional[str] = None) -> str:
    """The text of an XML document, decoded as its byte order mark, its first bytes or its
    declaration say (UTF-8 by default); invalid bytes raise :class:`ParseError` naming the
    byte offset, with line and column."""
    try:
        label, codec, skip = _encoding_of(data)
    except ParseError as exc:
        raise exc.located(file)
    return _decode(data, label, codec, skip, file)


def decode_utf8(data: bytes, *, file: Optional[str] = None) -> str:
    """UTF-8 text (a leading byte order mark is dropped); invalid bytes raise
    :class:`ParseError` naming the byte offset, with line and column."""
    skip = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    return _decode(data, "UTF-8", "utf-8", skip, file)


def _decode(data: bytes, label: str, codec: str, skip: int, file: Optional[str]) -> str:
    try:
        return codecs.decode(memoryview(data)[skip:], codec)
    except UnicodeDecodeError as exc:
        offset = skip + exc.start
        bad = data[offset : skip + max(exc.end, exc.start + 1)][:4]
        shown = " ".join(f"0x{b:02X}" for b in bad) or "end of input"
        before = codecs.decode(memoryview(data)[skip:offset], codec)
        line = before.count("\n") + 1
        col = len(before) - (before.rfind("\n") + 1) + 1
        what = "byte" if len(bad) == 1 else "bytes"
        raise ParseError(
            f"invalid {label} at byte offset {offset}: {what} {shown} ({exc.reason})",
            file=file, line=line, col=col,
        ) from None


def encode_text(text: str, *, file: Optional[str] = None) -> bytes:
    """A str as UTF-8, for the readers; an unpaired surrogate (not a character) raises
    :class:`ParseError`. A str is already decoded: an XML encoding declaration at its start
    would contradict it, and is dropped."""
    if text.lstrip().startswith("<?xml"):
        text = _ENCODING_DECL.sub(r"\1", text, count=1)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        before = text[: exc.start]
        line = before.count("\n") + 1
        col = exc.start - (before.rfind("\n") + 1) + 1
        raise ParseError(
            f"not text: unpaired surrogate U+{ord(text[exc.start]):04X} at character offset {exc.start}",
            file=file, line=line, col=col,
        ) from None


_PROLOG_ITEM = re.compile(r"\s+|<\?.*?\?>|<!--.*?-->", re.S)


def _has_doctype(text: str) -> bool:
    """True when the prolog (what comes before the root element, after comments and
    processing instructions) holds a ``<!DOCTYPE``: refused before libxml2 sees it."""
    pos = 1 if text.startswith("\ufeff") else 0
    while True:
        m = _PROLOG_ITEM.match(text, pos)
        if m is None or m.end() == pos:
            break
        pos = m.end()
    return text.startswith("<!DOCTYPE", pos)


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
        if _TRACE is None:
            result = xslt(tree, **args)
        else:
            xslt = _traced_stylesheet(name)
            result = xslt(tree, profile_run=True, **args)
            _trace(name, result)
    except etree.XSLTApplyError:
        _report(xslt.error_log, tree, ctx, name)
        raise ConversionError(f"stylesheet {name} failed", file=ctx.file) from None
    _report(xslt.error_log, tree, ctx, name)
    return result


# Template tracing for the coverage gate (tests/test_coverage_gate.py).
@dataclass
class TemplateTrace:
    """What the stylesheets did while tracing: template calls by (match, name, mode) per
    stylesheet, and per stylesheet the runs that ended in an ``xlate:error`` (whose calls
    libxslt's profiler cannot report, since the run is aborted)."""

    calls: Dict[str, Dict[Tuple[str, str, str], int]] = field(default_factory=dict)
    errors: Dict[str, int] = field(default_factory=dict)


_TRACE: Optional[TemplateTrace] = None


@contextmanager
def trace_templates() -> Iterator[TemplateTrace]:
    """Record the template calls of every stylesheet run in the block (libxslt's profiler)."""
    global _TRACE
    previous, _TRACE = _TRACE, TemplateTrace()
    _TRACED.clear()  # libxslt's counts add up over a stylesheet's runs: fresh ones per trace
    _TRACE_SEEN.clear()
    try:
        yield _TRACE
    finally:
        _TRACE = previous


_TRACED: Dict[str, etree.XSLT] = {}
_TRACE_SEEN: Dict[str, Dict[Tuple[str, str, str], int]] = {}  # libxslt's running totals
_XSL = "{http://www.w3.org/1999/XSL/Transform}"


def _traced_stylesheet(name: str) -> etree.XSLT:
    """The stylesheet with a no-op instruction closing every template: libxslt's profiler
    records only templates that have instructions, and empty templates are mapping rows too
    (each drops something)."""
    xslt = _TRACED.get(name)
    if xslt is None:
        stylesheet(name)  # checks the name
        doc = etree.parse(str(XSLT_DIR / name), etree.XMLParser(no_network=True, resolve_entities=False))
        for template in doc.iter(_XSL + "template"):
            etree.SubElement(template, _XSL + "if", test="false()")
        xslt = etree.XSLT(doc, access_control=etree.XSLTAccessControl.DENY_ALL)
        _TRACED[name] = xslt
    return xslt


def _trace(name: str, result: etree._XSLTResultTree) -> None:
    assert _TRACE is not None  # called only while tracing
    counts = _TRACE.calls.setdefault(name, {})
    profile = result.xslt_profile
    if profile is None:
        return
    seen = _TRACE_SEEN.setdefault(name, {})
    for t in profile.getroot():  # (iter("template") misses the names libxslt made)
        key = (t.get("match", ""), t.get("name", ""), t.get("mode", ""))
        total = int(t.get("calls", "0"))  # since the stylesheet was compiled
        counts[key] = counts.get(key, 0) + total - seen.get(key, 0)
        seen[key] = total


# libxslt's guard against runaway recursion (xsltMaxDepth): a stylesheet whose recursion
# depth follows the input (one call per digit, per port, ...) meets it on absurd values. The
# run stops with a partial result; the log says why, after a runtime error of the element.
_RECURSION = "potential infinite template recursion"
_MAX_DEPTH = 3000


def _report(log, tree: etree._ElementTree, ctx: Context, name: str) -> None:
    if not log:
        return
    if any(_RECURSION in entry.message for entry in log):  # the result is partial: no output
        raise ConversionError(
            f"the input is too large for {name}: a value or list in it needs more nested "
            f"steps than libxslt allows ({_MAX_DEPTH}); no output was written", file=ctx.file)
    nodes = _NodeFinder(tree)
    for text in (report for entry in log for report in _reports(entry.message)):
        if text.startswith("xlate:loss|"):
            _, code, path, detail = text.split("|", 3)
            path, line = nodes.locate(path)
            ctx.loss(code, path, detail, line=line)
        elif text.startswith("xlate:error|"):
            _, path, message = text.split("|", 2)
            path, line = nodes.locate(path)
            if _TRACE is not None:
                _TRACE.errors[name] = _TRACE.errors.get(name, 0) + 1
            raise ConversionError(message, file=ctx.file, line=line, path=path)
        elif text.startswith("Terminating"):
            continue  # libxslt's own note after a terminate message
        else:
            raise RuntimeError(f"stylesheet {name}: unexpected message {text!r}")


def _reports(message: str) -> List[str]:
    """The reports of one message: one per line (xsl:message is costly in libxslt, so a
    stylesheet may send many at once). A line that starts no report continues the one before
    (a detail holding a newline), so input text can never pose as a report of its own."""
    reports: List[str] = []
    for line in message.split("\n"):
        if reports and reports[-1].startswith("xlate:") and not line.startswith("xlate:"):
            reports[-1] += " " + line
        else:
            reports.append(line)
    return reports


_XPATHS: Dict[str, etree.XPath] = {}


def _compiled(expr: str) -> etree.XPath:
    """Stylesheets report the same few XPaths again and again: compile each once."""
    xpath = _XPATHS.get(expr)
    if xpath is None:
        if len(_XPATHS) > 256:
            _XPATHS.clear()
        xpath = _XPATHS[expr] = etree.XPath(expr, namespaces=NAMESPACES)
    return xpath


class _NodeFinder:
    """Resolves the XPaths in stylesheet messages to a readable path and a source line."""

    def __init__(self, tree: etree._ElementTree) -> None:
        self.tree = tree
        self.root = "/" + etree.QName(tree.getroot()).localname
        # A tree made by a stylesheet (a hub read from SEXPR, say) has only the stylesheet's
        # line numbers: no position is better than a wrong one.
        self.has_lines = not isinstance(tree, etree._XSLTResultTree)

    def locate(self, path: str) -> Tuple[str, Optional[int]]:
        if not path.startswith(("/", "(")):
            return path, None  # not an XPath: a path in the source's own terms
        node = self._find(path)
        if node is None:
            return path, None
        if isinstance(node, etree._Element):
            return self._readable(node), node.sourceline if self.has_lines else None
        element = node.getparent()  # an attribute or a text node
        if element is None:
            return path, None
        attr = getattr(node, "attrname", None)
        line = element.sourceline if self.has_lines else None
        return self._readable(element) + (f"/@{attr}" if attr else ""), line

    def _find(self, path: str):
        try:
            found = _compiled(path)(self.tree)
        except etree.XPathError:
            return None
        return found[0] if isinstance(found, list) and found else None

    def _readable(self, element: etree._Element) -> str:
        rel = self.tree.getelementpath(element)
        if rel == ".":
            return self.root
        return f"{self.root}/{rel}".replace(_XEN_CLARK, "xen:")


_XEN_CLARK = "{" + XEN_NS + "}"

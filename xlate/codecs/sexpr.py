"""S-expression text ⇄ generic element tree (syntax only; knows nothing about Xen).

The reader accepts the dialect of xend's own parser (xen-project/xen,
``tools/python/xen/xend/sxp.py``); the writer produces text that both xend and
libvirt's reader (libvirt ``src/util/virsexpr.c``) read back unchanged.
The tree shape is the one in ``docs/architecture.md`` ("The codec tree")::

    <sexpr><l><a>vm</a><l><a>name</a><s>fvtest</s></l></l></sexpr>

The grammar, the escapes and the output rules are documented in
``docs/formats.md`` (section "SEXPR syntax").

How reading is fast: the text is translated into XML text and lxml's C
parser builds the tree; no Python code runs per token.  The text is split
into strings and "runs" (whitespace, parentheses and atoms), by
``str.split("'")`` when its only strings are single-quoted without escapes
(what libvirt and xend write), else by one compiled regular expression; the
runs, joined, and the strings, joined, are each translated by a handful of
string replacements.  Newlines are kept in the XML (in comments the parser
drops), so lxml records each element's ``sourceline`` itself.  Anything
unusual (unbalanced parentheses, too deep, a bad character or escape) makes
this fast path give up; the text is then read token by token, which finds the
exact position of the problem, or repairs it when ``recover=True``.
"""

from __future__ import annotations

import re
import threading
from itertools import accumulate
from typing import Iterator, List, Optional, Union

from lxml import etree

from ..errors import LimitError, ParseError

__all__ = ["read_sexpr", "write_sexpr", "is_bare_atom", "MAX_DEPTH_LIMIT", "PRETTY_WIDTH"]

#: Highest ``max_depth`` accepted: libxml2 (with XML_PARSE_HUGE) refuses
#: documents nested deeper than 2048 elements, and the tree adds the root.
MAX_DEPTH_LIMIT = 2000

#: Line width of the pretty form (xend's ``PrettyPrint.prettyprint`` default).
PRETTY_WIDTH = 80

# --- character classes (xend sxp.py) ---------------------------------------
# Whitespace is exactly ' \t\n\v\f\r'.  '#' starts a comment up to the end of
# the line.  An atom starts with a printable ASCII character other than
# whitespace, '(', ')', a quote or '#', and goes on until whitespace, '#' or
# one of the separators below.  A separator ends an atom but may start the
# next one ("a;b" is the two atoms "a" and ";b").  Quotes only open a string
# at the start of a token ("it's" is one atom).

_WS = " \t\n\v\f\r"
_SEPARATORS = "{}()<>[]!;"
_ATOM_SEPARATORS = "{}<>[]!;"  # the separators that start an atom
_ATOM_START_CHARS = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in "\"#'()")
# Characters that start an atom but not a separator (the fast reader's runs).
_PLAIN_CHARS = "".join(c for c in _ATOM_START_CHARS if c not in _SEPARATORS)


def _cls(chars: str, extra: str = "", negate: bool = False) -> str:
    return "[" + ("^" if negate else "") + "".join(re.escape(c) for c in chars) + extra + "]"


_ATOM_START = _cls(_ATOM_START_CHARS)
_ATOM_CONT = _cls(_WS + _SEPARATORS + "#", negate=True)
# A string after its opening quote; "unrolled" so that it scans in linear time.
_SQ_REST = r"[^'\\]*(?:\\.[^'\\]*)*'"
_DQ_REST = r'[^"\\]*(?:\\.[^"\\]*)*"'
_STRING = "'" + _SQ_REST + '|"' + _DQ_REST
_COMMENT = r"\#[^\n]*"
_ATOM = _ATOM_START + _ATOM_CONT + "*"

# The token-by-token reader: one group per kind of token.
_T_WS, _T_OPEN, _T_CLOSE, _T_STRING, _T_COMMENT, _T_ATOM, _T_BAD = range(1, 8)
_TOKEN = re.compile(
    "([ \\t\\n\\v\\f\\r]+)|(\\()|(\\))|(" + _STRING + ")|(" + _COMMENT + ")|(" + _ATOM + ")|(.)",
    re.DOTALL,
)

# The fast reader splits the text, in C, into "runs" (whitespace, parentheses
# and atoms that start with a printable ASCII character and hold no
# separator) and the other tokens: strings, comments, atoms that start with a
# separator, and single characters it leaves to the token-by-token reader.
# A character continues an atom when the one before it is an atom character
# other than a quote; the lookbehinds use this to keep quotes inside atoms
# ("it's") and non-ASCII characters after the first in the runs.  A string
# starts only after whitespace or a parenthesis: after a quote, a quote may
# open a new string or continue an atom, which the token-by-token reader
# decides.  The pattern starts with one character class, so the regex engine
# skips run characters without trying the alternatives.
_IN_ATOM = _cls(_WS + _SEPARATORS + "#'\"", negate=True)
_NOT_DELIMITER = _cls(_WS + "()", negate=True)
_SPLIT = re.compile(
    "(" + _cls(_WS + "()" + _PLAIN_CHARS, negate=True) + "(?:"
    + "(?<=')(?<!" + _NOT_DELIMITER + "')" + _SQ_REST
    + "|(?<=\")(?<!" + _NOT_DELIMITER + "\")" + _DQ_REST
    + "|(?<=\\#)[^\\n]*"
    + "|(?<=" + _cls(_ATOM_SEPARATORS) + ")" + _ATOM_CONT + "*"
    + "|(?<!" + _IN_ATOM + ".)"
    + "))",
    re.DOTALL,
)

# For _split_simple: runs hold only whitespace, parentheses and ASCII atoms;
# a string (NUL in the joined runs) must not follow an atom character, else
# its quote was inside the atom.
_INDENT = re.compile("\n[ \t]+")
_RUN_BYTES = (_WS + "()\x00" + _PLAIN_CHARS).encode("ascii")
_QUOTE_IN_ATOM = re.compile("\x00(?<=" + _cls(_PLAIN_CHARS) + "\x00)")

_ATOM_RE = re.compile(_ATOM)
# Characters an XML 1.0 document (hence an lxml tree) cannot hold.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# Escapes inside strings (xend sxp.py): the simple ones, \xH[H] and \O[O[O]]
# give one byte each, any other backslash is kept as it is.
_SIMPLE_ESCAPES = {
    "a": "\a", "b": "\b", "t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
    "\\": "\\", "'": "'", '"': '"',
}
_E_BYTES, _E_SIMPLE, _E_BADX, _E_OTHER, _E_TEXT = range(1, 6)
_ESCAPE = re.compile(
    r"((?:\\(?:x[0-9A-Fa-f]{1,2}|[0-7]{1,3}))+)"  # a run of byte escapes
    r"|\\([abtnvfr\\'\"])"
    r"|\\(x)"
    r"|\\(.)"
    r"|([^\\]+)",
    re.DOTALL,
)
_ONE_BYTE = re.compile(r"\\(?:x([0-9A-Fa-f]{1,2})|([0-7]{1,3}))")


class _Problem(Exception):
    """A syntax problem at an offset of the text (turned into ParseError by the caller)."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


class _GiveUp(Exception):
    """The fast reader met something it leaves to the token-by-token reader."""


# --- reading ----------------------------------------------------------------


def read_sexpr(
    text: str,
    *,
    filename: Optional[str] = None,
    recover: bool = False,
    diagnostics: Optional[list] = None,
    max_depth: int = 256,
) -> etree._Element:
    """Read S-expression text into a ``<sexpr>`` element tree.

    Every top-level item becomes a child of the root.  Each element's
    ``sourceline`` is the line its item starts on.  Syntax errors raise
    :class:`~xlate.errors.ParseError` with ``file``, ``line`` and ``col``;
    lists nested deeper than ``max_depth`` raise :class:`~xlate.errors.LimitError`.

    With ``recover=True`` two kinds of damage that libvirt/xend tolerated are
    repaired: lists still open at the end of the input are closed, and a ``)``
    after a complete top-level item is ignored.  Each repair appends a
    ``ParseError`` (with its position) to ``diagnostics`` when a list is given.
    """
    if not isinstance(text, str):
        raise TypeError(f"read_sexpr() needs str, not {type(text).__name__}")
    if not 0 <= max_depth <= MAX_DEPTH_LIMIT:
        raise ValueError(f"max_depth must be between 0 and {MAX_DEPTH_LIMIT}, not {max_depth}")
    try:
        return _read_fast(text, max_depth)
    except _GiveUp:
        return _read_tokens(text, filename, recover, diagnostics, max_depth)


def _parser() -> etree.XMLParser:
    parser = getattr(_local, "parser", None)
    if parser is None:
        # Our own generated XML: no DTD, no entities; comments carry newlines only.
        parser = etree.XMLParser(
            remove_comments=True,
            resolve_entities=False,
            no_network=True,
            huge_tree=True,
            collect_ids=False,
        )
        _local.parser = parser
    return parser


_local = threading.local()


def _read_fast(text: str, max_depth: int) -> etree._Element:
    if "\x00" in text:  # NUL marks token places below (and is an error outside comments)
        raise _GiveUp
    runs, tokens = _split_simple(text) or _split(text)
    pieces: list = [None] * (2 * len(tokens) + 1)
    pieces[0::2] = _runs_xml(runs).split("\x00")
    pieces[1::2] = tokens
    xml = "".join(pieces)
    if text.count("(") > max_depth and _depth(xml) > max_depth:
        raise _GiveUp
    try:
        return etree.fromstring(xml, _parser())
    except (etree.XMLSyntaxError, ValueError):  # unbalanced, or a character XML forbids
        raise _GiveUp from None


_DEPTH_STEP = {"<l>": 1, "</l>": -1}


def _depth(body: str) -> int:
    """Deepest list nesting in translated XML (strings and atoms hold no '<')."""
    return max(accumulate(map(_DEPTH_STEP.__getitem__, re.findall("</?l>", body))), default=0)


def _runs_xml(runs: str) -> str:
    """Translate runs (joined by NUL) with string replacements only.

    Every delimiter closes the current atom and opens the next one; the empty
    atoms this makes between delimiters are removed at the end.  The NULs stay
    (between elements) to mark where the other tokens go.
    """
    if "&" in runs:
        runs = runs.replace("&", "&amp;")
    if "\n" in runs:  # indentation would make many empty atoms
        runs = _INDENT.sub("\n", runs)
    runs = runs.replace(" ", "</a><a>")
    for blank in "\t\v\f\r":
        if blank in runs:
            runs = runs.replace(blank, "</a><a>")
    if "\n" in runs:
        runs = runs.replace("\n", "</a><!--\n--><a>")
    runs = runs.replace("(", "</a><l><a>").replace(")", "</a></l><a>").replace("\x00", "</a>\x00<a>")
    return ("<sexpr><a>" + runs + "</a></sexpr>").replace("<a></a>", "")


def _split_simple(text: str) -> Optional[tuple]:
    """Runs (joined by NUL) and string XML, for text whose only tokens besides
    runs are single-quoted strings without backslashes (what libvirt and xend
    write); None for any other text."""
    if "\\" in text or '"' in text:
        return None
    parts = text.split("'")
    runs = "\x00".join(parts[0::2])
    if (
        not len(parts) % 2
        or not runs.isascii()
        or runs.encode("ascii").translate(None, _RUN_BYTES)  # left: not whitespace, parenthesis, atom
        or _QUOTE_IN_ATOM.search(runs)
    ):
        return None
    strings = parts[1::2]
    if strings:
        joined = _xml_text("\x00".join(strings)).replace("\x00", "</s>\x00<s>")
        strings = ("<s>" + joined + "</s>").split("\x00")
    return runs, strings


def _split(text: str) -> tuple:
    """Runs (joined by NUL) and the XML of the tokens between them, for any text."""
    pieces = _SPLIT.split(text)
    return "\x00".join(pieces[0::2]), _tokens_xml(pieces[1::2]) if len(pieces) > 1 else []


def _tokens_xml(tokens: List[str]) -> List[str]:
    """Translate the tokens between runs.  Strings without a backslash are
    translated together with string replacements; anything else one by one.
    Raises _GiveUp on anything the token-by-token reader must report."""
    joined = "\x00" + "\x00".join(tokens) + "\x00"
    if (
        "\\" not in joined
        and joined.count("\x00'") + joined.count('\x00"') == len(tokens)
        and "\x00'\x00" not in joined  # a lone quote: unterminated string
        and '\x00"\x00' not in joined
    ):  # characters XML forbids make the XML parser fail
        joined = _xml_text(joined)
        joined = joined.replace("\x00'", "\x00<s>").replace("'\x00", "</s>\x00")
        joined = joined.replace('\x00"', "\x00<s q='\"'>").replace('"\x00', "</s>\x00")
        return joined.split("\x00")[1:-1]
    return [_token_xml(t) for t in tokens]


def _token_xml(token: str) -> str:
    first = token[0]
    try:
        if first in "'\"" and len(token) > 1:
            return _string_xml(token, 0)
        if first == "#":
            return ""
        if _ATOM_RE.fullmatch(token):
            return _atom_xml(token, 0)
    except _Problem:
        pass
    raise _GiveUp


def _xml_text(s: str) -> str:
    """Escape text for XML element content; a CR must survive line-end normalisation."""
    if "&" in s:
        s = s.replace("&", "&amp;")
    if "<" in s:
        s = s.replace("<", "&lt;")
    if ">" in s:
        s = s.replace(">", "&gt;")
    if "\r" in s:
        s = s.replace("\r", "&#13;")
    return s


def _check_xml_chars(s: str, offset: int, what: str) -> None:
    bad = _NOT_XML.search(s)
    if bad:
        raise _Problem(
            offset + bad.start(),
            f"{what} contains {_describe(bad.group())}, which an XML tree cannot hold",
        )


def _atom_xml(atom: str, offset: int) -> str:
    _check_xml_chars(atom, offset, "atom")
    return "<a>" + _xml_text(atom) + "</a>"


def _string_xml(token: str, offset: int) -> str:
    body = token[1:-1]
    _check_xml_chars(body, offset + 1, "string")
    if "\\" in body:
        body = _unescape_xml(body, offset + 1)
    else:
        body = _xml_text(body)
    return ("<s>" if token[0] == "'" else "<s q='\"'>") + body + "</s>"


def _unescape_xml(body: str, offset: int) -> str:
    """Apply xend's escapes and XML-escape the result in one pass.

    Characters that come from an escape are written as character references
    where they would otherwise change the line count (``\\n``).
    """

    def one(m: re.Match) -> str:
        kind = m.lastindex
        if kind == _E_TEXT:
            return _xml_text(m.group(kind))
        at = offset + m.start()
        if kind == _E_SIMPLE:
            value = _SIMPLE_ESCAPES[m.group(kind)]
        elif kind == _E_BYTES:
            value = _decode_bytes(m.group(kind), at)
        elif kind == _E_OTHER:  # an unknown escape: xend means to keep it as written
            return _xml_text(m.group())
        else:  # _E_BADX
            raise _Problem(at, "invalid escape '\\x': a hexadecimal digit must follow")
        _check_xml_chars(value, at, "escape")
        return _xml_text(value).replace("\n", "&#10;")

    return _ESCAPE.sub(one, body)


def _decode_bytes(escapes: str, offset: int) -> str:
    """Bytes from consecutive \\x/octal escapes: UTF-8 when they form it, else Latin-1.

    xend (Python 2) printed non-ASCII UTF-8 text as byte escapes ('caf\\xc3\\xa9').
    """
    data = bytearray()
    for m in _ONE_BYTE.finditer(escapes):
        value = int(m.group(1), 16) if m.group(1) else int(m.group(2), 8)
        if value > 0xFF:
            raise _Problem(
                offset + m.start(), f"octal escape '{m.group()}' is out of range (largest is \\377)"
            )
        data.append(value)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _describe(ch: str) -> str:
    code = f"U+{ord(ch):04X}"
    return f"{code} {ch!r}" if ch.isprintable() else code


def _position(text: str, offset: int) -> tuple:
    line = text.count("\n", 0, offset) + 1
    col = offset - text.rfind("\n", 0, offset)
    return line, col


def _error(cls, text: str, offset: int, message: str, filename: Optional[str]) -> ParseError:
    line, col = _position(text, offset)
    return cls(message, file=filename, line=line, col=col)


def _read_tokens(
    text: str,
    filename: Optional[str],
    recover: bool,
    diagnostics: Optional[list],
    max_depth: int,
) -> etree._Element:
    """The token-by-token reader: exact error positions and repairs."""
    out: List[str] = ["<sexpr>"]
    opened: List[int] = []  # offsets of the '(' of the lists still open
    top_items = 0

    def repaired(offset: int, message: str) -> None:
        if diagnostics is not None:
            diagnostics.append(_error(ParseError, text, offset, message, filename))

    try:
        for m in _TOKEN.finditer(text):
            kind = m.lastindex
            if kind == _T_WS:
                newlines = m.group(kind).count("\n")
                if newlines:
                    out.append("<!--" + "\n" * newlines + "-->")
            elif kind == _T_OPEN:
                if len(opened) >= max_depth:
                    raise _error(
                        LimitError, text, m.start(),
                        f"lists nested deeper than {max_depth} levels", filename,
                    )
                opened.append(m.start())
                out.append("<l>")
            elif kind == _T_CLOSE:
                if opened:
                    opened.pop()
                    out.append("</l>")
                    if not opened:
                        top_items += 1
                elif recover and top_items:
                    repaired(m.start(), "ignored ')' without a matching '('")
                else:
                    raise _error(
                        ParseError, text, m.start(),
                        "unbalanced parenthesis: ')' without a matching '('", filename,
                    )
            elif kind == _T_STRING:
                out.append(_string_xml(m.group(kind), m.start()))
                top_items += not opened
            elif kind == _T_ATOM:
                out.append(_atom_xml(m.group(kind), m.start()))
                top_items += not opened
            elif kind == _T_BAD:
                ch = m.group(kind)
                if ch in "'\"":
                    message = f"unterminated string: no closing {ch} before the end of the input"
                elif ch.isprintable() and not ch.isspace():
                    message = (
                        f"invalid character {_describe(ch)}: an atom starts with a "
                        "printable ASCII character (quote the text)"
                    )
                else:
                    message = f"invalid character {_describe(ch)}"
                raise _Problem(m.start(), message)
    except _Problem as problem:
        raise _error(ParseError, text, problem.offset, problem.message, filename) from None

    if opened:
        if not recover:
            raise _error(
                ParseError, text, opened[-1],
                f"unbalanced parenthesis: '(' is never closed "
                f"({len(opened)} list{'s' if len(opened) > 1 else ''} open at the end of the input)",
                filename,
            )
        for offset in reversed(opened):
            repaired(offset, "missing ')': list closed at the end of the input")
            out.append("</l>")
    out.append("</sexpr>")
    return etree.fromstring("".join(out), _parser())


# --- writing ----------------------------------------------------------------

Tree = Union[etree._Element, etree._ElementTree]


def is_bare_atom(text: Optional[str]) -> bool:
    """True if ``text`` can be written unquoted and reads back as the same atom."""
    if not text:
        return False
    return _ATOM_RE.fullmatch(text) is not None


def write_sexpr(root: Tree, *, pretty: bool = False) -> str:
    """Write a codec tree (``<sexpr>`` root, or a single ``l``/``a``/``s`` item) as text.

    ``<s>`` is quoted ('…', or "…" when ``q='"'``) with ``\\`` and the quote
    backslash-escaped; ``<a>`` is bare when :func:`is_bare_atom`, else quoted
    like ``<s>``.  The compact form is libvirt's (``(vm (name 'x')(memory 400))``,
    top-level items separated by newlines, no final newline); the pretty form
    is xend's (80 columns, four-space indent, a newline after each top-level item).
    Raises ``ValueError`` when the tree is not a codec tree (a bug in its producer).
    """
    if isinstance(root, etree._ElementTree):
        root = root.getroot()
    if root.tag == "sexpr":
        items = list(_items(root))
    elif root.tag in ("l", "a", "s"):
        items = [root]
    else:
        raise ValueError(f"not an S-expression tree: root element <{root.tag}>")
    if pretty:
        return "".join(_pretty(_nested(item)) + "\n" for item in items)
    return "\n".join(_compact(item) for item in items)


def _items(el: etree._Element) -> Iterator[etree._Element]:
    """The item children of a list (or the root), checking the tree shape."""
    if el.text and not el.text.isspace():
        raise ValueError(f"text {el.text.strip()!r} directly inside <{el.tag}>")
    for child in el:
        tag = child.tag
        if tag in ("l", "a", "s"):
            yield child
        elif isinstance(tag, str):
            raise ValueError(f"unexpected element <{tag}> inside <{el.tag}>")
        if child.tail and not child.tail.isspace():
            raise ValueError(f"text {child.tail.strip()!r} directly inside <{el.tag}>")


def _token(el: etree._Element) -> str:
    if len(el):
        raise ValueError(f"<{el.tag}> must hold only text")
    text = el.text or ""
    if el.tag == "a" and is_bare_atom(text):
        return text
    quote = '"' if el.get("q") == '"' else "'"
    return quote + text.replace("\\", "\\\\").replace(quote, "\\" + quote) + quote


def _compact(item: etree._Element) -> str:
    """libvirt's spacing: a space after a list's first item and between other
    items, except none between two lists (``)(``).  Iterative: trees may be deep."""
    out: List[str] = []
    # frame: [children iterator, index of the next child, previous child was a list]
    stack: list = [[iter((item,)), 0, False]]
    while stack:
        frame = stack[-1]
        child = next(frame[0], None)
        if child is None:
            stack.pop()
            if stack:
                out.append(")")
            continue
        index = frame[1]
        frame[1] = index + 1
        is_list = child.tag == "l"
        if index == 1 or (index > 1 and not (is_list and frame[2])):
            out.append(" ")
        frame[2] = is_list
        if is_list:
            out.append("(")
            stack.append([_items(child), 0, False])
        else:
            out.append(_token(child))
    return "".join(out)


def _nested(item: etree._Element) -> Union[str, list]:
    """The item as nested Python lists of tokens (iterative: trees may be deep)."""
    top: list = []
    stack = [(iter((item,)), top)]
    while stack:
        children, acc = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
        elif child.tag == "l":
            sub: list = []
            acc.append(sub)
            stack.append((_items(child), sub))
        else:
            acc.append(_token(child))
    return top[0]


def _flat_widths(node: list) -> dict:
    """Width of every list written on one line, by id (iterative post-order)."""
    width: dict = {}
    stack = [(node, False)]
    while stack:
        n, done = stack.pop()
        if done:
            items = sum(len(x) if isinstance(x, str) else width[id(x)] for x in n)
            width[id(n)] = 2 + items + max(len(n) - 1, 0)
        else:
            stack.append((n, True))
            stack.extend((x, False) for x in n if isinstance(x, list))
    return width


def _flat(node: Union[str, list]) -> str:
    # Only called on lists that fit in PRETTY_WIDTH columns, so recursion is shallow.
    if isinstance(node, str):
        return node
    return "(" + " ".join(_flat(x) for x in node) + ")"


def _pretty(node: Union[str, list]) -> str:
    """xend's PrettyPrint layout: a list that fits in the rest of the line is
    written flat; otherwise its first item follows '(' and every other item,
    and the ')', goes on its own line, indented 4 more than the '('."""
    if isinstance(node, str):
        return node
    width = _flat_widths(node)
    out: List[str] = []
    stack: list = []  # frames: [list, index of the next item, column of its '(']

    def place(x: Union[str, list], col: int) -> None:
        if isinstance(x, str):
            out.append(x)
        elif col + width[id(x)] <= PRETTY_WIDTH:
            out.append(_flat(x))
        else:
            out.append("(")
            stack.append([x, 0, col])

    place(node, 0)
    while stack:
        frame = stack[-1]
        lst, index, col = frame
        if index < len(lst):
            frame[1] = index + 1
            if index:
                out.append("\n" + " " * (col + 4))
            place(lst[index], col + 4 if index else col + 1)
        else:
            out.append("\n" + " " * col + ")")
            stack.pop()
    return "".join(out)

"""Limits on untrusted input: every bound xlate enforces, in one place.

A :class:`Limits` travels in :class:`xlate.context.Options`. :func:`xlate.xmlio.parse_xml`
enforces it on every XML document (:func:`check_xml_text` before parsing, :func:`check_xml_tree`
and :func:`check_hub` after), ``xlate.formats.sexpr`` on S-expressions (:func:`check_sexpr_text`
before the codec, the codec's ``max_depth``, :func:`check_sexpr_tree` before any stylesheet).
Going over a limit raises :class:`xlate.errors.LimitError`, a :class:`~xlate.errors.ParseError`
with the line of the offending item where one is known.

The defaults are far above any real guest configuration (libvirt's own test data stays below
12 KiB, 800 elements, 8 levels of nesting and a few dozen devices per document) and low enough
that the worst input they let through converts in bounded time and memory (docs/security.md
lists the measurements).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from typing import Dict, Iterable, Optional, Union

from lxml import etree

from .errors import LimitError, UsageError

KiB = 1024
MiB = 1024 * KiB

#: Deepest nesting a limit may allow: libxml2 refuses more than 2048 levels even with
#: XML_PARSE_HUGE, and the S-expression codec's tree adds a root element.
MAX_DEPTH_CEILING = 2000

#: libxml2's own nesting limit without XML_PARSE_HUGE.
LIBXML2_DEPTH = 256

#: libxml2's own limit on one text node or attribute value without XML_PARSE_HUGE.
LIBXML2_TEXT = 10_000_000


@dataclass(frozen=True)
class Limits:
    """Bounds on one input document. Every field is a positive integer.

    max_input_bytes:     size of the input, in bytes (default 16 MiB).
    max_depth:           nesting of XML elements or S-expression lists (default 256, at
                         most 2000); the document element / outermost list is level 1.
    max_atom_chars:      length of one S-expression atom or string, or of one XML text node,
                         in characters (default 1 MiB).
    max_attribute_chars: length of one XML attribute value, in characters (default 64 KiB).
    max_devices:         number of devices of a domain: children of ``<devices>``, or
                         ``(device ...)`` items of an S-expression (default 256).
    max_elements:        number of XML elements, or of S-expression lists, atoms and strings
                         (default 5,000): what bounds the work of the stylesheets, some of
                         which take time quadratic in the number of unknown elements.
    """

    max_input_bytes: int = 16 * MiB
    max_depth: int = 256
    max_atom_chars: int = 1 * MiB
    max_attribute_chars: int = 64 * KiB
    max_devices: int = 256
    max_elements: int = 5_000

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise UsageError(f"limit {f.name} must be an integer, not {value!r}")
            if value < 1:
                raise UsageError(f"limit {f.name} must be at least 1, not {value}")
        if self.max_depth > MAX_DEPTH_CEILING:
            raise UsageError(f"limit max_depth must be at most {MAX_DEPTH_CEILING}, not {self.max_depth}")

    def with_(self, **changes: int) -> "Limits":
        """A copy with some limits changed: ``Limits().with_(max_depth=32)``."""
        return replace(self, **changes)

    def at_least(self, other: "Limits") -> "Limits":
        """Each limit the larger of this one's and ``other``'s."""
        return Limits(**{f.name: max(getattr(self, f.name), getattr(other, f.name)) for f in fields(self)})


DEFAULT = Limits()

#: The short names the command line uses (``--limit depth=64``).
CLI_NAMES: Dict[str, str] = {
    "input": "max_input_bytes",
    "depth": "max_depth",
    "atom": "max_atom_chars",
    "attribute": "max_attribute_chars",
    "devices": "max_devices",
    "elements": "max_elements",
}

_SUFFIXES = {"k": KiB, "m": MiB, "g": 1024 * MiB}


def parse_limit(spec: str) -> Dict[str, int]:
    """``NAME=VALUE`` from the command line as ``{field: value}``; VALUE may end in K, M or G
    (binary multiples). Raises :class:`UsageError` with a readable message."""
    name, sep, value = spec.partition("=")
    name = name.strip().lower()
    field_name = CLI_NAMES.get(name)
    if not sep or field_name is None:
        known = ", ".join(CLI_NAMES)
        raise UsageError(f"--limit takes NAME=VALUE with NAME one of {known}, not {spec!r}")
    text = value.strip().lower()
    scale = 1
    if text[-1:] in _SUFFIXES:
        text, scale = text[:-1], _SUFFIXES[text[-1]]
    if not text.isdigit():
        raise UsageError(f"--limit {name}: not a whole number: {value!r}")
    number = int(text) * scale
    replace(DEFAULT, **{field_name: number})  # validates the value
    return {field_name: number}


def from_specs(specs: Optional[Iterable[str]], base: Limits = DEFAULT) -> Limits:
    """The limits ``base`` changed by command-line ``NAME=VALUE`` specs (None: ``base``)."""
    changes: Dict[str, int] = {}
    for spec in specs or ():
        changes.update(parse_limit(spec))
    return replace(base, **changes) if changes else base


def needs_huge_tree(limits: Limits) -> bool:
    """Whether libxml2 must parse with XML_PARSE_HUGE: its own limits without it (256 levels,
    10,000,000 characters per text or attribute) are below what ``limits`` allows. Our checks
    enforce ``limits`` either way."""
    longest = max(limits.max_atom_chars, limits.max_attribute_chars)
    return limits.max_depth > LIBXML2_DEPTH or longest > LIBXML2_TEXT


def resolve(limits: Optional[Limits]) -> Limits:
    """``limits``, or the defaults when None; anything else is a usage error."""
    if limits is None:
        return DEFAULT
    if not isinstance(limits, Limits):
        raise UsageError(f"limits must be an xlate.Limits, not {type(limits).__name__}")
    return limits


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------

def check_size(data: Union[bytes, str], limits: Limits, file: Optional[str] = None) -> None:
    """The input as a whole (bytes, or characters of a str)."""
    if len(data) > limits.max_input_bytes:
        unit = "bytes" if isinstance(data, (bytes, bytearray)) else "characters"
        raise LimitError(
            f"input is {len(data)} {unit}, over the limit of {limits.max_input_bytes} "
            "(max_input_bytes; --limit input=N)",
            file=file,
        )


def check_xml_text(text: str, limits: Limits, file: Optional[str] = None) -> None:
    """The number of elements of an XML document (decoded), counted before it is parsed.

    An element takes at least four characters (``<a/>``) and one ``<`` that does not start
    ``</``: small documents are not counted at all, most others by two ``str.count`` calls;
    only when those allow more than the limit does a pull parser count the elements exactly,
    stopping at the first one over the limit (so memory stays bounded by the limit).
    """
    limit = limits.max_elements
    if len(text) < 4 * limit or text.count("<") - text.count("</") <= limit:
        return
    parser = etree.XMLPullParser(
        events=("start",), resolve_entities=False, load_dtd=False, no_network=True,
        huge_tree=needs_huge_tree(limits), collect_ids=False,
    )
    count = 0
    step = 1 << 16
    try:
        for at in range(0, len(text), step):
            parser.feed(text[at : at + step])
            for _, element in parser.read_events():
                count += 1
                if count > limit:
                    raise LimitError(
                        f"more than {limit} elements (max_elements; --limit elements=N)",
                        file=file, line=element.sourceline,
                    )
    except etree.XMLSyntaxError:
        return  # malformed: the real parse reports it where it is


# An S-expression item: blanks, ')' and comments, then a '(' or an atom or a string (xend's
# lexical rules, as in xlate.codecs.sexpr; an unterminated string runs to the end), or the end
# of the text: every character is either skipped or starts an item, so each search goes
# forward and the count is linear.
_SEP = r"{}<>\[\]!;"
_SEXPR_ITEM = re.compile(
    r"""(?:[\s)]++|\#[^\n]*+)*+"""
    r"""(\(|'(?:[^'\\]++|\\.)*+'?|"(?:[^"\\]++|\\.)*+"?"""
    r"""|[^\s()'"\#""" + _SEP + r"""][^\s()\#""" + _SEP + r"""]*+"""
    r"""|[""" + _SEP + r"""][^\s()\#""" + _SEP + r"""]*+|\Z)""",
    re.DOTALL,
)


def check_sexpr_text(text: str, limits: Limits, file: Optional[str] = None) -> None:
    """The number of lists, atoms and strings of S-expression text, counted before it is read
    (an item takes at least one character, so text up to the limit's length is not counted);
    the count stops at the first item over the limit."""
    limit = limits.max_elements
    if len(text) <= limit:
        return
    count = 0
    for m in _SEXPR_ITEM.finditer(text):
        if m.end() == len(text) and not m.group(1):
            break  # blanks, ')' and comments up to the end
        count += 1
        if count > limit:
            end = m.end()
            raise LimitError(
                f"more than {limit} lists, atoms and strings (max_elements; --limit elements=N)",
                file=file, line=text.count("\n", 0, end) + 1,
            )


def _first(tree: Union[etree._Element, etree._ElementTree], xpath: str):
    found = tree.xpath(xpath)
    return found[0] if found else None


def check_xml_tree(tree: etree._ElementTree, limits: Limits, size: int, file: Optional[str] = None) -> None:
    """Depth, text and attribute lengths of a parsed XML document of ``size`` bytes.

    Each check runs in libxml2's XPath engine, and only when the input is large enough to go
    over its limit (a character takes at least one byte), so small documents cost nothing.
    """
    if limits.max_depth != LIBXML2_DEPTH and size > 3 * limits.max_depth:
        # libxml2 itself stops at 256 (or 2048 with XML_PARSE_HUGE, used above 256).
        deep = _first(tree, "(/*" + "/*" * limits.max_depth + ")[1]")
        if deep is not None:
            raise _error(f"elements nested deeper than {limits.max_depth} levels", None,
                         "max_depth", file, deep.sourceline)
    n = limits.max_atom_chars
    if size > n:
        text = _first(tree, f"(//text()[string-length() > {n}])[1]")
        if text is not None:
            parent = text.getparent()
            raise _error(f"a text of {len(text)} characters in <{etree.QName(parent).localname}>", n,
                         "max_atom_chars", file, parent.sourceline)
    n = limits.max_attribute_chars
    if size > n:
        attr = _first(tree, f"(//@*[string-length() > {n}])[1]")
        if attr is not None:
            raise _error(f"attribute {etree.QName(attr.attrname).localname} is {len(attr)} characters long",
                         n, "max_attribute_chars", file, attr.getparent().sourceline)


def check_sexpr_tree(root: etree._Element, limits: Limits, size: int, file: Optional[str] = None) -> None:
    """Atom lengths and the number of ``(device ...)`` items of a codec tree (``<sexpr>``),
    read from ``size`` characters: before any stylesheet sees it."""
    n = limits.max_atom_chars
    if size > n:
        atom = _first(root, f"(//a[string-length() > {n}] | //s[string-length() > {n}])[1]")
        if atom is not None:
            what = "an atom" if atom.tag == "a" else "a string"
            raise _error(f"{what} of {len(atom.text or '')} characters", n, "max_atom_chars", file,
                         atom.sourceline)
    # (device ...) items sit in the top-level (vm ...) / (domain ...) list; each is at least
    # 9 characters, so small inputs cannot go over.
    if size > 9 * limits.max_devices:
        _check_devices(root, "/sexpr/l/l[*[1] = 'device']", limits, file)


def check_hub(hub: etree._ElementTree, limits: Limits, file: Optional[str] = None) -> None:
    """The number of devices of a domain (children of ``/domain/devices``): run on every
    document :func:`xlate.xmlio.parse_xml` reads."""
    _check_devices(hub, "/domain/devices/*", limits, file)


def _check_devices(tree, xpath: str, limits: Limits, file: Optional[str]) -> None:
    count = int(tree.xpath(f"count({xpath})"))
    if count > limits.max_devices:
        extra = _first(tree, f"({xpath})[{limits.max_devices + 1}]")
        raise _error(f"{count} devices", limits.max_devices, "max_devices", file, extra.sourceline)


def _error(what: str, limit: Optional[int], field: str, file: Optional[str], line: Optional[int]) -> LimitError:
    """``WHAT, over the limit of N (FIELD; --limit NAME=N)``: says which limit to raise."""
    name = next(k for k, v in CLI_NAMES.items() if v == field)
    over = f", over the limit of {limit}" if limit is not None else ""
    return LimitError(f"{what}{over} ({field}; --limit {name}=N)", file=file, line=line)

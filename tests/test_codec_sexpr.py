"""The S-expression codec: xend's syntax ⇄ the generic <sexpr>/<l>/<a>/<s> tree."""

from __future__ import annotations

import math
import re
import time

import pytest
import sexpdata
from hypothesis import given, strategies as st
from lxml import etree

from xlate.codecs.sexpr import (
    MAX_DEPTH_LIMIT,
    _read_tokens,
    is_bare_atom,
    read_sexpr,
    write_sexpr,
)
from xlate.errors import LimitError, ParseError


# --- helpers ----------------------------------------------------------------


class S(str):
    """A quoted string in a test tree; ``S("x", '"')`` was double-quoted."""

    def __new__(cls, text: str, q: str = "'"):
        obj = super().__new__(cls, text)
        obj.q = q
        return obj


def build(*items) -> etree._Element:
    """A codec tree from Python values: list -> <l>, str -> <a>, S -> <s>."""
    root = etree.Element("sexpr")
    stack = [(root, list(items))]
    while stack:
        parent, values = stack.pop()
        for value in values:
            if isinstance(value, list):
                child = etree.SubElement(parent, "l")
                stack.append((child, value))
            elif isinstance(value, S):
                child = etree.SubElement(parent, "s")
                child.text = str(value)
                if value.q == '"':
                    child.set("q", '"')
            else:
                etree.SubElement(parent, "a").text = value
    return root


def shape(el: etree._Element):
    """A tree as nested tuples, for comparisons with readable diffs.

    Fails on anything a codec tree must not hold (stray text, unknown tags,
    attributes other than q='"' on <s>).
    """
    assert not (el.tail or "").strip(), f"tail text {el.tail!r}"
    if el.tag in ("sexpr", "l"):
        assert el.text is None and not el.attrib, (el.tag, el.text, dict(el.attrib))
        return (el.tag, [shape(c) for c in el])
    assert el.tag in ("a", "s") and len(el) == 0, el.tag
    if el.tag == "a":
        assert not el.attrib
        return ("a", el.text or "")
    assert dict(el.attrib) in ({}, {"q": '"'}), dict(el.attrib)
    return ("s", el.text or "", el.get("q", "'"))


def items(text: str, **kw):
    """The top-level items read from text, as shapes."""
    return shape(read_sexpr(text, **kw))[1]


def A(text):
    return ("a", text)


def Q(text, q="'"):
    return ("s", text, q)


def L(*children):
    return ("l", list(children))


def lines(root):
    return [(el.tag, el.text, el.sourceline) for el in root.iter()]


def parse_error(text: str, **kw) -> ParseError:
    with pytest.raises(ParseError) as info:
        read_sexpr(text, **kw)
    return info.value


# --- reading: syntax features ----------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", []),
        ("  \n\t ", []),
        ("a", [A("a")]),
        ("()", [L()]),
        ("(vm (name 'fvtest')(memory 400))",
         [L(A("vm"), L(A("name"), Q("fvtest")), L(A("memory"), A("400")))]),
        ('(name "fv test")', [L(A("name"), Q("fv test", '"'))]),
        ("(a)(b) c", [L(A("a")), L(A("b")), A("c")]),
        ("''", [Q("")]),
        ('""', [Q("", '"')]),
        ("'a b (c) # d'", [Q("a b (c) # d")]),
        ("'it''s'", [Q("it"), Q("s")]),
        ("it's", [A("it's")]),  # a quote inside an atom belongs to the atom
        ("(x it's 'y')", [L(A("x"), A("it's"), Q("y"))]),
        ("'x'y", [Q("x"), A("y")]),
        ("'x'y'z'", [Q("x"), A("y'z'")]),
        ("0'''", [A("0'''")]),
        ("'a''b' 'c'", [Q("a"), Q("b"), Q("c")]),
        ("a;b", [A("a"), A(";b")]),  # separators end an atom and start the next
        ("{x}", [A("{x"), A("}")]),
        ("[a]<b>!c", [A("[a"), A("]"), A("<b"), A(">"), A("!c")]),
        ("a(b)c", [A("a"), L(A("b")), A("c")]),
        ("a&b", [A("a&b")]),
        ("café", [A("café")]),
        ("(uuid 4f77abd2-3019)(cpu_weight 1.0)(display localhost:10.0)",
         [L(A("uuid"), A("4f77abd2-3019")), L(A("cpu_weight"), A("1.0")),
          L(A("display"), A("localhost:10.0"))]),
        ("(a\\b c\\)", [L(A("a\\b"), A("c\\"))]),  # no escapes in atoms
        ("'<&>'", [Q("<&>")]),
        ("'é ü 日本'", [Q("é ü 日本")]),
        ("\"it's\"", [Q("it's", '"')]),
        ("'say \"hi\"'", [Q('say "hi"')]),
    ],
)
def test_read(text, expected):
    assert items(text) == expected
    assert shape(_read_tokens(text, None, False, None, 256))[1] == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("# a comment\n(a)", [L(A("a"))]),
        ("(a # comment ) (\nb)", [L(A("a"), A("b"))]),
        ("a#b", [A("a")]),
        ("(a) # no newline at the end", [L(A("a"))]),
        ("'#not a comment'", [Q("#not a comment")]),
        ("#\n#\n", []),
    ],
)
def test_comments(text, expected):
    assert items(text) == expected


@pytest.mark.parametrize(
    "body, value",
    [
        (r"\\", "\\"),
        (r"\'", "'"),
        (r"\"", '"'),
        (r"\t", "\t"),
        (r"\n", "\n"),
        (r"\r", "\r"),
        (r"a\x41b", "aAb"),
        (r"\x9", "\t"),
        (r"\101\60", "A0"),
        (r"\0111", "\t1"),  # at most three octal digits
        (r"caf\xc3\xa9", "café"),  # byte escapes that form UTF-8 (xend's repr of UTF-8 text)
        (r"caf\xe9", "café"),  # otherwise Latin-1
        (r"\303\251", "é"),
        (r"\q\(", "\\q\\("),  # unknown escapes are kept as written
        ("a\\\nb", "a\\\nb"),
    ],
)
def test_escapes(body, value):
    assert items(f"'{body}'") == [Q(value)]
    assert items(f'"{body}"') == [Q(value, '"')]


def test_crlf():
    root = read_sexpr("(a\r\n b\r\n 'x\r\ny')\r\n(c)")
    assert shape(root)[1] == [L(A("a"), A("b"), Q("x\r\ny")), L(A("c"))]
    assert [el.sourceline for el in root.iter("a", "s")] == [1, 2, 3, 5]


def test_sourceline():
    text = "(domain\n    (domid 5)\n\n    (args 'a\nb' 'c\\nd')\n    (name x))\n(second)"
    root = read_sexpr(text)
    assert lines(root) == [
        ("sexpr", None, 1),
        ("l", None, 1), ("a", "domain", 1),
        ("l", None, 2), ("a", "domid", 2), ("a", "5", 2),
        ("l", None, 4), ("a", "args", 4), ("s", "a\nb", 4), ("s", "c\nd", 5),
        ("l", None, 6), ("a", "name", 6), ("a", "x", 6),
        ("l", None, 7), ("a", "second", 7),
    ]


def test_sourceline_beyond_65535():
    root = read_sexpr("\n" * 70000 + "(a)")
    assert root[0].sourceline == 70001


def test_sourceline_after_comment_and_escapes():
    root = read_sexpr("# one\n# two\n('x\\x41\\n' # three\n y)")
    assert [(el.tag, el.sourceline) for el in root.iter()] == [
        ("sexpr", 1), ("l", 3), ("s", 3), ("a", 4),
    ]


# --- reading: errors ---------------------------------------------------------


@pytest.mark.parametrize(
    "text, line, col, message",
    [
        ("(a 'b", 1, 4, "unterminated string"),
        ('(a\n  "b', 2, 3, "unterminated string"),
        ("'ab\\'", 1, 1, "unterminated string"),
        ("(a))", 1, 4, "')' without a matching '('"),
        (")", 1, 1, "')' without a matching '('"),
        ("(a\n (b)", 1, 1, "'(' is never closed"),
        ("(a (b", 1, 4, "'(' is never closed (2 lists open"),
        ("(a \x01)", 1, 4, "invalid character U+0001"),
        ("(name\n  élan)", 2, 3, "invalid character U+00E9 'é'"),
        ("(a\x01b)", 1, 3, "atom contains U+0001"),
        ("('a\x02')", 1, 4, "string contains U+0002"),
        ("('ab\\x')", 1, 5, "invalid escape '\\x'"),
        ("(\n'\\x4\\400')", 2, 5, "octal escape '\\400' is out of range"),
        ("'\\a'", 1, 2, "escape contains U+0007"),
        ("'\\f'", 1, 2, "escape contains U+000C"),
        ("'ok' '\\x00'", 1, 7, "escape contains U+0000"),
        ("(a)\x00", 1, 4, "invalid character U+0000"),
    ],
)
def test_parse_errors(text, line, col, message):
    err = parse_error(text, filename="dom.sexpr")
    assert (err.file, err.line, err.col) == ("dom.sexpr", line, col), err.format()
    assert message in err.message
    assert err.format().startswith(f"dom.sexpr:{line}:{col}: error: ")


def test_nul_in_comment_is_fine():
    assert items("# \x00\n(a)") == [L(A("a"))]


def test_first_error_wins():
    err = parse_error("(a))\n('\\400')")
    assert (err.line, err.col) == (1, 4)


def test_only_str_is_read():
    with pytest.raises(TypeError):
        read_sexpr(b"(a)")


# --- reading: nesting limit -----------------------------------------------------


def test_max_depth():
    assert items("((a))", max_depth=2) == [L(L(A("a")))]
    with pytest.raises(LimitError) as info:
        read_sexpr("(\n (x (a)))", max_depth=2)
    assert (info.value.line, info.value.col) == (2, 5)
    with pytest.raises(LimitError):
        read_sexpr("(a)", max_depth=0)
    assert items("a 'b'", max_depth=0) == [A("a"), Q("b")]


def test_max_depth_limit():
    deep = "(" * MAX_DEPTH_LIMIT + ")" * MAX_DEPTH_LIMIT
    root = read_sexpr(deep, max_depth=MAX_DEPTH_LIMIT)
    assert len(list(root.iter("l"))) == MAX_DEPTH_LIMIT
    # the writer does not recurse either
    assert write_sexpr(root) == deep
    assert write_sexpr(read_sexpr(write_sexpr(root, pretty=True), max_depth=MAX_DEPTH_LIMIT)) == deep
    with pytest.raises(ValueError):
        read_sexpr("a", max_depth=MAX_DEPTH_LIMIT + 1)


@pytest.mark.parametrize(
    "text",
    ["(" * 100_000, "(" * 100_000 + ")" * 100_000, "(a " * 100_000],
    ids=["open", "balanced", "atoms"],
)
def test_deep_nesting_is_a_fast_limit_error(text):
    start = time.perf_counter()
    with pytest.raises(LimitError) as info:
        read_sexpr(text, recover=True)
    assert time.perf_counter() - start < 2.0
    assert info.value.line == 1 and info.value.col in (257, 3 * 256 + 1)


# --- reading: recovery -------------------------------------------------------


def test_recover_missing_close():
    diagnostics: list = []
    root = read_sexpr("(vm (name 'x')\n(memory 4)", recover=True, diagnostics=diagnostics)
    assert shape(root)[1] == [L(A("vm"), L(A("name"), Q("x")), L(A("memory"), A("4")))]
    assert [(d.line, d.col) for d in diagnostics] == [(1, 1)]
    assert all(isinstance(d, ParseError) for d in diagnostics)
    assert "missing ')'" in diagnostics[0].message


def test_recover_two_missing_closes():
    diagnostics: list = []
    assert items("(a (b", recover=True, diagnostics=diagnostics) == [L(A("a"), L(A("b")))]
    assert [(d.line, d.col) for d in diagnostics] == [(1, 4), (1, 1)]


def test_recover_extra_close():
    diagnostics: list = []
    assert items("(a (b)))\n)", recover=True, diagnostics=diagnostics) == [L(A("a"), L(A("b")))]
    assert [(d.line, d.col) for d in diagnostics] == [(1, 8), (2, 1)]
    assert "ignored ')'" in diagnostics[0].message


def test_recover_without_diagnostics_list():
    assert items("(a", recover=True) == [L(A("a"))]


def test_recover_is_limited():
    # A ')' before any complete item is not the tolerated damage.
    assert parse_error(")(a)", recover=True).col == 1
    # Other errors still raise.
    assert "unterminated" in parse_error("(a 'b", recover=True).message


def test_no_repair_no_diagnostics():
    diagnostics: list = []
    read_sexpr("(a)", recover=True, diagnostics=diagnostics)
    assert diagnostics == []


# --- writing -----------------------------------------------------------------


@pytest.mark.parametrize(
    "tree, compact",
    [
        (build(["vm", ["name", S("fvtest")], ["memory", "400"], ["image", ["hvm", ["boot", "c"]]]]),
         "(vm (name 'fvtest')(memory 400)(image (hvm (boot c))))"),
        (build(["a", "b", "c"]), "(a b c)"),
        (build(["a", ["b"], ["c"], "d", ["e"]]), "(a (b)(c) d (e))"),
        (build([["a"], ["b"]]), "((a) (b))"),
        (build([]), "()"),
        (build(["cpus", [[]]]), "(cpus (()))"),
        (build(["a"], "b", S("c")), "(a)\nb\n'c'"),
        (build(), ""),
        (build(S("a'b\\c")), r"'a\'b\\c'"),
        (build(S('a"b\'c', '"')), r'"a\"b' + "'c\""),
        (build(S("")), "''"),
        (build(S("", '"')), '""'),
        (build(S("line\nbreak\ttab")), "'line\nbreak\ttab'"),
        (build("a b", "", "#x", "a;b", "it's", "'q", "é", "café", "a\\b", "x(y"),
         "'a b'\n''\n'#x'\n'a;b'\nit's\n'\\'q'\n'é'\ncafé\na\\b\n'x(y'"),
    ],
)
def test_write_compact(tree, compact):
    assert write_sexpr(tree) == compact


def test_write_accepts_element_tree_and_single_items():
    tree = build(["a", S("b")])
    assert write_sexpr(etree.ElementTree(tree)) == "(a 'b')"
    assert write_sexpr(tree[0]) == "(a 'b')"
    assert write_sexpr(tree[0][1]) == "'b'"


def test_write_accepts_xslt_style_trees():
    tree = etree.fromstring(
        "<sexpr>\n  <l>\n    <a>vm</a><!-- c -->\n    <l><a>name</a><s/></l>\n"
        "    <l><a/><s q='\"'/></l>\n  </l>\n</sexpr>"
    )
    assert write_sexpr(tree) == "(vm (name '')('' \"\"))"


@pytest.mark.parametrize(
    "xml",
    [
        "<sexpr><x/></sexpr>",
        "<sexpr><l>text<a>b</a></l></sexpr>",
        "<sexpr><l><a>b</a>tail</l></sexpr>",
        "<sexpr><a><l/></a></sexpr>",
        "<domain/>",
    ],
)
def test_write_rejects_other_trees(xml):
    with pytest.raises(ValueError):
        write_sexpr(etree.fromstring(xml))


def test_is_bare_atom():
    for text in ("400", "tap:aio:/x", "{x", "it's", "café"):
        assert is_bare_atom(text), text
    for text in (None, "", "a b", "'a", '"a', "#a", "(", "a)", "a;b", "é", "a\tb"):
        assert not is_bare_atom(text), text


PRETTY = """\
(domain
    (domid 5)
    (features)
    (image
        (linux
            (kernel /var/lib/xen/vmlinuz.blj7cs)
            (args 'ro root=/dev/VolGroup00/LogVol00 rhgb quiet')
        )
    )
    (device (vkbd (backend 0)))
    ()
)
(x y)
"""


def test_write_pretty():
    root = read_sexpr(PRETTY)
    assert write_sexpr(root, pretty=True) == PRETTY
    assert write_sexpr(root) == (
        "(domain (domid 5)(features)(image (linux (kernel /var/lib/xen/vmlinuz.blj7cs)"
        "(args 'ro root=/dev/VolGroup00/LogVol00 rhgb quiet')))(device (vkbd (backend 0)))())\n(x y)"
    )


def test_write_pretty_width():
    # A list is flat when it ends at column 80 or before (xend's PrettyPrint).
    fits = build(["k", "x" * 76])
    assert write_sexpr(fits, pretty=True) == "(k " + "x" * 76 + ")\n"
    too_long = build(["k", "x" * 77])
    assert write_sexpr(too_long, pretty=True) == "(k\n    " + "x" * 77 + "\n)\n"
    nested = build(["top", ["k", "x" * 72]])  # (k ...) at column 4 ends at column 80
    assert write_sexpr(nested, pretty=True) == "(top\n    (k " + "x" * 72 + ")\n)\n"
    nested = build(["top", ["k", "x" * 73]])
    assert write_sexpr(nested, pretty=True) == "(top\n    (k\n        " + "x" * 73 + "\n    )\n)\n"
    # A first item that is a list starts right after '(' and indents from there.
    first = build([["k", "x" * 80], "y"])
    assert write_sexpr(first, pretty=True) == "((k\n     " + "x" * 80 + "\n )\n    y\n)\n"


# --- round trips (properties) -------------------------------------------------

# Text an XML tree can hold, biased towards the characters that matter to the syntax.
_NOT_XML = [chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"] + ["\ufffe", "\uffff"]
xml_chars = st.one_of(
    st.sampled_from(list("'\"\\() \n\t\r#;{}[]<>!&aZ09é日")),
    st.characters(blacklist_categories=("Cs",), blacklist_characters=_NOT_XML),
)
xml_text = st.text(xml_chars, max_size=12)
bare_atoms = st.from_regex(r"\A[a-z0-9_:./{}-][a-z0-9_:./'é\"-]{0,8}\Z").filter(is_bare_atom)


def _trees(atom_texts):
    leaf = st.one_of(
        atom_texts.map(lambda t: t),
        st.tuples(xml_text, st.sampled_from(["'", '"'])).map(lambda p: S(*p)),
    )
    item = st.recursive(leaf, lambda kids: st.lists(kids, max_size=5), max_leaves=25)
    return st.lists(item, max_size=3).map(lambda values: build(*values))


trees = _trees(xml_text)  # any tree: atoms may need quoting
read_trees = _trees(bare_atoms)  # trees the reader can produce


def normalized(tree):
    """What reading the written tree gives: atoms that cannot be bare become strings."""
    root = etree.fromstring(etree.tostring(tree))
    for el in root.iter("a", "s"):
        q = el.get("q")
        el.attrib.clear()
        if el.tag == "a" and not is_bare_atom(el.text):
            el.tag = "s"
        if el.tag == "s" and q == '"':
            el.set("q", '"')
    return root


@given(trees)
def test_write_then_read(tree):
    for pretty in (False, True):
        text = write_sexpr(tree, pretty=pretty)
        again = read_sexpr(text)
        assert shape(again) == shape(normalized(tree))
        assert write_sexpr(again, pretty=pretty) == text  # byte-exact on its own output


@given(read_trees)
def test_read_trees_round_trip_exactly(tree):
    for pretty in (False, True):
        assert shape(read_sexpr(write_sexpr(tree, pretty=pretty))) == shape(tree)


# Text soup: the fast reader and the token-by-token reader must agree on the
# tree, the lines, and the first error.
soup = st.text(st.sampled_from(list("()()  \n\t\r'\"\\#;{ab0éx\x01")), max_size=40)


def _outcome(read):
    try:
        root = read()
    except ParseError as err:
        return (type(err).__name__, err.line, err.col, err.message)
    return (shape(root), [el.sourceline for el in root.iter()])


@given(soup, st.booleans())
def test_fast_reader_agrees_with_token_reader(text, recover):
    fast = _outcome(lambda: read_sexpr(text, recover=recover))
    tokens = _outcome(lambda: _read_tokens(text, None, recover, None, 256))
    assert fast == tokens


@given(read_trees)
def test_fast_reader_agrees_on_written_text(tree):
    for pretty in (False, True):
        text = write_sexpr(tree, pretty=pretty)
        tokens = _outcome(lambda: _read_tokens(text, None, False, None, 256))
        assert _outcome(lambda: read_sexpr(text)) == tokens


# --- differential test against sexpdata (double-quoted input only) -------------

# sexpdata reads 'x' as a Lisp quote, so it is an oracle only for "..." strings;
# its symbols must not look like numbers, nil or t.
symbols = st.from_regex(r"\A[a-zA-Z_/:.-][a-zA-Z0-9_/:.-]{0,6}\Z").filter(
    lambda s: s not in ("nil", "t") and not _is_number(s)
)
dq_chars = st.one_of(
    st.sampled_from(list("\"\\ ()'#;\n\tx")), st.characters(blacklist_categories=("Cs", "Cc"))
)


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def _dq_text(value: str, escape_controls: bool) -> str:
    body = value.replace("\\", "\\\\").replace('"', '\\"')
    if escape_controls:
        body = body.replace("\n", "\\n").replace("\t", "\\t")
    return '"' + body + '"'


@st.composite
def dq_documents(draw):
    """(text, expected shapes) of S-expressions with symbols and "strings"."""

    def item(depth):
        kind = draw(st.sampled_from(["sym", "str", "list"] if depth < 4 else ["sym", "str"]))
        if kind == "sym":
            s = draw(symbols)
            return s, A(s)
        if kind == "str":
            value = draw(st.text(dq_chars, max_size=10))
            return _dq_text(value, draw(st.booleans())), Q(value, '"')
        children = [item(depth + 1) for _ in range(draw(st.integers(0, 4)))]
        sep = draw(st.sampled_from([" ", "\n  ", "\t"]))
        return "(" + sep.join(t for t, _ in children) + ")", L(*(e for _, e in children))

    parts = [item(0) for _ in range(draw(st.integers(1, 3)))]
    return " ".join(t for t, _ in parts), [e for _, e in parts]


def _from_sexpdata(value):
    if isinstance(value, list):
        return L(*map(_from_sexpdata, value))
    if isinstance(value, sexpdata.Symbol):
        return A(str(value))
    assert isinstance(value, str), value
    return Q(value, '"')


@given(dq_documents())
def test_agrees_with_sexpdata(document):
    text, expected = document
    assert [_from_sexpdata(v) for v in sexpdata.parse(text, nil=None, true=None)] == expected
    assert items(text) == expected


# --- the libvirt corpus ---------------------------------------------------------

UNBALANCED = {  # inputs xend/libvirt accepted anyway (corpus README)
    "sexpr2xml-net-routed.sexpr": "missing ')'",
    "sexpr2xml-bridge-ipaddr.sexpr": "missing ')'",
    "sexpr2xml-pv-vfb-new.sexpr": "ignored ')'",
    "sexpr2xml-pv-vfb-new-vncdisplay.sexpr": "ignored ')'",
}
XEND_DUMPS = ["curmem", "no-source-cdrom", "fv-autoport", "fv-legacy-vfb"]


def _corpus_texts(root):
    files = sorted(root.glob("*/*.sexpr"))
    assert len(files) > 100
    # The harness deletes every backslash-newline before use (corpus README).
    return [(f, f.read_text(encoding="utf-8").replace("\\\n", "")) for f in files]


def test_corpus_reads_and_round_trips(libvirt_corpus):
    for path, text in _corpus_texts(libvirt_corpus):
        diagnostics: list = []
        if path.name in UNBALANCED:
            with pytest.raises(ParseError):
                read_sexpr(text, filename=path.name)
            tree = read_sexpr(text, filename=path.name, recover=True, diagnostics=diagnostics)
            assert len(diagnostics) == 1 and UNBALANCED[path.name] in diagnostics[0].message, path.name
            assert diagnostics[0].file == path.name
        else:
            tree = read_sexpr(text, filename=path.name)
        expected = _outcome(lambda: _read_tokens(text, None, True, None, 256))
        assert _outcome(lambda: tree) == expected, path.name
        for pretty in (False, True):
            written = write_sexpr(tree, pretty=pretty)
            assert shape(read_sexpr(written)) == shape(tree), path.name
            assert write_sexpr(read_sexpr(written), pretty=pretty) == written, path.name


def test_corpus_libvirt_output_is_reproduced_byte_for_byte(libvirt_corpus):
    texts = [(p, t) for p, t in _corpus_texts(libvirt_corpus) if p.parent.name == "xml2sexpr"]
    assert len(texts) > 50
    for path, text in texts:
        # Expected files may end in a newline or not (corpus README).
        assert write_sexpr(read_sexpr(text)) == text.rstrip("\n"), path.name


@pytest.mark.parametrize("name", XEND_DUMPS)
def test_corpus_xend_dumps_are_reproduced_by_pretty(libvirt_corpus, name):
    text = (libvirt_corpus / "sexpr2xml" / f"sexpr2xml-{name}.sexpr").read_text(encoding="utf-8")
    # xend printed an empty atom as nothing: "(features )"; it reads as "(features)".
    assert write_sexpr(read_sexpr(text), pretty=True) == re.sub(r"\((\w+) \)", r"(\1)", text)


def test_corpus_escapes_and_lines(libvirt_corpus):
    text = (libvirt_corpus / "xml2sexpr" / "xml2sexpr-escape.sexpr").read_text(encoding="utf-8")
    root = read_sexpr(text.replace("\\\n", ""))
    assert root.xpath("string(//l[a='uname']/s)") == "file:/root/'\\some.img"
    assert 'version="devel"' in root.xpath("string(//l[*[1]='args']/*[2])")
    curmem = libvirt_corpus / "sexpr2xml" / "sexpr2xml-curmem.sexpr"
    dump = read_sexpr(curmem.read_text(encoding="utf-8"))
    assert [(el.sourceline, el[1].text) for el in dump.xpath("//l[a='domid' or a='mac']")] == [
        (2, "5"), (31, "00:16:3e:1d:06:15"),
    ]
    assert math.isclose(float(dump.xpath("string(//l[*[1]='cpu_time']/*[2])")), 137.189121425)

"""Encodings: UTF-8 with or without a byte order mark, XML's declared encodings (UTF-16 too),
SEXPR as UTF-8; invalid bytes are a clear error naming the byte offset, line and column."""

from __future__ import annotations

import codecs

import pytest

import xlate
from xlate import cli
from xlate.errors import ParseError

NAME = "caf\u00e9-\u65e5\u672c"  # é and two CJK characters: not Latin-1
XML = f"<domain type='xen'><name>{NAME}</name><memory>524288</memory><os><type>linux</type></os></domain>"
SEXPR = f"(vm (name '{NAME}') (memory 512) (image (linux (kernel /boot/vmlinuz))))"


def _name_in(output: str) -> bool:
    return NAME in output


def _decl(encoding: str) -> str:
    return f"<?xml version='1.0' encoding='{encoding}'?>\n"


@pytest.mark.parametrize(
    "data",
    [
        XML.encode("utf-8"),
        codecs.BOM_UTF8 + XML.encode("utf-8"),
        (_decl("UTF-8") + XML).encode("utf-8"),
        codecs.BOM_UTF8 + (_decl("utf-8") + XML).encode("utf-8"),
        (_decl("UTF-16") + XML).encode("utf-16"),  # with a BOM, native order
        codecs.BOM_UTF16_BE + (_decl("UTF-16") + XML).encode("utf-16-be"),
        (_decl("UTF-16") + XML).encode("utf-16-le"),  # no BOM: told by the first bytes
        (_decl("UTF-16BE") + XML).encode("utf-16-be"),
        codecs.BOM_UTF16_LE + XML.encode("utf-16-le"),  # a BOM and no declaration
    ],
    ids=["utf8", "utf8-bom", "utf8-decl", "utf8-bom-decl", "utf16-bom", "utf16be-bom", "utf16le-nobom",
         "utf16be-decl", "utf16le-bom-nodecl"],
)
def test_xml_in_unicode_encodings(data):
    assert xlate.detect(data) == "core"
    for to in ("core", "xen", "sexpr"):
        assert _name_in(xlate.convert(data, to=to).output)


@pytest.mark.parametrize("encoding", ["ISO-8859-1", "windows-1252", "US-ASCII"])
def test_xml_in_declared_single_byte_encodings(encoding):
    text = XML.replace(NAME, "caf\u00e9" if encoding != "US-ASCII" else "cafe")
    data = (_decl(encoding) + text).encode(encoding)
    out = xlate.convert(data, to="xen").output
    assert ("caf\u00e9" if encoding != "US-ASCII" else "cafe") in out
    assert "encoding" not in out  # the output is UTF-8, without a declaration
    out.encode("utf-8")


@pytest.mark.parametrize("data", [SEXPR.encode("utf-8"), codecs.BOM_UTF8 + SEXPR.encode("utf-8")],
                         ids=["utf8", "utf8-bom"])
def test_sexpr_is_utf8_with_or_without_bom(data):
    assert xlate.detect(data) == "sexpr"
    for to in ("core", "xen", "sexpr"):
        assert _name_in(xlate.convert(data, to=to).output)


def test_outputs_are_utf8():
    data = (_decl("UTF-16") + XML).encode("utf-16")
    for to in ("core", "xen", "sexpr"):
        raw = xlate.convert(data, to=to).data
        assert NAME.encode("utf-8") in raw


def _error(data: bytes, **kw) -> ParseError:
    with pytest.raises(ParseError) as info:
        xlate.convert(data, to="xen", file="g", **kw)
    return info.value


def test_invalid_utf8_in_xml_names_the_byte_offset():
    data = XML.encode("utf-8").replace(b"<memory>", b"\n  <memory \xff>")
    offset = data.index(b"\xff")
    err = _error(data)
    assert err.message == f"invalid UTF-8 at byte offset {offset}: byte 0xFF (invalid start byte)"
    line_start = data.rindex(b"\n", 0, offset) + 1
    assert (err.line, err.col) == (2, offset - line_start + 1)
    assert err.format().startswith(f"g:2:{offset - line_start + 1}: error: invalid UTF-8 at byte offset")


def test_invalid_utf8_column_counts_characters():
    data = codecs.BOM_UTF8 + "<domain><name>\u65e5\u672c".encode("utf-8") + b"\xc3\x28</name></domain>"
    err = _error(data)
    offset = data.index(bytes([0xC3, 0x28]))
    assert err.message.startswith(f"invalid UTF-8 at byte offset {offset}: byte 0xC3")
    assert (err.line, err.col) == (1, len("<domain><name>") + 3)


def test_truncated_utf8_sequence():
    data = XML.encode("utf-8")[:-1] + b"\xe6\x97"
    err = _error(data)
    assert f"byte offset {len(data) - 2}" in err.message
    assert "unexpected end of data" in err.message


def test_invalid_bytes_in_a_declared_encoding():
    data = (_decl("US-ASCII") + XML.replace(NAME, "cafe")).encode("ascii").replace(b"cafe", b"caf\xe9")
    err = _error(data)
    offset = data.index(bytes([0xE9]))
    assert err.message.startswith(f"invalid US-ASCII at byte offset {offset}: byte 0xE9")
    assert err.line == 2


def test_unpaired_utf16_surrogate():
    good = (_decl("UTF-16") + XML).encode("utf-16-le")
    at = good.index("caf".encode("utf-16-le"))
    data = codecs.BOM_UTF16_LE + good[:at] + b"\x00\xd8" + good[at:]
    err = _error(data)
    assert err.message == f"invalid UTF-16 at byte offset {at + 2}: bytes 0x00 0xD8 (illegal UTF-16 surrogate)"
    assert err.line == 2


def test_odd_length_utf16():
    data = (_decl("UTF-16") + XML).encode("utf-16") + b"<"
    err = _error(data)
    assert f"byte offset {len(data) - 1}" in err.message and "truncated data" in err.message


def test_declared_two_byte_encoding_in_one_byte_text():
    err = _error((_decl("UTF-16") + XML).encode("utf-8"))
    assert err.message == "the document declares encoding UTF-16 but is not written in it"
    assert (err.file, err.line) == ("g", 1)


def test_unsupported_encoding():
    err = _error((_decl("x-no-such-encoding") + XML).encode("utf-8"))
    assert err.message == "unsupported encoding 'x-no-such-encoding'"


def test_invalid_utf8_in_sexpr_names_the_byte_offset():
    data = codecs.BOM_UTF8 + b"(vm\n  (name caf\xe9))"
    err = _error(data)
    offset = data.index(b"\xe9")
    assert err.message == f"invalid UTF-8 at byte offset {offset}: byte 0xE9 (invalid continuation byte)"
    assert (err.line, err.col) == (2, len("  (name caf") + 1)


def test_sexpr_in_utf16_is_refused_clearly():
    data = SEXPR.encode("utf-16")
    with pytest.raises(xlate.XlateError):
        xlate.convert(data, to="xen")


def test_str_with_an_unpaired_surrogate():
    for text, src in ((XML.replace("caf", "caf\ud800"), "core"), (SEXPR.replace("caf", "caf\ud800"), "sexpr")):
        with pytest.raises(ParseError, match=r"unpaired surrogate U\+D800 at character offset \d+"):
            xlate.convert(text, to="xen", src=src)
        with pytest.raises(ParseError, match="unpaired surrogate"):
            xlate.detect(text)


def test_str_input_ignores_its_encoding_declaration():
    text = _decl("UTF-16") + XML
    assert _name_in(xlate.convert(text, to="xen").output)


def test_cli_reports_invalid_bytes_in_one_line(tmp_path, capsys):
    path = tmp_path / "bad.xml"
    data = XML.encode("utf-8").replace(b"<memory>", b"<memory>\x80")
    path.write_bytes(data)
    assert cli.main(["convert", "--to", "core", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    offset = data.index(b"\x80")
    col = len(data[:offset].decode("utf-8")) + 1  # columns count characters
    assert captured.err == (f"{path}:1:{col}: error: invalid UTF-8 at byte offset {offset}: "
                            "byte 0x80 (invalid start byte)\n")

"""Hostile XML is harmless: no DTDs or entities, no network, no XInclude, bounded work."""

from __future__ import annotations

import socket
import threading
import time

import pytest
from lxml import etree

from xlate import xmlio
from xlate.context import Context
from xlate.errors import LimitError, ParseError, UnsafeInputError


def test_well_formed_document_parses_without_blank_text():
    tree = xmlio.parse_xml(b"<domain type='xen'>\n  <name>a</name>\n</domain>")
    assert tree.getroot()[0].tail is None
    assert tree.getroot()[0].sourceline == 2


def test_syntax_error_has_line_and_column():
    with pytest.raises(ParseError) as info:
        xmlio.parse_xml(b"<domain>\n  <name>x</nam>\n</domain>", file="g.xml")
    err = info.value
    assert (err.file, err.line, err.col) == ("g.xml", 2, 16)
    assert err.format().startswith("g.xml:2:16: error: ")
    assert not err.message.endswith("column 16")  # the position is printed once, by format()


def test_str_input_with_encoding_declaration():
    tree = xmlio.parse_xml("<?xml version='1.0' encoding='ISO-8859-1'?><name>é</name>")
    assert tree.getroot().text == "é"


def test_utf16_bytes_with_declaration():
    data = "<?xml version='1.0' encoding='UTF-16'?><name>ü</name>".encode("utf-16")
    assert xmlio.parse_xml(data).getroot().text == "ü"


@pytest.mark.parametrize(
    "doc",
    [
        b'<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><domain>&x;</domain>',
        b'<!DOCTYPE d SYSTEM "file:///etc/passwd"><domain/>',
        b'<!DOCTYPE d [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><domain/>',
        b"<!DOCTYPE domain><domain/>",
    ],
    ids=["xxe-file", "external-dtd", "parameter-entity", "plain-doctype"],
)
def test_doctype_is_refused(doc):
    with pytest.raises(UnsafeInputError, match="DOCTYPE"):
        xmlio.parse_xml(doc)


def _listener():
    """A loopback socket that counts connection attempts."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    hits = []

    def serve():
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            hits.append(1)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return server, thread, hits


def test_xxe_over_network_fetches_nothing():
    server, thread, hits = _listener()
    port = server.getsockname()[1]
    doc = (
        f'<!DOCTYPE d [<!ENTITY x SYSTEM "http://127.0.0.1:{port}/x">]><domain>&x;</domain>'
    ).encode()
    with pytest.raises(UnsafeInputError):
        xmlio.parse_xml(doc)
    dtd = f'<!DOCTYPE d SYSTEM "http://127.0.0.1:{port}/d.dtd"><domain/>'.encode()
    with pytest.raises(UnsafeInputError):
        xmlio.parse_xml(dtd)
    thread.join()
    server.close()
    assert hits == []


def test_billion_laughs_is_refused_fast():
    levels = ['<!ENTITY a0 "lol">'] + [
        f'<!ENTITY a{i} "{"".join(f"&a{i-1};" for _ in range(10))}">' for i in range(1, 10)
    ]
    doc = f'<!DOCTYPE l [{"".join(levels)}]><l>&a9;</l>'.encode()
    start = time.perf_counter()
    with pytest.raises(UnsafeInputError):
        xmlio.parse_xml(doc)
    assert time.perf_counter() - start < 1.0


def test_quadratic_blowup_is_refused_fast():
    entity = "x" * 100_000
    doc = f'<!DOCTYPE q [<!ENTITY e "{entity}">]><q>{"&e;" * 20_000}</q>'.encode()
    start = time.perf_counter()
    with pytest.raises(UnsafeInputError):
        xmlio.parse_xml(doc)
    assert time.perf_counter() - start < 1.0


def test_deep_nesting_is_a_limit_error():
    doc = b"<a>" * 100_000 + b"</a>" * 100_000
    start = time.perf_counter()
    with pytest.raises(LimitError, match="nested deeper"):
        xmlio.parse_xml(doc)
    assert time.perf_counter() - start < 1.0


def test_oversized_input_is_a_limit_error():
    with pytest.raises(LimitError, match="over the limit"):
        xmlio.parse_xml(b"<a>" + b" " * 100 + b"</a>", max_bytes=50)


def test_xinclude_is_not_processed():
    doc = (
        b'<domain xmlns:xi="http://www.w3.org/2001/XInclude">'
        b'<xi:include href="/etc/passwd" parse="text"/></domain>'
    )
    tree = xmlio.parse_xml(doc)
    assert b"root:" not in etree.tostring(tree)


def test_stylesheets_cannot_read_files(tmp_path, monkeypatch):
    secret = tmp_path / "secret.txt"
    secret.write_text("<s>top secret</s>")
    (tmp_path / "steal.xsl").write_text(
        '<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
        f'<xsl:template match="/"><out><xsl:copy-of select="document(\'{secret.as_uri()}\')"/></out>'
        "</xsl:template></xsl:stylesheet>"
    )
    monkeypatch.setattr(xmlio, "XSLT_DIR", tmp_path)
    monkeypatch.setattr(xmlio, "_STYLESHEETS", {})
    tree = xmlio.parse_xml(b"<domain/>")
    try:
        result = xmlio.run_stylesheet("steal.xsl", tree, Context())
    except Exception as exc:  # denied: libxslt reports the access violation
        assert "top secret" not in str(exc)
    else:
        assert b"top secret" not in etree.tostring(result)


def test_stylesheet_names_are_plain_file_names():
    with pytest.raises(ValueError):
        xmlio.stylesheet("../../etc/passwd")


def test_serialize_declares_xen_namespace_once_on_the_root():
    tree = xmlio.parse_xml(
        b'<domain><devices><interface xmlns:xen="urn:xlate:xen:1">'
        b"<xen:backend>1</xen:backend></interface></devices></domain>"
    )
    out = xmlio.serialize_xml(tree).decode()
    assert out.startswith('<domain xmlns:xen="urn:xlate:xen:1">')
    assert out.count("xmlns:xen") == 1
    assert out.endswith("</domain>\n")


@pytest.mark.parametrize(
    "doc",
    [
        b'<?xml version="1.0"?>\n<!-- a comment <with/> an element -->\n<?pi x?><!DOCTYPE d [<!ENTITY x "y">]><d>&x;</d>',
        "<!DOCTYPE d><d/>".encode("utf-16"),
        "<?xml version='1.0' encoding='UTF-16'?><!DOCTYPE d><d/>".encode("utf-16-be"),
        "<!DOCTYPE d><d/>".encode("utf-32"),
        b"\xef\xbb\xbf  <!DOCTYPE d><d/>",
    ],
    ids=["after-comment-and-pi", "utf16", "utf16be-no-bom", "utf32", "utf8-bom"],
)
def test_doctype_is_refused_wherever_the_prolog_puts_it(doc):
    with pytest.raises(UnsafeInputError, match="DOCTYPE"):
        xmlio.parse_xml(doc)


def test_doctype_text_after_the_root_is_just_text():
    tree = xmlio.parse_xml(b"<d><![CDATA[<!DOCTYPE d>]]></d>")
    assert tree.getroot().text == "<!DOCTYPE d>"


def test_trace_templates_counts_calls_and_is_off_afterwards():
    tree = xmlio.parse_xml(b"<domain type='xen'><name>a</name></domain>")
    with xmlio.trace_templates() as trace:
        xmlio.run_stylesheet("xen_to_core.xsl", tree, Context())
    assert trace.calls["xen_to_core.xsl"][("/domain", "", "")] == 1
    assert xmlio._TRACE is None


def test_reports_are_one_per_line_and_input_text_cannot_pose_as_one():
    message = "xlate:loss|A|/p|first\nxlate:loss|B|/q|a detail\nwith a newline\nxlate:error|/r|oops"
    assert xmlio._reports(message) == [
        "xlate:loss|A|/p|first", "xlate:loss|B|/q|a detail with a newline", "xlate:error|/r|oops"]
    assert xmlio._reports("runtime error, element 'variable'") == ["runtime error, element 'variable'"]

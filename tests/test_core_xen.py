"""Xen XML ⇄ core XML: the xen: parts are reported as losses, or kept in <metadata> and restored."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

import xlate
from xlate.formats import core
from xlate.schema import validate_tree
from xlate.xmlio import NAMESPACES, XSLT_DIR, parse_xml

DATA = Path(__file__).parent / "data"
XEN_DOC = (DATA / "xen-settings.xen.xml").read_bytes()


def test_xen_to_core_drops_and_reports_every_xen_setting():
    result = xlate.convert(XEN_DOC, to="core", file="w.xen.xml")
    assert result.src == "xen" and result.to == "core"
    assert "urn:xlate:xen:1" not in result.output
    assert "<!-- a comment stays -->" in result.output
    reported = [(loss.code, loss.path, loss.line) for loss in result.losses]
    assert reported == [
        ("XEN-DROPPED", "/domain/xen:cpu_weight", 4),
        ("XEN-DROPPED", "/domain/xen:cpus", 7),
        ("XEN-DROPPED", "/domain/devices/interface[1]/xen:backend", 19),
        ("XEN-DROPPED", "/domain/devices/interface[3]/xen:backend", 27),
        ("XEN-DROPPED", "/domain/xen:cpu_cap", 30),
    ]
    assert "cpu_weight = 512" in result.losses[0].message
    assert all(loss.file == "w.xen.xml" for loss in result.losses)


def test_core_output_keeps_every_core_element():
    core = parse_xml(xlate.convert(XEN_DOC, to="core").output)
    source = parse_xml(XEN_DOC)
    for el in source.iter("{*}*"):
        if etree.QName(el).namespace is None:
            path = source.getpath(el)
            assert core.xpath(path), path


def test_strict_raises_with_all_losses():
    with pytest.raises(xlate.LossError) as info:
        xlate.convert(XEN_DOC, to="core", strict=True)
    assert len(info.value.losses) == 5


def test_keep_xen_round_trip_is_exact():
    kept = xlate.convert(XEN_DOC, to="core", keep_xen=True)
    assert kept.losses == ()
    tree = parse_xml(kept.output)
    # Only <metadata> holds xen: elements: libvirt accepts foreign namespaces there.
    assert not tree.xpath("//xen:*[not(ancestor::metadata)]", namespaces=NAMESPACES)
    assert xlate.detect(kept.output) == "core"
    back = xlate.convert(kept.output, to="xen")
    assert back.output == xlate.convert(XEN_DOC, to="xen").output


def test_keep_xen_extends_existing_metadata():
    doc = XEN_DOC.replace(
        b"<memory", b"<metadata><app:x xmlns:app='urn:app'>1</app:x></metadata><memory", 1
    )
    kept = parse_xml(xlate.convert(doc, to="core", keep_xen=True).output)
    assert len(kept.xpath("/domain/metadata")) == 1
    assert kept.xpath("/domain/metadata/*[1]")[0].tag == "{urn:app}x"
    back = xlate.convert(etree.tostring(kept), to="xen").output
    assert back == xlate.convert(doc, to="xen").output
    assert "urn:app" in back


def test_core_input_with_xen_elements_is_refused():
    with pytest.raises(xlate.ConversionError) as info:
        xlate.convert(XEN_DOC, src="core", to="xen", file="w.xml")
    assert info.value.line == 4
    assert "cpu_weight" in info.value.message


def test_core_to_core_is_lossless():
    core = xlate.convert(XEN_DOC, to="core").output
    again = xlate.convert(core, to="core")
    assert again.output == core and again.losses == ()


def test_detect():
    assert xlate.detect(XEN_DOC) == "xen"
    assert xlate.detect(xlate.convert(XEN_DOC, to="core").output) == "core"


@pytest.mark.parametrize(
    "stylesheet, params",
    [
        ("xen_to_core.xsl", {}),
        ("xen_to_core.xsl", {"keep-xen": "1"}),
        ("core_to_xen.xsl", {}),
    ],
)
def test_xsltproc_gives_identical_output(tmp_path, stylesheet, params):
    xsltproc = shutil.which("xsltproc")
    if xsltproc is None:
        if __import__("os").environ.get("CI"):
            pytest.fail("xsltproc is not installed (Debian package xsltproc)")
        pytest.skip("xsltproc is not installed (Debian package xsltproc)")
    source = XEN_DOC
    if stylesheet == "core_to_xen.xsl":
        source = xlate.convert(XEN_DOC, to="core", keep_xen=True).data
    doc = tmp_path / "in.xml"
    doc.write_bytes(source)
    argv = [xsltproc, "--nonet", "--nowrite", "--nomkdir"]
    for key, value in params.items():
        argv += ["--stringparam", key, value]
    proc = subprocess.run(argv + [str(XSLT_DIR / stylesheet), str(doc)], capture_output=True)
    assert proc.returncode == 0, proc.stderr
    xslt = etree.XSLT(etree.parse(str(XSLT_DIR / stylesheet)))
    ours = xslt(etree.parse(str(doc)), **{k: etree.XSLT.strparam(v) for k, v in params.items()})
    assert bytes(ours) == proc.stdout


def test_sexpr_to_core_names_each_sxp_key_without_stylesheet_lines():
    sexpr = (
        b"(vm (name 'x')(memory 256)(cpu_weight 256)(frobnicate 1 2)"
        b"(image (linux (kernel '/k')(weird (a 1))(odd 'two words'))))"
    )
    result = xlate.convert(sexpr, to="core", file="g.sexpr")
    assert [(loss.path, loss.message.split(": ", 1)[1]) for loss in result.losses] == [
        ("/domain/os/xen:sxp", "xend settings (weird (a 1)) (odd 'two words') have no core equivalent"),
        ("/domain/xen:cpu_weight", "Xen-only setting cpu_weight = 256 has no core equivalent"),
        ("/domain/xen:sxp", "xend setting (frobnicate 1 2) has no core equivalent"),
    ]
    # The hub was made by a stylesheet: its line numbers would be the stylesheet's.
    assert all(loss.line is None for loss in result.losses)


# --------------------------------------------------------------------------------------------
# The loss report (made in Python, formats/core.py) and the stylesheet agree
# --------------------------------------------------------------------------------------------

def test_loss_report_reads_the_stylesheets_own_selection():
    source = etree.parse(str(XSLT_DIR / "xen_to_core.xsl"))
    select = source.xpath("/xsl:stylesheet/xsl:variable[@name='xen-settings']/@select",
                          namespaces={"xsl": "http://www.w3.org/1999/XSL/Transform"})[0]
    # the stylesheet's expression, guarded so that it is evaluated with keep-xen only
    assert select == "/domain[$keep-xen = '1']" + core.XEN_SETTINGS


_XEN_NAMES = ["backend", "cpu_weight", "opt", "sxp"]


@st.composite
def _xen_setting(draw, depth: int = 0) -> etree._Element:
    """A xen: element with any content: text, codec-tree items, core-named elements, and
    xen: elements inside those."""
    element = etree.Element(f"{{urn:xlate:xen:1}}{draw(st.sampled_from(_XEN_NAMES))}", nsmap=NAMESPACES)
    if depth < 3 and draw(st.booleans()):
        for _ in range(draw(st.integers(0, 3))):
            if draw(st.booleans()):
                element.append(draw(_xen_setting(depth + 1)))
            else:
                child = etree.SubElement(element, draw(st.sampled_from(["l", "a", "s", "source"])))
                child.text = draw(st.sampled_from(["k", "two words", "x\ny"]))
                if draw(st.booleans()):
                    child.append(draw(_xen_setting(depth + 1)))
    else:
        element.text = draw(st.sampled_from(["", "0", "a b\n c", "x" * 90]))
    return element


def _sprinkle(draw, parent: etree._Element) -> None:
    """xen: settings and comments at any places among the children of ``parent``."""
    for _ in range(draw(st.integers(0, 3))):
        item = draw(_xen_setting()) if draw(st.booleans()) else etree.Comment(" c ")
        parent.insert(draw(st.integers(0, len(parent))), item)


@st.composite
def xen_documents(draw) -> bytes:
    """Valid libvirt domains with xen: elements sprinkled in: at the top, in <os>, in
    <devices>, in each disk and interface (repeated, so paths need indices), nested in one
    another, inside <metadata>, between comments. Without its xen: elements each is valid core
    XML, so what xen->core writes must validate."""
    root = etree.Element("domain", type="xen", nsmap=NAMESPACES)
    etree.SubElement(root, "name").text = "g"
    etree.SubElement(root, "memory", unit="KiB").text = "524288"
    os_ = etree.SubElement(root, "os")
    etree.SubElement(os_, "type").text = "linux"
    etree.SubElement(os_, "kernel").text = "/boot/vmlinuz"
    devices = etree.SubElement(root, "devices")
    for i in range(draw(st.integers(0, 3))):
        disk = etree.SubElement(devices, "disk", type="file", device="disk")
        etree.SubElement(disk, "source", file=f"/var/lib/xen/d{i}.img")
        etree.SubElement(disk, "target", dev=f"xvd{'abc'[i]}", bus="xen")
        _sprinkle(draw, disk)
    for i in range(draw(st.integers(0, 3))):
        nic = etree.SubElement(devices, "interface", type="bridge")
        etree.SubElement(nic, "mac", address=f"00:16:3e:00:00:0{i}")
        etree.SubElement(nic, "source", bridge="xenbr0")
        _sprinkle(draw, nic)
    for parent in (root, os_, devices):
        _sprinkle(draw, parent)
    if draw(st.booleans()):
        metadata = etree.Element("metadata")
        root.insert(1, metadata)
        metadata.append(draw(_xen_setting()))
        _sprinkle(draw, metadata)
    return etree.tostring(root)


@settings(max_examples=150)
@given(xen_documents())
def test_every_dropped_xen_element_is_reported_once(doc):
    source = parse_xml(doc)
    result = xlate.convert(doc, src="xen", to="core")
    output = parse_xml(result.output)
    assert validate_tree(output, "core") == []
    # nothing of the xen: namespace is left outside <metadata>, and every core element stays
    assert not output.xpath("//xen:*[not(ancestor::metadata)]", namespaces=NAMESPACES)
    assert len(list(output.iter("{*}*"))) == len(
        [e for e in source.iter("{*}*") if not e.xpath("ancestor-or-self::xen:*[not(ancestor::metadata)]",
                                                         namespaces=NAMESPACES)])
    # one loss per outermost dropped element, in document order, each path leading to it
    dropped = source.xpath("//xen:*[not(ancestor::metadata) and not(ancestor::xen:*)]", namespaces=NAMESPACES)
    assert [loss.code for loss in result.losses] == ["XEN-DROPPED"] * len(dropped)
    for loss, element in zip(result.losses, dropped):
        assert source.xpath(loss.path, namespaces=NAMESPACES) == [element]
        assert loss.line == element.sourceline
        assert etree.QName(element).localname in loss.message
    # kept instead, everything comes back
    kept = xlate.convert(doc, src="xen", to="core", keep_xen=True)
    assert kept.losses == ()
    assert xlate.convert(kept.output, to="xen").output == xlate.convert(doc, src="xen", to="xen").output


def test_loss_wording_for_odd_settings():
    deep = "<l><a>k</a>" * 1500 + "</l>" * 1500
    doc = ("<domain xmlns:xen='urn:xlate:xen:1' type='xen'><name>g</name>"
           f"<xen:sxp/><xen:sxp>{deep}</xen:sxp>"
           "<xen:cpus><xen:vcpu>0</xen:vcpu></xen:cpus><xen:note><!-- c -->a  b</xen:note></domain>")
    result = xlate.convert(doc, to="core", limits=xlate.Limits(max_depth=2000))
    details = [loss.message.split(": ", 1)[1] for loss in result.losses]
    assert details == [
        "an empty xen:sxp has no core equivalent",
        "xend setting " + "(k " * 19 + "... has no core equivalent",  # cut at 60 characters
        "Xen-only setting cpus has no core equivalent",  # a structure: no value quoted
        "Xen-only setting note = a b has no core equivalent",
    ]
    assert [loss.path for loss in result.losses] == [
        "/domain/xen:sxp[1]", "/domain/xen:sxp[2]", "/domain/xen:cpus", "/domain/xen:note"]


@pytest.mark.parametrize("keep", [False, True])
def test_a_xen_document_element_leaves_nothing_and_says_so(keep):
    with pytest.raises(xlate.ConversionError) as info:
        xlate.convert(b"<xen:domain xmlns:xen='urn:xlate:xen:1'>\n<xen:a/></xen:domain>", src="xen", to="core",
                      file="x.xml", keep_xen=keep)
    assert str(info.value).startswith("x.xml:1: error: the document element <xen:domain> is a Xen-only element")

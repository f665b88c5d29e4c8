"""Xen XML ⇄ core XML: the xen: parts are reported as losses, or kept in <metadata> and restored."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

import xlate
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

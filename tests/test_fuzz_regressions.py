"""What fuzzing found, kept as tests; and each fuzz target run briefly (fixed seed) in CI.

The long runs and their figures are in docs/benchmarks.md ("Fuzzing"); the targets are in
``fuzz/``. Every input here once made xlate raise something other than an XlateError.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

import xlate
from xlate.codecs.sexpr import read_sexpr
from conftest import REPO


sys.path.insert(0, str(REPO / "fuzz"))
from targets import check_codec, check_detect, check_reader  # noqa: E402  (the fuzzers' own checks)

sys.path.remove(str(REPO / "fuzz"))


# Found by fuzz_xen.py: a <xen:sxp> holding text between its items is not a codec tree, and
# writing SEXPR raised ValueError from the codec (an internal error) instead of a
# ConversionError naming the problem.
XEN_SXP_STRAY_TEXT = b"""<domain xmlns:xen="urn:xlate:xen:1" type="xen" id="0">
  <name>Domain-0</name>
  <uuid>00000000-0000-0000-0000-000000000000</uuid>
  <memory unit="KiB">17179868160</memory>
  <currentMemory unit="KiB">4194304</currentMemory>
  <vcpu>8</vcpu>
  <os>
    <type>linux</type>
  </os>
  <clock offset="utc" adjustment="reset"/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices/>
  <xen:state>r-----</xen:state>
  <xen:cpu_time>100.2</xen:cpu_time>
  <xen:sxp>
    <l>
      <a>image</a>
      <l>
        <a>linux</a>
        <l>
          <a>kernel</a>
          <s/>
 $      </l>
        <l>
          <a>notes</a>
        </l>
      </l>
    </l>
  </xen:sxp>
</domain>
"""

# Found by fuzz_xen.py (crash-2f02867b...): xen_to_core.xsl reports all losses in one
# message, a line each, and the text of a carried <xen:sxp> item that is not a codec tree kept
# its newlines, so the runner met a line that was no report (RuntimeError, an internal error).
XEN_SXP_MULTILINE = (b'<domain xmlns:xen="urn:xlate:xen:1" type="xen"><name>a</name><memory>1024</memory>'
                     b"<xen:sxp><l><a>x-key</a><b>one\n~ 256</b></l></xen:sxp></domain>")

CASES = {
    "xen-sxp-stray-text": (XEN_SXP_STRAY_TEXT, "xen"),
    # the same, minimized, with the text in other places of the carried tree
    "xen-sxp-text-in-list": (b"<domain xmlns:xen='urn:xlate:xen:1' type='xen'><name>a</name>"
                             b"<memory>1024</memory><xen:sxp><l>{<a>x</a></l></xen:sxp></domain>", "xen"),
    "xen-sxp-foreign-element": (b"<domain xmlns:xen='urn:xlate:xen:1' type='xen'><name>a</name>"
                                b"<memory>1024</memory><xen:sxp><l><a>x</a><b/></l></xen:sxp></domain>", "xen"),
    "xen-sxp-multiline-text": (XEN_SXP_MULTILINE, "xen"),
    "xen-sxp-nested-in-atom": (b"<domain xmlns:xen='urn:xlate:xen:1' type='xen'><name>a</name>"
                               b"<memory>1024</memory><xen:sxp><l><a>x<a>y</a></a></l></xen:sxp></domain>",
                               "xen"),
}


@pytest.mark.parametrize("data, src", CASES.values(), ids=CASES.keys())
def test_fuzz_finding(data, src):
    check_reader(data, src)
    check_reader(data, None)
    check_detect(data)
    check_codec(data)


def test_stray_text_in_carried_sxp_is_a_conversion_error():
    with pytest.raises(xlate.ConversionError, match="cannot write SEXPR: text '\\$' directly inside <l>"):
        xlate.convert(XEN_SXP_STRAY_TEXT, to="sexpr")


# Found by fuzz_sexpr.py (crash-e2449179...): an S-expression nested as deep as max_depth
# allows, under (device ...), comes out as Xen XML two levels deeper, which the default limit
# then refuses to read back. Not a bug but how limits work (each format's own nesting,
# docs/security.md); the fuzzers read xlate's own output back with every limit at its most.
DEEP_DEVICE = b"(vm (name deep) (memory 64) (device (vif (bridge br0) " + b"(x " * 252 + b")" * 252 + b")))"


def test_deep_sexpr_gives_deeper_xml_that_reads_back_with_a_higher_limit():
    check_reader(DEEP_DEVICE, "sexpr")
    xml = xlate.convert(DEEP_DEVICE, to="xen").output
    with pytest.raises(xlate.LimitError, match=r"nested deeper than 256 levels \(max_depth; --limit depth=N\)"):
        xlate.convert(xml, to="xen")
    again = xlate.convert(xml, to="xen", limits=xlate.Limits(max_depth=300)).output
    assert again == xml


def test_multiline_text_in_carried_sxp_is_one_loss():
    result = xlate.convert(XEN_SXP_MULTILINE, to="core")
    assert [loss.message for loss in result.losses] == [
        "/domain/xen:sxp: xend setting (x-key one ~ 256) has no core equivalent"]


# Found by fuzz_core.py (crash-c2a78bb9...): xend lists an HVM guest's serial ports from 0 with
# an entry for each, and xen_to_sexpr.xsl made one nested call per port, so a serial on port
# 4555 went past libxslt's nesting limit (a RuntimeError, an internal error). The range is now
# halved at each call, and a port that is no number from 0 to 65535 is a clear error.
def _hvm_serial(port: str) -> bytes:
    return ("<domain type='xen'><name>s</name><memory unit='KiB'>524288</memory>"
            "<os><type>hvm</type><loader>/usr/lib/xen/boot/hvmloader</loader></os><devices>"
            "<serial type='pty'><target port='0'/></serial>"
            f"<serial type='file'>\n<source path='/tmp/s'/><target port='{port}'/></serial>"
            "</devices></domain>").encode()


def test_a_high_serial_port_is_listed_without_deep_nesting():
    tree = read_sexpr(xlate.convert(_hvm_serial("4555"), to="sexpr").output)
    ports = [item.text for item in tree.xpath("//l[*[1] = 'serial']/l/*")]
    assert ports == ["pty"] + ["none"] * 4554 + ["file:/tmp/s"]


@pytest.mark.parametrize("port", ["65536", "1e3", "-1", "x", ""])
def test_a_serial_port_xend_cannot_list_is_an_error(port):
    with pytest.raises(xlate.ConversionError) as info:
        xlate.convert(_hvm_serial(port), to="sexpr", file="g.xml")
    assert info.value.line == 2 and info.value.path == "/domain/devices/serial[2]/target/@port"
    assert f"serial port {port} is not a port xend can list (a number from 0 to 65535)" in info.value.message


# Found while looking for more of the same: templates that recurse once per character or
# per unit of a value. A boot string of 5000 letters and PCI numbers of 5000 digits went past
# libxslt's nesting limit; now only the letters that count are walked (at most four), and
# leading zeros are skipped (more than 64 significant digits is no number: the device is
# carried in xen:sxp). A recursion that still meets the limit (a drive name of 5000 letters)
# is a ConversionError that says so, never an internal error.
def _pci(domain: bytes) -> bytes:
    return (b"(vm (name x)(memory 64)(image (linux (kernel /k)))"
            b"(device (pci (dev (domain " + domain + b")(bus 0)(slot 1)(func 0)))))")


def test_values_that_recursed_once_per_character():
    boot = xlate.convert(b"(vm (name x)(memory 64)(image (hvm (kernel /k)(boot " + b"z" * 5000 + b"cdz))))",
                         to="xen").output
    assert boot.count("<boot ") == 2 and '<boot dev="hd"/>' in boot and '<boot dev="cdrom"/>' in boot
    assert 'domain="0x0001"' in xlate.convert(_pci(b"0x" + b"0" * 5000 + b"1"), to="core").output
    carried = xlate.convert(_pci(b"0x" + b"f" * 5000), to="xen").output
    assert "<hostdev" not in carried and "<xen:sxp>" in carried


def test_a_recursion_too_deep_for_libxslt_is_a_conversion_error():
    doc = ("<domain type='xen'><name>x</name><memory unit='KiB'>524288</memory>"
           "<os><type>linux</type><kernel>/k</kernel></os><devices><disk type='file' device='disk'>"
           f"<source file='/a'/><target dev='hd{'z' * 5000}' bus='ide'/>"
           "<address type='drive' controller='0' bus='0' unit='0'/></disk></devices></domain>").encode()
    with pytest.raises(xlate.ConversionError, match="the input is too large for xen_to_sexpr.xsl: a value "
                                                    "or list in it needs more nested steps than libxslt allows"):
        xlate.convert(doc, to="sexpr", file="g.xml")
    check_reader(doc, "core")  # the fuzzers' own check: an XlateError, nothing else


# Found while building the detect target: str input with an unpaired surrogate (what
# surrogateescape makes of invalid bytes) raised UnicodeEncodeError.
@pytest.mark.parametrize("text", ["\udcff", "<domain>\udc80</domain>", "(vm (name \udcc3))"])
def test_str_with_surrogates(text):
    with pytest.raises(xlate.ParseError):
        xlate.detect(text)
    with pytest.raises(xlate.ParseError):
        xlate.convert(text, to="xen")


# --------------------------------------------------------------------------------------------
# Every fuzz target, briefly
# --------------------------------------------------------------------------------------------

try:
    import atheris  # noqa: F401

    HAVE_ATHERIS = True
except ImportError:  # pragma: no cover - atheris is in the test extra on Linux
    HAVE_ATHERIS = False

# (target, runs): a few thousand executions each, with a fixed seed
SHORT_RUNS = [("detect", 20_000), ("core", 3_000), ("xen", 3_000), ("sexpr", 1_500)]


@pytest.mark.parametrize("target, runs", SHORT_RUNS, ids=[t for t, _ in SHORT_RUNS])
def test_fuzz_target_short_run(tmp_path, target, runs):
    if not HAVE_ATHERIS:
        if os.environ.get("CI"):
            pytest.fail("atheris is not installed (pip install '.[test]')")
        pytest.skip("atheris is not installed")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    proc = subprocess.run(
        [sys.executable, str(REPO / "fuzz" / f"fuzz_{target}.py"), f"-runs={runs}", "-seed=1",
         "-max_len=4096", "-timeout=30", "-rss_limit_mb=2048", str(corpus)],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
    )
    crashes = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("crash-", "timeout-", "oom-")))
    detail = "\n".join(proc.stderr.splitlines()[-40:])
    assert proc.returncode == 0 and not crashes, f"{crashes}\n{detail}"
    # libFuzzer stops at the first check after the limit, so a run may overshoot by a few
    done = re.search(r"^Done (\d+) runs", proc.stderr, re.M)
    assert done and int(done.group(1)) >= runs, detail
    assert len(list(corpus.iterdir())) > 1  # seeded from the repository

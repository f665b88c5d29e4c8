"""Xen XML -> SEXPR (xlate/xslt/xen_to_sexpr.xsl): golden files, losses, errors, round trips.

Golden pairs: ``tests/golden/xen_to_sexpr/NAME.xen.xml`` -> ``NAME.sexpr`` (exact text of the
codec's pretty form) and ``NAME.losses`` (the reported losses, one per line). A name ending in
``-xendN`` runs with ``xend-version`` N. Regenerate with ``XLATE_REGEN=1`` and review the diff.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import List, Tuple

import pytest
from lxml import etree

import xlate
from canon import canonical_sexpr
from xlate.codecs.sexpr import read_sexpr, write_sexpr
from xlate.context import Context, Options
from xlate.errors import ConversionError
from xlate.losses import CATALOGUE
from xlate.xmlio import XSLT_DIR, parse_xml, run_stylesheet

GOLDEN = Path(__file__).parent / "golden" / "xen_to_sexpr"
STYLESHEET = "xen_to_sexpr.xsl"
REGEN = os.environ.get("XLATE_REGEN") == "1"
WRITE_CODES = sorted(code for code in CATALOGUE if code.startswith("SXP-") and code != "SXP-REPAIRED")


def convert(xml, version: str = "", file: str = "test.xen.xml") -> Tuple[etree._Element, Context]:
    """Run the stylesheet on an XML text; return the codec tree and the context (losses)."""
    ctx = Context(Options(xend_version=int(version) if version else None), file=file)
    tree = parse_xml(xml, file=file)
    result = run_stylesheet(STYLESHEET, tree, ctx, **{"xend-version": version})
    return result.getroot(), ctx


def sexpr(xml, version: str = "") -> str:
    return write_sexpr(convert(xml, version)[0])


def domain(body: str, ostype: str = "linux", extra_os: str = "<kernel>/k</kernel>") -> str:
    """A minimal domain around ``body`` (more children of <domain>)."""
    return (
        "<domain type='xen' xmlns:xen='urn:xlate:xen:1'><name>t</name><memory>262144</memory>"
        f"<os><type>{ostype}</type>{extra_os}</os>{body}</domain>"
    )


def items(tree: etree._Element, *keys: str) -> List[str]:
    """Canonical forms of the items at an SXP key path, e.g. items(t, 'vm', 'image', 'linux')."""
    nodes = [tree]
    for key in keys:
        nodes = [l for n in nodes for l in n.iterchildren("l") if len(l) and l[0].text == key]
    return [canonical_sexpr(n) for n in nodes]


# ----------------------------------------------------------------------------- golden files

def _golden_names() -> List[str]:
    return sorted(p.name[: -len(".xen.xml")] for p in GOLDEN.glob("*.xen.xml"))


def _golden_losses(ctx: Context) -> str:
    return "".join(f"{loss.code} line {loss.line}: {loss.message}\n" for loss in ctx.losses)


@pytest.mark.parametrize("name", _golden_names())
def test_golden(name):
    source = GOLDEN / f"{name}.xen.xml"
    m = re.search(r"-xend(\d)$", name)
    tree, ctx = convert(source.read_bytes(), m.group(1) if m else "", file=source.name)
    text = write_sexpr(tree, pretty=True) + "\n"
    losses = _golden_losses(ctx)
    out, lost = GOLDEN / f"{name}.sexpr", GOLDEN / f"{name}.losses"
    if REGEN:
        out.write_text(text, encoding="utf-8")
        lost.write_text(losses, encoding="utf-8")
    assert text == out.read_text(encoding="utf-8")
    assert losses == lost.read_text(encoding="utf-8")
    # The golden output is valid SEXPR that the codec reads back to the same tree.
    assert canonical_sexpr(read_sexpr(text)) == canonical_sexpr(tree)


#: Keys the stylesheet computes (from an element name or a choice) rather than spells out.
COMPUTED_KEYS = {"vbd", "tap", "tap2", "loader", "acpi", "apic", "pae", "hap", "viridian",
                 "vnc", "sdl", "fda"}


def _written_keys() -> set:
    """Every SXP key the stylesheet can write: item keys, literal list heads, computed keys."""
    xsl = (XSLT_DIR / STYLESHEET).read_text(encoding="utf-8")
    keys = set(re.findall(r"""name="key" select="'([A-Za-z_-]+)'""", xsl))
    keys |= set(re.findall(r"<l>\s*<a>([A-Za-z_-]+)</a>", xsl))
    keys |= set(re.findall(r'<t:f el="[a-z]+">([A-Za-z_-]+)</t:f>', xsl))
    return keys | COMPUTED_KEYS


def test_goldens_cover_every_written_key():
    written = set()
    for path in GOLDEN.glob("*.sexpr"):
        for el in read_sexpr(path.read_text(encoding="utf-8")).iter("l"):
            if len(el) and el[0].tag == "a":
                written.add(el[0].text)
    keys = _written_keys()
    assert len(keys) > 70  # the regular expressions still find the keys
    assert keys - written == set()


def test_goldens_cover_every_write_loss_code():
    reported = set()
    for path in GOLDEN.glob("*.losses"):
        reported |= {line.split()[0] for line in path.read_text(encoding="utf-8").splitlines()}
    assert set(WRITE_CODES) - reported == set()
    assert reported <= set(CATALOGUE)


@pytest.mark.skipif(shutil.which("xsltproc") is None, reason="xsltproc not installed")
@pytest.mark.parametrize("name", _golden_names())
def test_xsltproc_gives_the_same_tree(name, tmp_path):
    m = re.search(r"-xend(\d)$", name)
    version = m.group(1) if m else ""
    source = GOLDEN / f"{name}.xen.xml"
    proc = subprocess.run(
        ["xsltproc", "--nonet", "--stringparam", "xend-version", version,
         str(XSLT_DIR / STYLESHEET), str(source)],
        capture_output=True, check=True,
    )
    theirs = etree.fromstring(proc.stdout)
    ours, ctx = convert(source.read_bytes(), version)
    assert canonical_sexpr(theirs) == canonical_sexpr(ours)
    assert etree.tostring(theirs) == etree.tostring(ours)
    messages = [line for line in proc.stderr.decode().splitlines() if line.startswith("xlate:loss|")]
    assert len(messages) == len(ctx.losses)


# ------------------------------------------------------------------------------ the mapping

def test_output_is_libvirts_compact_form():
    text = sexpr(domain("<uuid>596a5d2171f48fb2e068e2386a5c413e</uuid><vcpu>2</vcpu>"))
    assert text == (
        "(vm (name 't')(memory 256)(maxmem 256)(vcpus 2)"
        "(uuid '596a5d21-71f4-8fb2-e068-e2386a5c413e')"
        "(on_poweroff 'destroy')(on_reboot 'restart')(on_crash 'destroy')"
        "(image (linux (kernel '/k')(localtime 0)))(localtime 0))"
    )


@pytest.mark.parametrize("memory, expected", [
    ("<memory unit='KiB'>409600</memory>", 400),
    ("<memory>409600</memory>", 400),
    ("<memory unit='k'>409600</memory>", 400),
    ("<memory unit='M'>400</memory>", 400),
    ("<memory unit='mib'>400</memory>", 400),
    ("<memory unit='GiB'>2</memory>", 2048),
    ("<memory unit='G'>2</memory>", 2048),
    ("<memory unit='b'>1048576</memory>", 1),
    ("<memory unit='bytes'>1048577</memory>", 2),
    ("<memory unit='MB'>1000</memory>", 954),
    ("<memory unit='KB'>1024000</memory>", 977),
    ("<memory unit='TiB'>1</memory>", 1048576),
])
def test_memory_units(memory, expected):
    xml = f"<domain type='xen'><name>t</name>{memory}<os><type>linux</type><kernel>/k</kernel></os></domain>"
    tree, ctx = convert(xml)
    assert items(tree, "vm", "maxmem") == [f'("maxmem" "{expected}")']
    assert items(tree, "vm", "memory") == [f'("memory" "{expected}")']
    rounded = [l for l in ctx.losses if l.code == "SXP-ROUNDED"]
    assert bool(rounded) == (expected * 1048576 != _bytes(memory))


def _bytes(memory: str) -> int:
    value = int(re.search(r">(\d+)<", memory).group(1))
    unit = (re.search(r"unit='(\w+)'", memory) or re.search(r"()", "")).group(1).lower()
    scale = {"": 1024, "k": 1024, "kib": 1024, "kb": 1000, "m": 2**20, "mib": 2**20, "mb": 10**6,
             "g": 2**30, "gib": 2**30, "b": 1, "bytes": 1, "tib": 2**40}[unit]
    return value * scale


def test_current_memory_above_maximum_is_clamped_and_reported():
    tree, ctx = convert(domain("<currentMemory>524288</currentMemory>"))
    assert items(tree, "vm", "memory") == ['("memory" "256")']
    assert [l.code for l in ctx.losses] == ["SXP-UNSUPPORTED"]
    assert ctx.losses[0].path == "/domain/currentMemory"


@pytest.mark.parametrize("cpuset, expected", [
    ("0-3", "0-3"),
    ("0-3,^2,6", "0-1,3,6"),
    ("3,1,2", "1-3"),
    ("5", "5"),
    (" 0 , 2-4 ", "0,2-4"),
    ("0-1,^0,^1,4", "4"),
])
def test_cpuset_is_formatted_like_libvirt(cpuset, expected):
    tree, _ = convert(domain(f"<vcpu cpuset='{cpuset}'>2</vcpu>"))
    assert items(tree, "vm", "cpus") == [f'("cpus" "{expected}")']


@pytest.mark.parametrize("current, mask", [("1", "1"), ("3", "7"), ("5", "31"), ("40", str(2**40 - 1)),
                                           ("49", str(2**49 - 1))])
def test_vcpu_avail_is_the_low_bits(current, mask):
    # plain digits, which xend's int() reads (a bare XPath number would be 1.099511627775e+12)
    tree, _ = convert(domain(f"<vcpu current='{current}'>64</vcpu>"))
    assert items(tree, "vm", "vcpu_avail") == [f'("vcpu_avail" "{mask}")']
    back = xlate.convert(sexpr(domain(f"<vcpu current='{current}'>64</vcpu>")), to="xen").output
    assert f'<vcpu current="{current}">64</vcpu>' in back


def test_a_vcpu_avail_mask_beyond_49_bits_is_a_loss_not_a_wrong_number():
    tree, ctx = convert(domain("<vcpu current='50'>64</vcpu>"))
    assert items(tree, "vm", "vcpu_avail") == []
    assert [loss.code for loss in ctx.losses] == ["SXP-UNSUPPORTED"]
    assert "current vCPU count 50 needs a vcpu_avail mask wider than the 49 bits" in ctx.losses[0].message


def test_disks_are_ordered_like_libvirts_parser():
    disks = "".join(
        f"<disk type='file' device='{dev}'><source file='/{name}'/><target dev='{name}'/></disk>"
        for name, dev in [("hdc", "cdrom"), ("xvdb", "disk"), ("hdaa", "disk"), ("hda", "disk"),
                          ("xvda", "disk"), ("sda", "disk")]
    )
    tree, _ = convert(domain(f"<devices>{disks}</devices>", "hvm", "<loader>/l</loader>"))
    devs = [l.findtext("l/l/s") for l in tree.iterfind("l/l") if l[0].text == "device"]
    # Buses in order of first appearance (ide, xen, scsi); by drive index within a bus.
    assert devs == ["hda:disk", "hdc:cdrom", "hdaa:disk", "xvda:disk", "xvdb:disk", "sda:disk"]


def test_hvm_without_loader_gets_libvirts_default():
    tree, _ = convert(domain("", "hvm", ""))
    assert items(tree, "vm", "image", "hvm", "kernel") == ['("kernel" "/usr/lib/xen/boot/hvmloader")']


def test_an_empty_bootloader_is_kept_but_does_not_replace_the_kernel():
    tree, ctx = convert(domain("<bootloader/>"))
    assert items(tree, "vm", "bootloader") == ['("bootloader")']
    assert items(tree, "vm", "image", "linux", "kernel") == ['("kernel" "/k")']
    assert ctx.losses == []


def test_hvm_console_without_serial_is_serial_zero():
    tree, _ = convert(domain("<devices><console type='pty'/></devices>", "hvm", "<loader>/l</loader>"))
    assert items(tree, "vm", "image", "hvm", "serial") == ['("serial" "pty")']


def test_network_interface_is_reported_and_written_without_bridge():
    tree, ctx = convert(domain("<devices><interface type='network'><source network='default'/>"
                               "<mac address='00:16:3E:00:00:01'/></interface></devices>"))
    assert items(tree, "vm", "device", "vif") == [
        '("vif" ("mac" "00:16:3e:00:00:01") ("script" "vif-bridge"))']
    assert [(l.code, l.path) for l in ctx.losses] == [
        ("SXP-NETWORK", "/domain/devices/interface/source/@network")]


def test_xen_key_replaces_the_derived_value_in_place():
    tree, _ = convert(domain("<xen:memory>300</xen:memory><currentMemory>131072</currentMemory>"))
    top = [canonical_sexpr(l) for l in tree[0] if l.tag == "l"][:3]
    assert top == ['("name" "t")', '("memory" "300")', '("maxmem" "256")']


def test_repeatable_keys_are_added_not_replaced():
    body = ("<devices><input type='tablet' bus='usb'/><xen:sxp/></devices>"
            "<xen:sxp/>")
    tree, _ = convert(domain(body, "hvm", "<loader>/l</loader><xen:usbdevice>disk:/u.img</xen:usbdevice>"))
    assert items(tree, "vm", "image", "hvm", "usbdevice") == [
        '("usbdevice" "tablet")', '("usbdevice" "disk:/u.img")']


def test_pv_vkbd_setting_stands_in_for_the_bare_vkbd():
    body = ("<devices><graphics type='vnc'/>"
            "<xen:vkbd><xen:backend>0</xen:backend></xen:vkbd></devices>")
    tree, _ = convert(domain(body))
    assert items(tree, "vm", "device") == [
        '("device" ("vkbd" ("backend" "0")))',
        '("device" ("vfb" ("type" "vnc") ("vncunused" "1")))',
    ]


def test_kept_vkbd_without_graphics_is_written_as_a_device():
    for os_type, os_extra in (("linux", "<kernel>/k</kernel>"), ("hvm", "<loader>/l</loader>")):
        tree, _ = convert(domain("<devices><xen:vkbd><xen:backend>0</xen:backend></xen:vkbd></devices>",
                                 os_type, os_extra))
        assert items(tree, "vm", "device") == ['("device" ("vkbd" ("backend" "0")))']


def test_hvm_graphics_with_vfb_settings_go_back_to_a_vfb():
    body = ("<devices><graphics type='vnc' port='5901' autoport='no'>"
            "<xen:uuid>09666ad1</xen:uuid></graphics></devices>")
    tree, _ = convert(domain(body, "hvm", "<loader>/l</loader>"))
    assert items(tree, "vm", "device") == [
        '("device" ("vfb" ("type" "vnc") ("vncunused" "0") ("vncdisplay" "1") ("uuid" "09666ad1")))']
    assert items(tree, "vm", "image", "hvm", "vnc") == []
    # Without vfb settings, libvirt's form: image keys.
    tree, _ = convert(domain("<devices><graphics type='vnc' port='5901' autoport='no'/></devices>",
                             "hvm", "<loader>/l</loader>"))
    assert items(tree, "vm", "image", "hvm", "vnc") == ['("vnc" "1")']
    assert items(tree, "vm", "device") == []


@pytest.mark.parametrize("xml, path, message", [
    ("<kernel/>", "/", "not a domain document"),
    ("<domain type='kvm'><name>t</name><memory>1</memory></domain>", "/domain/@type", "not a Xen domain"),
    ("<domain type='xen'><memory>1</memory></domain>", "/domain", "no <name>"),
    ("<domain type='xen'><name>t</name></domain>", "/domain", "no <memory>"),
    ("<domain type='xen'><name>t</name><memory unit='parsec'>1</memory></domain>",
     "/domain/memory/@unit", "unknown memory unit"),
    ("<domain type='xen'><name>t</name><memory>1.5</memory></domain>", "/domain/memory", "whole number"),
    ("<domain type='xen'><name>t</name><uuid>1234</uuid><memory>1</memory></domain>",
     "/domain/uuid", "malformed uuid"),
    ("<domain type='xen'><name>t</name><memory>1</memory><on_crash>explode</on_crash></domain>",
     "/domain/on_crash", "unknown lifecycle action"),
    ("<domain type='xen'><name>t</name><memory>1</memory><os><type>exe</type></os></domain>",
     "/domain/os/type", "os type exe"),
    ("<domain type='xen'><name>t</name><memory>1</memory><vcpu>many</vcpu></domain>",
     "/domain/vcpu", "vcpu count"),
])
def test_unconvertible_documents_raise(xml, path, message):
    with pytest.raises(ConversionError) as info:
        convert(xml)
    assert info.value.path == path
    assert message in info.value.message


def test_unknown_xend_version_is_an_error():
    with pytest.raises(ConversionError, match="unknown xend config version 7"):
        convert(domain(""), "7")


def test_loss_lines_point_into_the_input():
    xml = "<domain type='xen'>\n<name>t</name>\n<memory>262144</memory>\n<title>x</title>\n</domain>"
    _, ctx = convert(xml)
    assert [(l.code, l.path, l.line) for l in ctx.losses] == [("SXP-UNSUPPORTED", "/domain/title", 4)]


# ------------------------------------------------------------------ round trip with the reader

from hypothesis import given, strategies as st  # noqa: E402

READER = "sexpr_to_xen.xsl"
needs_reader = pytest.mark.skipif(not (XSLT_DIR / READER).is_file(), reason="no reading stylesheet yet")

_word = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=8)
_path = st.builds(lambda parts: "/" + "/".join(parts), st.lists(_word, min_size=1, max_size=3))
_text = st.text(alphabet="abcdefgh ijk=,.:/'\"\\()&<>", min_size=1, max_size=12).filter(
    lambda s: s.strip() == s)
_hex = st.text(alphabet="0123456789abcdef", min_size=32, max_size=32)


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;")


def _drive_names(prefix: str, n: int) -> List[str]:
    return [prefix + chr(ord("a") + i) for i in range(n)]


@st.composite
def _disks(draw, hvm: bool) -> List[str]:
    n = draw(st.integers(0, 3))
    names = _drive_names("hd" if hvm else "xvd", n)
    out = []
    for name in names:
        device = draw(st.sampled_from(["disk", "disk", "cdrom"]))
        kind = draw(st.sampled_from(["file", "phy", "tap", "tap2"]))
        src = draw(_path)
        dtype, source, driver = "file", f"<source file='{src}'/>", f"<driver name='{kind}'/>"
        if kind == "phy":
            dtype, source = "block", f"<source dev='/dev{src}'/>"
        elif kind in ("tap", "tap2"):
            fmt = draw(st.sampled_from(["raw", "qcow", "qcow2", "vhd"]))
            driver = f"<driver name='{kind}' type='{fmt}'/>"
        mode = "<readonly/>" if device == "cdrom" else draw(st.sampled_from(["", "", "<shareable/>"]))
        bus = "ide" if hvm else "xen"
        backend = draw(st.sampled_from(["", "<xen:backend>0</xen:backend>"]))
        out.append(f"<disk type='{dtype}' device='{device}'>{driver}{source}"
                   f"<target dev='{name}' bus='{bus}'/>{mode}{backend}</disk>")
    return out


@st.composite
def _interfaces(draw, hvm: bool) -> List[str]:
    out = []
    for i in range(draw(st.integers(0, 2))):
        mac = f"<mac address='00:16:3e:00:00:{i:02x}'/>"
        bridged = draw(st.booleans())
        rate = draw(st.sampled_from(["", "<bandwidth><outbound average='1024'/></bandwidth>"]))
        ips = draw(st.sampled_from(["", "<ip address='192.0.2.5' family='ipv4'/>"]))
        vifname = draw(st.sampled_from(["", f"<target dev='eth{i}x'/>"]))
        models = ["", "e1000", "netfront"] if hvm else ["", "e1000"]
        model = draw(st.sampled_from(models))
        model = f"<model type='{model}'/>" if model else ""
        xen = draw(st.sampled_from(["", "<xen:backend>1</xen:backend>"]))
        if bridged:
            out.append(f"<interface type='bridge'>{mac}<source bridge='xenbr{i}'/>{rate}{ips}"
                       f"<script path='vif-bridge'/>{vifname}{model}{xen}</interface>")
        else:
            out.append(f"<interface type='ethernet'>{mac}{rate}{ips}"
                       f"<script path='vif-routed'/>{vifname}{model}{xen}</interface>")
    return out


@st.composite
def _graphics(draw) -> str:
    kind = draw(st.sampled_from(["", "vnc", "sdl"]))
    if kind == "vnc":
        if draw(st.booleans()):
            port = "port='-1' autoport='yes'"
        else:
            port = f"port='{5900 + draw(st.integers(0, 99))}' autoport='no'"
        listen = draw(st.sampled_from(["", "127.0.0.1"]))
        keymap = draw(st.sampled_from(["", " keymap='de'"]))
        passwd = draw(st.sampled_from(["", " passwd='s3cret'"]))
        attr = f" listen='{listen}'" if listen else ""
        child = f"<listen type='address' address='{listen}'/>" if listen else ""
        return f"<graphics type='vnc' {port}{attr}{keymap}{passwd}>{child}</graphics>"
    if kind == "sdl":
        return "<graphics type='sdl' display=':0' xauth='/root/.Xauthority'/>"
    return ""


@st.composite
def _chr(draw, element: str, port: int) -> str:
    """A serial or parallel port in the reader's form for each of xend's character devices."""
    kind = draw(st.sampled_from(["pty", "null", "vc", "stdio", "file", "pipe", "dev", "tcp", "udp", "unix"]))
    body = ""
    if kind in ("file", "pipe"):
        body = f"<source path='{draw(_path)}'/>"
    elif kind == "dev":
        body = f"<source path='/dev/ttyS{port}'/>"
    elif kind == "tcp":
        mode = draw(st.sampled_from(["bind", "connect"]))
        proto = draw(st.sampled_from(["raw", "telnet"]))
        body = f"<source mode='{mode}' host='localhost' service='{9000 + port}'/><protocol type='{proto}'/>"
    elif kind == "udp":
        body = ("<source mode='bind' host='0.0.0.0' service='9999'/>"
                "<source mode='connect' host='192.0.2.1' service='9998'/>")
    elif kind == "unix":
        mode = draw(st.sampled_from(["bind", "connect"]))
        body = f"<source mode='{mode}' path='/run/{element}{port}.sock'/>"
    return f"<{element} type='{kind}'>{body}<target port='{port}'/></{element}>"


@st.composite
def _pci(draw) -> List[str]:
    out = []
    for _ in range(draw(st.integers(0, 2))):
        bus, slot, fn = draw(st.integers(0, 255)), draw(st.integers(0, 31)), draw(st.integers(0, 7))
        wf = draw(st.sampled_from(["", " writeFiltering='no'"]))
        out.append(f"<hostdev mode='subsystem' type='pci' managed='no'><source{wf}>"
                   f"<address domain='0x0000' bus='0x{bus:02x}' slot='0x{slot:02x}' function='0x{fn:x}'/>"
                   "</source></hostdev>")
    return out


@st.composite
def hubs(draw) -> str:
    """A Xen XML domain within the mapped vocabulary, in the form sexpr_to_xen.xsl produces."""
    hvm = draw(st.booleans())
    name = draw(_word)
    uuid = draw(st.one_of(st.none(), _hex))
    maxmem = draw(st.integers(1, 65536))
    curmem = draw(st.integers(1, maxmem))
    vcpus = draw(st.integers(1, 8))
    current = draw(st.integers(1, vcpus))
    parts = [f"<name>{name}</name>"]
    if uuid:
        parts.append(f"<uuid>{uuid[:8]}-{uuid[8:12]}-{uuid[12:16]}-{uuid[16:20]}-{uuid[20:]}</uuid>")
    if draw(st.booleans()):
        parts.append(f"<description>{_esc(draw(_text))}</description>")
    parts.append(f"<memory unit='KiB'>{maxmem * 1024}</memory>")
    parts.append(f"<currentMemory unit='KiB'>{curmem * 1024}</currentMemory>")
    cur = f" current='{current}'" if current < vcpus else ""
    affinity = draw(st.sampled_from(["none", "cpuset", "per-vcpu"]))
    cpuset = " cpuset='0-1,3'" if affinity == "cpuset" else ""
    parts.append(f"<vcpu{cur}{cpuset}>{vcpus}</vcpu>")
    bootloader = not hvm and draw(st.booleans())
    if bootloader:
        parts.append(f"<bootloader>{draw(_path)}</bootloader>")
        if draw(st.booleans()):
            parts.append(f"<bootloader_args>{_esc(draw(_text))}</bootloader_args>")
    os_ = ["<type>hvm</type>" if hvm else "<type>linux</type>"]
    if hvm:
        os_.append(f"<loader>{draw(_path)}</loader>")
        for dev in draw(st.lists(st.sampled_from(["fd", "hd", "cdrom", "network"]),
                                 min_size=1, max_size=4, unique=True)):
            os_.append(f"<boot dev='{dev}'/>")
    elif bootloader:
        if draw(st.booleans()):
            os_.append(f"<cmdline>{_esc(draw(_text))}</cmdline>")
    else:
        os_.append(f"<kernel>{draw(_path)}</kernel>")
        if draw(st.booleans()):
            os_.append(f"<initrd>{draw(_path)}</initrd>")
        if draw(st.booleans()):
            os_.append(f"<cmdline>{_esc(draw(_text))}</cmdline>")
    parts.append("<os>" + "".join(os_) + "</os>")
    localtime = draw(st.sampled_from(["utc", "localtime"]))
    if hvm:
        feats = [f"<{f}/>" for f in ["acpi", "apic", "pae"] if draw(st.booleans())]
        feats.append(draw(st.sampled_from(["", "<hap/>", "<hap state='off'/>"])))
        feats.append(draw(st.sampled_from(["", "<viridian/>"])))
        feats = [f for f in feats if f]
        if feats:
            parts.append("<features>" + "".join(feats) + "</features>")
        adjust = draw(st.integers(-7200, 7200))
        hpet = draw(st.sampled_from(["", "<timer name='hpet' present='yes'/>",
                                     "<timer name='hpet' present='no'/>"]))
        parts.append(f"<clock offset='variable' adjustment='{adjust}' basis='{localtime}'>{hpet}</clock>")
    else:
        parts.append(f"<clock offset='{localtime}' adjustment='reset'/>")
    actions = ["destroy", "restart", "preserve", "rename-restart"]
    parts.append(f"<on_poweroff>{draw(st.sampled_from(actions))}</on_poweroff>")
    parts.append(f"<on_reboot>{draw(st.sampled_from(actions))}</on_reboot>")
    parts.append(f"<on_crash>{draw(st.sampled_from(actions + ['coredump-destroy']))}</on_crash>")
    dev = []
    if hvm or (not bootloader and draw(st.booleans())):
        dev.append(f"<emulator>{draw(_path)}</emulator>")
    dev += draw(_disks(hvm))
    dev += draw(_interfaces(hvm))
    graphics = draw(_graphics())
    if hvm:
        for port in draw(st.lists(st.integers(0, 2), max_size=2, unique=True).map(sorted)):
            dev.append(draw(_chr("serial", port)))
        if draw(st.booleans()):
            dev.append(draw(_chr("parallel", 0)))
        for kind in draw(st.lists(st.sampled_from(["tablet", "mouse", "keyboard"]), max_size=2)):
            dev.append(f"<input type='{kind}' bus='usb'/>")
        dev.append(graphics)
        for model in draw(st.lists(st.sampled_from(["sb16", "es1370", "ac97"]), max_size=2, unique=True)):
            dev.append(f"<sound model='{model}'/>")
        video = draw(st.sampled_from(["", "vga", "cirrus"]))
        if video:
            dev.append(f"<video><model type='{video}'/></video>")
    else:
        dev.append("<console type='pty'><target type='xen' port='0'/></console>")
        dev.append(graphics)
    dev += draw(_pci())
    if graphics and not hvm:
        dev.append("<xen:vkbd/>")
    parts.append("<devices>" + "".join(dev) + "</devices>")
    if affinity == "per-vcpu":
        parts.append("<xen:cpus>" + "".join(
            f"<xen:vcpu id='{i}'>{i},{i + 1}</xen:vcpu>" for i in range(vcpus)) + "</xen:cpus>")
    for key in ["cpu_weight", "cpu_cap", "shadow_memory"]:
        if draw(st.booleans()):
            parts.append(f"<xen:{key}>{draw(st.integers(0, 1024))}</xen:{key}>")
    if draw(st.booleans()):
        parts.append("<xen:platform><xen:acpi>1</xen:acpi><xen:viridian>0</xen:viridian></xen:platform>")
    if draw(st.booleans()):
        parts.append("<xen:sxp><l><a>frobnicate</a><s>a b</s><l><a>x</a><a>1</a></l></l></xen:sxp>")
    return "<domain xmlns:xen='urn:xlate:xen:1' type='xen'>" + "".join(parts) + "</domain>"


def _c14n(tree) -> bytes:
    return etree.tostring(tree, method="c14n")


XEN = "{urn:xlate:xen:1}"


def _without_writer_defaults(hub: etree._ElementTree) -> etree._ElementTree:
    """Drop what libvirt's writer adds to every guest when the reader keeps it: the top-level
    (localtime N) repeating the image's, and the HVM (usb 1). Nothing else is dropped."""
    root = hub.getroot()
    clock = root.find("clock")
    basis = clock.get("basis", clock.get("offset")) if clock is not None else "utc"
    for el in root.findall(XEN + "localtime"):
        if el.text == ("1" if basis == "localtime" else "0"):
            root.remove(el)
    if root.findtext("os/type") == "hvm":
        for el in root.findall(f"os/{XEN}usb"):
            if el.text == "1":
                el.getparent().remove(el)
    return hub


@needs_reader
@pytest.mark.parametrize("version", ["", "4"])  # the newest dialect, and xend 3.1.0's
@given(xml=hubs())
def test_hub_to_sexpr_to_hub_is_the_identity(version, xml):
    hub = parse_xml(xml)
    ctx = Context(Options())
    written = run_stylesheet(STYLESHEET, hub, ctx, **{"xend-version": version})
    assert ctx.losses == []
    back = run_stylesheet(READER, written, Context(Options()), **{"xend-version": version})
    back = _without_writer_defaults(parse_xml(etree.tostring(back)))
    assert _c14n(back) == _c14n(hub)


_UNIT_BYTES = {"b": 1, "byte": 1, "bytes": 1, "k": 1024, "kb": 1000, "m": 2**20, "mb": 10**6,
               "g": 2**30, "gb": 10**9, "t": 2**40, "tb": 10**12, "tib": 2**40, "p": 2**50,
               "pb": 10**15, "pib": 2**50}


@pytest.mark.parametrize("unit", sorted(_UNIT_BYTES))
def test_every_memory_unit_gives_whole_mib_without_exponents(unit):
    import xlate
    from test_coverage_gate import UNIT_VALUES

    value = UNIT_VALUES[unit]
    doc = (f"<domain type='xen'><name>u</name><memory unit='{unit}'>{value}</memory>"
           "<os><type>linux</type><kernel>/k</kernel></os></domain>")
    out = xlate.convert(doc, to="sexpr").output
    mib = value * _UNIT_BYTES[unit] // 2**20
    assert f"(maxmem {mib})" in out and f"(memory {mib})" in out

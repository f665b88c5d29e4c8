"""SEXPR → Xen XML (xlate/formats/sexpr.py, xlate/xslt/sexpr_to_xen.xsl).

Golden pairs in tests/golden/sexpr_to_xen (``NAME.sexpr`` → ``NAME.xen.xml``, exact; a first
line ``# xend-version: N`` sets the dialect; regenerate with XLATE_REGEN=1), the vocabulary table
checked against docs/mapping.md and schemas/xen.xsd, one-line cases for the rules, the errors,
xsltproc parity, and a property: unknown items are never dropped.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Dict, List, Optional

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

import xlate
from canon import canonical_sexpr, canonical_xml
from xlate.codecs.sexpr import read_sexpr, write_sexpr
from xlate.context import Context, Options
from xlate.errors import ConversionError, ParseError
from xlate.formats import REGISTRY, sniff
from xlate.formats import sexpr as sexpr_format
from xlate.schema import validate_tree
from xlate.xmlio import NAMESPACES, XSLT_DIR, parse_xml, serialize_xml

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden" / "sexpr_to_xen"
XSL = XSLT_DIR / "sexpr_to_xen.xsl"
REGEN = os.environ.get("XLATE_REGEN") == "1"
XEN = "{urn:xlate:xen:1}"


def to_xen(text: str, xend_version: Optional[int] = None) -> xlate.Result:
    return xlate.convert(text, src="sexpr", to="xen", xend_version=xend_version)


def hub(text: str, xend_version: Optional[int] = None) -> etree._Element:
    return parse_xml(to_xen(text, xend_version).data).getroot()


def golden_version(text: str) -> Optional[int]:
    m = re.search(r"^# xend-version: (\d+)$", text, re.M)
    return int(m.group(1)) if m else None


GOLDEN_NAMES = sorted(p.stem for p in GOLDEN.glob("*.sexpr"))


# ---------------------------------------------------------------------------------------------
# Golden pairs
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", GOLDEN_NAMES)
def test_golden(name):
    text = (GOLDEN / f"{name}.sexpr").read_text(encoding="utf-8")
    result = to_xen(text, golden_version(text))
    assert result.losses == ()
    expected_path = GOLDEN / f"{name}.xen.xml"
    if REGEN:
        expected_path.write_text(result.output, encoding="utf-8")
    assert result.output == expected_path.read_text(encoding="utf-8")
    problems = validate_tree(parse_xml(result.data), "xen")
    assert problems == [], [p.format() for p in problems]


def test_goldens_cover_both_shapes_and_a_legacy_dialect():
    heads = {read_sexpr((GOLDEN / f"{n}.sexpr").read_text())[0][0].text for n in GOLDEN_NAMES}
    assert heads == {"vm", "domain"}
    assert any(golden_version((GOLDEN / f"{n}.sexpr").read_text()) for n in GOLDEN_NAMES)


# ---------------------------------------------------------------------------------------------
# The vocabulary: the stylesheet's table, docs/mapping.md and schemas/xen.xsd agree
# ---------------------------------------------------------------------------------------------

PARENT = {
    "domain": "domain", "os": "os", "disk": "disk", "interface": "interface",
    "graphics": "graphics", "hostdev": "hostdev", "controller": "controller",
    "pci": "xen:pci", "vkbd": "xen:vkbd", "console": "xen:console", "ioports": "xen:ioports",
    "vtpm": "xen:vtpm", "vscsi": "xen:vscsi", "vscsi-dev": "xen:dev",
}
SXP_PATH = {
    "domain": "{k}", "os": "image/*/{k}", "disk": "vbd/{k}", "interface": "vif/{k}",
    "graphics": "vfb/{k}", "hostdev": "pci/dev/{k}", "controller": "vusb/{k}", "pci": "pci/{k}",
    "vkbd": "vkbd/{k}", "console": "console/{k}", "ioports": "ioports/{k}", "vtpm": "vtpm/{k}",
    "vscsi": "vscsi/{k}", "vscsi-dev": "vscsi/dev/{k}",
}
SHAPE = {"text": "(K v)", "int": "(K N)", "dict": "(K ((k v) ...))", "pairs": "(K (k v) ...)",
         "enum": "(K word)"}


def vocabulary() -> List[Dict[str, str]]:
    doc = etree.parse(str(XSL))
    rows = doc.xpath("//xsl:variable[@name='vocabulary-rtf']/k",
                     namespaces={"xsl": "http://www.w3.org/1999/XSL/Transform"})
    return [dict(row.attrib) for row in rows]


def vocabulary_markdown() -> str:
    lines = ["| element | parent | SXP | shape | meaning |", "| --- | --- | --- | --- | --- |"]
    for row in vocabulary():
        lines.append("| `xen:{n}` | `{p}` | `{s}` | {t} | {d} |".format(
            n=row["n"], p=PARENT[row["c"]], s=SXP_PATH[row["c"]].format(k=row["n"]),
            t=SHAPE[row["t"]].replace("K", row["n"], 1),
            d=row["d"] + (": " + ", ".join(row["v"].split()) if row["t"] == "enum" else "")))
    return "\n".join(lines)


def test_vocabulary_table_is_well_formed():
    rows = vocabulary()
    assert len(rows) > 100
    seen = set()
    for row in rows:
        assert row["c"] in PARENT and row["t"] in SHAPE and row["d"], row
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", row["n"]), row
        assert (row["c"], row["n"]) not in seen, row
        seen.add((row["c"], row["n"]))


def test_docs_list_the_vocabulary():
    path = REPO / "docs" / "mapping.md"
    text = path.read_text(encoding="utf-8")
    begin, end = "<!-- vocabulary:begin -->\n", "<!-- vocabulary:end -->"
    assert begin in text and end in text
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    wanted = head + begin + vocabulary_markdown() + "\n" + end + tail
    if REGEN and text != wanted:
        path.write_text(wanted, encoding="utf-8")
        text = wanted
    assert text == wanted, "docs/mapping.md vocabulary is stale (XLATE_REGEN=1 rewrites it)"


def test_schema_declares_the_vocabulary_with_its_parents():
    xs = "{http://www.w3.org/2001/XMLSchema}"
    doc = etree.parse(str(REPO / "schemas" / "xen.xsd"))
    declared = {}
    for el in doc.getroot().iterfind(f"{xs}element"):
        info = el.find(f"{xs}annotation/{xs}appinfo[@source='urn:xlate:parents']")
        declared[el.get("name")] = set((info.text or "").split()) if info is not None else None
    containers = {"vkbd", "console", "ioports", "vtpm", "vscsi", "pci", "dev", "irq", "sxp", "opt", "cpus"}
    for name in containers:
        assert name in declared, name
    for row in vocabulary():
        assert row["n"] in declared, row
        parent = PARENT[row["c"]]
        if not parent.startswith("xen:"):
            assert declared[row["n"]] is not None and parent in declared[row["n"]], row


def test_every_vocabulary_row_is_exercised_by_a_golden_file():
    used = set()
    for name in GOLDEN_NAMES:
        root = etree.parse(str(GOLDEN / f"{name}.xen.xml")).getroot()
        for el in root.iter(f"{XEN}*"):
            parent = el.getparent()
            qn = etree.QName(parent)
            pname = ("xen:" if qn.namespace else "") + qn.localname
            used.add((pname, etree.QName(el).localname))
    missing = [(PARENT[r["c"]], r["n"]) for r in vocabulary() if (PARENT[r["c"]], r["n"]) not in used]
    assert missing == []


# ---------------------------------------------------------------------------------------------
# Rules, one case each: (SEXPR, xend-version, {XPath: expected string})
# ---------------------------------------------------------------------------------------------

PV = "(vm (name t)(memory 256)(vcpus 1)(image (linux (kernel /k)))%s)"
HVM = "(vm (name t)(memory 256)(vcpus 1)(image (hvm (kernel /hvmloader)%s))%s)"

CASES = [
    # domain
    ("domid and both memory sizes",
     "(domain (domid 5)(name t)(memory 175)(maxmem 385)(vcpus 1))", None,
     {"string(@id)": "5", "string(memory)": "394240", "string(currentMemory)": "179200",
      "string(memory/@unit)": "KiB"}),
    ("memory without maxmem", "(vm (name t)(memory 100)(vcpus 1))", None,
     {"string(memory)": "102400", "string(currentMemory)": "102400"}),
    ("memory above maxmem is clamped and kept", "(vm (name t)(memory 300)(maxmem 200)(vcpus 1))", None,
     {"string(currentMemory)": "204800", "string(xen:memory)": "300"}),
    ("uuid without dashes", "(vm (name t)(uuid 'B5D70DD275CDACA517769660B059D8BC'))", None,
     {"string(uuid)": "b5d70dd2-75cd-aca5-1776-9660b059d8bc"}),
    ("vcpu_avail of the low bits", "(vm (name t)(vcpus 8)(vcpu_avail 7))", None,
     {"string(vcpu/@current)": "3", "count(xen:vcpu_avail)": "0"}),
    ("vcpu_avail other bits", "(vm (name t)(vcpus 8)(vcpu_avail 12))", None,
     {"string(vcpu/@current)": "2", "string(xen:vcpu_avail)": "12"}),
    ("vcpu_avail of every vcpu", "(vm (name t)(vcpus 2)(vcpu_avail 3))", None,
     {"count(vcpu/@current)": "0", "count(xen:*)": "0"}),
    ("cpus string", "(vm (name t)(vcpus 2)(cpus '0-3,^2'))", None, {"string(vcpu/@cpuset)": "0-3,^2"}),
    ("lifecycle defaults", "(vm (name t))", None,
     {"concat(on_poweroff, on_reboot, on_crash)": "destroyrestartdestroy"}),
    ("bootloader without value", "(vm (name t)(bootloader)(bootloader_args x))", None,
     {"count(bootloader)": "1", "string(bootloader)": "", "string(bootloader_args)": "x"}),
    ("bootloader of HVM is kept", HVM % ("", "(bootloader /usr/bin/pygrub)"), None,
     {"count(bootloader)": "0", "string(xen:bootloader)": "/usr/bin/pygrub"}),
    # os
    ("PV kernel, initrd, cmdline, root", "(vm (name t)(image (linux (kernel /k)(ramdisk /i)(args 'a b')(root /dev/x))))",
     None, {"concat(os/type, os/kernel, os/initrd, os/cmdline, os/root)": "linux/k/ia b/dev/x"}),
    ("HVM loader from kernel", HVM % ("(ramdisk /r)", ""), None,
     {"string(os/loader)": "/hvmloader", "count(os/initrd)": "0", "string(os/xen:ramdisk)": "/r"}),
    ("HVM direct kernel boot keeps the boot order", HVM % ("(loader /l)(boot dc)", ""), None,
     {"string(os/loader)": "/l", "string(os/kernel)": "/hvmloader", "count(os/boot)": "0",
      "string(os/xen:boot)": "dc"}),
    ("boot order letters", HVM % ("(boot ancd)", ""), None,
     {"count(os/boot)": "4", "string(os/boot[1]/@dev)": "fd", "string(os/boot[2]/@dev)": "network"}),
    ("features", HVM % ("(acpi 1)(apic 1)(pae 1)(hap 1)(viridian 1)", ""), None,
     {"count(features/*)": "5", "name(features/*[4])": "hap", "count(os/xen:*)": "0"}),
    ("hap off", HVM % ("(hap 0)", ""), None, {"string(features/hap/@state)": "off"}),
    ("feature 0 is kept", HVM % ("(acpi 0)", ""), None, {"count(features)": "0", "string(os/xen:acpi)": "0"}),
    ("image vcpus equal to the top-level ones", HVM % ("(vcpus 1)", ""), None, {"count(os/xen:vcpus)": "0"}),
    # clock
    ("PV localtime", PV % "(localtime 1)", None, {"string(clock/@offset)": "localtime",
                                                  "string(clock/@adjustment)": "reset"}),
    ("HVM clock", HVM % ("(localtime 1)(rtc_timeoffset 3600)", "(localtime 0)"), None,
     {"string(clock/@offset)": "variable", "string(clock/@adjustment)": "3600",
      "string(clock/@basis)": "localtime", "string(xen:localtime)": "0"}),
    ("HVM clock before xend 3.1", HVM % ("(localtime 1)(rtc_timeoffset 3600)", ""), 3,
     {"string(clock/@offset)": "localtime", "string(clock/@adjustment)": "reset",
      "string(os/xen:rtc_timeoffset)": "3600"}),
    ("hpet", HVM % ("(hpet 0)", ""), None, {"string(clock/timer[@name='hpet']/@present)": "no"}),
    # disks
    ("bootable disk goes first, the first one last",
     PV % "(device (vbd (uname file:/a)(dev xvda)(mode w)))(device (vbd (uname file:/b)(dev xvdb)(mode w)))"
          "(device (vbd (uname file:/c)(dev xvdc)(mode w)(bootable 1)))", None,
     {"concat(devices/disk[1]/target/@dev, devices/disk[2]/target/@dev, devices/disk[3]/target/@dev)":
      "xvdcxvdbxvda"}),
    ("ioemu: and :cdrom", HVM % ("", "(device (vbd (uname file:/i.iso)(dev ioemu:hdc:cdrom)(mode r)))"), None,
     {"string(devices/disk/@device)": "cdrom", "string(devices/disk/target/@dev)": "hdc",
      "count(devices/disk/readonly)": "1"}),
    ("image cdrom is not added when hdc is used",
     HVM % ("(cdrom /x.iso)", "(device (vbd (uname phy:/dev/sr0)(dev hdc:cdrom)(mode r)))"), None,
     {"count(devices/disk)": "1", "string(os/xen:cdrom)": "/x.iso"}),
    ("CD-ROM without media", HVM % ("", "(device (vbd (dev hdc:cdrom)(mode r)))"), None,
     {"count(devices/disk/source)": "0", "string(devices/disk/@type)": "file"}),
    ("tap qcow", PV % "(device (tap (uname tap:qcow:/q)(dev xvda)(mode w)))", None,
     {"string(devices/disk/driver/@type)": "qcow", "string(devices/disk/source/@file)": "/q"}),
    ("another block script", PV % "(device (vbd (uname iscsi:iqn.2001-04.com.example:d)(dev xvda)(mode w)))",
     None, {"string(devices/disk/@type)": "block", "string(devices/disk/driver/@name)": "iscsi",
            "string(devices/disk/source/@dev)": "iqn.2001-04.com.example:d"}),
    ("scsi bus", PV % "(device (vbd (uname phy:/dev/sdb)(dev sdb)(mode w)))", None,
     {"string(devices/disk/target/@bus)": "scsi"}),
    # interfaces
    ("vif names from domid", "(domain (domid 9)(name t)(device (vif (bridge b)))(device (vif (bridge c))))", None,
     {"string(devices/interface[2]/target/@dev)": "vif9.1"}),
    ("vif-bridge script alone makes a bridge", PV % "(device (vif (script vif-bridge)))", None,
     {"string(devices/interface/@type)": "bridge", "count(devices/interface/source)": "0"}),
    ("rate in bits", PV % "(device (vif (rate 1Gb/s)))", None,
     {"string(devices/interface/bandwidth/outbound/@average)": "131072"}),
    ("rate in bytes", PV % "(device (vif (rate 100B/s)))", None,
     {"string(devices/interface/bandwidth/outbound/@average)": "100"}),
    ("mac spelled short", PV % "(device (vif (mac 0:16:3E:a:B:c)))", None,
     {"string(devices/interface/mac/@address)": "00:16:3e:0a:0b:0c"}),
    ("netfront with a model keeps its type", HVM % ("", "(device (vif (model e1000)(type netfront)))"), None,
     {"string(devices/interface/model/@type)": "e1000", "string(devices/interface/xen:type)": "netfront"}),
    # character devices
    ("serial list skips none", HVM % ("(serial (none /dev/ttyS1))", ""), None,
     {"count(devices/serial)": "1", "string(devices/serial/target/@port)": "1"}),
    ("tcp client", HVM % ("(serial tcp:h:99)", ""), None,
     {"string(devices/serial/source/@mode)": "connect", "count(os/xen:serial)": "0"}),
    ("udp without bind", HVM % ("(serial udp:h:99)", ""), None,
     {"count(devices/serial/source)": "1", "string(devices/serial/source/@mode)": "connect"}),
    ("unknown device type is kept", HVM % ("(serial spice:x)", ""), None,
     {"count(devices/serial)": "0", "string(os/xen:serial)": "spice:x"}),
    ("parallel none", HVM % ("(parallel none)", ""), None, {"count(devices/parallel)": "0", "count(os/xen:*)": "0"}),
    # graphics
    ("vnc port 5900+domid with xend 3.0.2", "(domain (domid 4)(name t)(image (hvm (kernel /l)(vnc 1))))", 1,
     {"string(devices/graphics/@port)": "5904", "string(devices/graphics/@autoport)": "no"}),
    ("vnc without a port", "(domain (domid 4)(name t)(image (hvm (kernel /l)(vnc 1))))", None,
     {"string(devices/graphics/@port)": "-1", "string(devices/graphics/@autoport)": "yes"}),
    ("vfb wins over the image", HVM % ("(vnc 1)(keymap de)", "(device (vfb (type vnc)(keymap fr)))"), None,
     {"count(devices/graphics)": "1", "string(devices/graphics/@keymap)": "fr",
      "concat(os/xen:vnc, os/xen:keymap)": "1de"}),
    ("vfb sdl", PV % "(device (vfb (sdl 1)(display :0)(xauthority /x)))", None,
     {"string(devices/graphics/@type)": "sdl", "string(devices/graphics/@display)": ":0",
      "string(devices/graphics/@xauth)": "/x"}),
    ("vfb with autoport and a display", PV % "(device (vfb (type vnc)(vncunused 1)(vncdisplay 3)))", None,
     {"string(devices/graphics/@port)": "5903", "string(devices/graphics/@autoport)": "yes"}),
    # inputs, sound, video
    ("usb inputs", HVM % ("(usbdevice mouse)(usbdevice tablet)", ""), None,
     {"count(devices/input[@bus='usb'])": "2", "string(devices/input[2]/@type)": "tablet"}),
    ("sound models", HVM % ("(soundhw 'es1370,pcspk')", ""), None,
     {"count(devices/sound)": "2", "count(os/xen:soundhw)": "0"}),
    ("unknown sound model", HVM % ("(soundhw 'sb16,gus')", ""), None,
     {"count(devices/sound)": "1", "string(os/xen:soundhw)": "sb16,gus"}),
    ("stdvga", HVM % ("(stdvga 1)", ""), None, {"string(devices/video/model/@type)": "vga"}),
    # pci, usb, xen devices
    ("pci numbers", PV % "(device (pci (dev (domain 0)(bus 0x1)(slot 010)(func 3))))", None,
     {"string(devices/hostdev/source/address/@bus)": "0x01",
      "string(devices/hostdev/source/address/@slot)": "0x08", "count(devices/xen:pci)": "0"}),
    ("pci permissive 0", PV % "(device (pci (dev (domain 0)(bus 0)(slot 1)(func 0)(opts (permissive 0)))))",
     None, {"string(devices/hostdev/source/@writeFiltering)": "yes"}),
    ("every pci device item", PV % "(device (pci (dev (domain 0)(bus 0)(slot 1)(func 0))))"
                                   "(device (pci (dev (domain 0)(bus 0)(slot 2)(func 0))))", None,
     {"count(devices/hostdev)": "2"}),
    ("vusb", PV % "(device (vusb (usb-ver 1)(num-ports 2)))(device (vusb (usb-ver 2)))", None,
     {"string(devices/controller[2]/@index)": "1", "string(devices/controller[1]/@model)": "qusb1",
      "string(devices/controller[1]/@ports)": "2"}),
    ("Domain-0 has no console and its image is kept", "(domain (domid 0)(name Domain-0)(image (linux (kernel /k))))",
     None, {"count(devices/console)": "0", "count(os/kernel)": "0", "count(xen:sxp/l)": "1"}),
]


@pytest.mark.parametrize("sexpr, version, checks", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule(sexpr, version, checks):
    root = hub(sexpr, version)
    got = {path: str(root.xpath(path, namespaces=NAMESPACES)) for path in checks}
    got = {k: (v[:-2] if v.endswith(".0") else v) for k, v in got.items()}
    assert got == checks


# ---------------------------------------------------------------------------------------------
# Errors and repairs
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, error, line", [
    ("(vmm (name x))", ConversionError, 1),
    ("\n(config (name x))", ConversionError, 2),
    ("(vm (name a))\n(vm (name b))", ConversionError, 2),
    ("(vm (memory 4))", ConversionError, 1),
    ("", ConversionError, 1),
    ("(vm (name 'a)", ParseError, 1),
    ("(vm\n (name a)\n (x \x01))", ParseError, 3),
])
def test_errors_are_typed_and_located(text, error, line):
    with pytest.raises(error) as info:
        to_xen(text)
    assert info.value.line == line


def test_invalid_utf8_is_a_parse_error_with_position():
    with pytest.raises(ParseError) as info:
        sexpr_format.read(b"(vm (name t)\n (description '\xff'))", Context(file="x.sexpr"))
    assert (info.value.file, info.value.line, info.value.col) == ("x.sexpr", 2, 16)


def test_unbalanced_parentheses_are_repaired_and_reported():
    result = to_xen("(vm (name t)\n(memory 64)))")
    assert [(l.code, l.line, l.col) for l in result.losses] == [("SXP-REPAIRED", 2, 13)]
    result = to_xen("(vm (name t)\n(memory 64)")
    assert [(l.code, l.line) for l in result.losses] == [("SXP-REPAIRED", 1)]
    assert "<name>t</name>" in result.output
    with pytest.raises(xlate.LossError):
        xlate.convert("(vm (name t)", to="xen", strict=True)


# ---------------------------------------------------------------------------------------------
# The format module
# ---------------------------------------------------------------------------------------------

def test_format_is_registered():
    # The registry is the one place that names a format: its aliases, extension, description.
    info = REGISTRY["sexpr"]
    assert "xen-sxpr" in info.aliases and info.extension == ".sexpr" and info.description
    assert info.module == sexpr_format.__name__
    assert xlate.convert("(vm (name t))", src="xen-sxpr", to="xen").src == "sexpr"


@pytest.mark.parametrize("data, expected", [
    (b"(vm)", "sexpr"), (b"  \n\t(domain", "sexpr"), (b"# comment\n(vm", "sexpr"),
    (b"\xef\xbb\xbf(vm", "sexpr"), (b"<domain/>", "xml"),
])
def test_sniff(data, expected):
    assert sniff(data) == expected


@pytest.mark.parametrize("data", [b"", b"# only a comment", b"vm ("])
def test_sniff_refuses_what_is_neither(data):
    with pytest.raises(xlate.FormatError):
        sniff(data)


def test_xend_version_reaches_the_stylesheet():
    text = "(domain (domid 2)(name t)(image (hvm (kernel /l)(vnc 1))))"
    ctx = Context(options=Options(xend_version=1))
    tree = sexpr_format.read(text.encode(), ctx)
    assert tree.xpath("string(/domain/devices/graphics/@port)") == "5902"


# ---------------------------------------------------------------------------------------------
# xsltproc runs the stylesheet unchanged, with the same result
# ---------------------------------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("xsltproc") is None, reason="xsltproc not installed")
@pytest.mark.parametrize("name", GOLDEN_NAMES)
def test_xsltproc_gives_the_same_result(name, tmp_path):
    text = (GOLDEN / f"{name}.sexpr").read_text(encoding="utf-8")
    tree = etree.ElementTree(read_sexpr(text))
    src = tmp_path / "in.xml"
    tree.write(str(src))
    version = golden_version(text)
    proc = subprocess.run(
        ["xsltproc", "--nonet", "--stringparam", "xend-version", "" if version is None else str(version),
         str(XSL), str(src)],
        capture_output=True, check=True,
    )
    by_xsltproc = serialize_xml(parse_xml(proc.stdout))
    assert by_xsltproc.decode("utf-8") == to_xen(text, version).output


# ---------------------------------------------------------------------------------------------
# Property: items xlate does not know are kept, in the element of their context
# ---------------------------------------------------------------------------------------------

BASE = """(domain (domid 1)(name p)(memory 64)(vcpus 1)
 (image (hvm (kernel /l)(vnc 1) @os))
 (device (vbd (uname file:/a)(dev hda)(mode w) @disk))
 (device (vif (mac 00:16:3e:00:00:01)(bridge b) @interface))
 (device (vfb (type vnc) @graphics))
 (device (pci (dev (domain 0)(bus 0)(slot 1)(func 0) @hostdev)))
 (device (vusb (usb-ver 2) @controller))
 (device (vkbd @xen:vkbd))
 @domain)"""

key_names = st.from_regex(r"x-[a-z][a-z0-9_-]{0,8}", fullmatch=True)
atoms = st.from_regex(r"[A-Za-z0-9/:._-]{1,12}", fullmatch=True)
values = st.recursive(atoms.map(lambda a: f"'{a}'"),
                      lambda inner: st.lists(inner, min_size=0, max_size=3).map(lambda xs: "(" + " ".join(xs) + ")"),
                      max_leaves=5)


@given(st.dictionaries(st.sampled_from(["os", "disk", "interface", "graphics", "hostdev", "controller",
                                        "xen:vkbd", "domain"]),
                       st.tuples(key_names, values), min_size=1))
def test_unknown_items_are_kept_in_their_context(extra):
    text = BASE
    for ctx in ["os", "disk", "interface", "graphics", "hostdev", "controller", "xen:vkbd", "domain"]:
        item = f"({extra[ctx][0]} {extra[ctx][1]})" if ctx in extra else ""
        text = text.replace(f"@{ctx})", item + ")")
    root = hub(text)
    for ctx, (key, value) in extra.items():
        parent = root if ctx == "domain" else root.xpath(f"//{ctx}", namespaces=NAMESPACES)[0]
        kept = parent.xpath("xen:sxp/l[a[1] = $k]", k=key, namespaces=NAMESPACES)
        assert len(kept) == 1, (ctx, key)
        assert canonical_sexpr(kept[0]) == canonical_sexpr(read_sexpr(f"({key} {value})")[0])


# ---------------------------------------------------------------------------------------------
# Property: SEXPR -> Xen XML -> SEXPR is the identity on canonical trees, and loses nothing
# ---------------------------------------------------------------------------------------------
#
# A generated (vm ...) uses the mapped vocabulary and unknown keys. Writing is libvirt's
# formatter, which normalizes the form (docs/mapping.md, principle 6), so the canonical tree is
# the written one: s1 = write(read(s)). The properties: read(s1) is the same Xen XML as read(s)
# (nothing was lost on the way), and write(read(s1)) is s1 again (the identity on canonical trees).

def vocabulary_keys(context: str, core_mapped: set) -> List[str]:
    return [r["n"] for r in vocabulary() if r["c"] == context and r["t"] in ("text", "int")
            and r["n"] not in core_mapped]


plain = st.from_regex(r"[a-z][a-z0-9_.:/-]{0,10}", fullmatch=True)
paths = st.from_regex(r"/[a-z0-9_./-]{1,14}", fullmatch=True)
spaced = st.from_regex(r"[a-z0-9=/._-]{1,6}( [a-z0-9=/._-]{1,6}){0,2}", fullmatch=True)
ints = st.integers(min_value=0, max_value=4096).map(str)
unknown = st.tuples(key_names, atoms).map(lambda kv: f"({kv[0]} '{kv[1]}')")


def q(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


@st.composite
def some(draw, *parts):
    """Each of PARTS (strategies of item strings) or nothing, in the given order."""
    out = []
    for part in parts:
        if draw(st.booleans()):
            out.append(draw(part))
    return out


chr_values = st.sampled_from([
    "pty", "null", "vc", "stdio", "/dev/ttyS0", "file:/var/log/s.log", "pipe:/tmp/p",
    "tcp:host:4555", "tcp:127.0.0.1:4556,server,nowait", "telnet::23", "telnet:h:23,server,nowait",
    "udp:h:99", "udp:h:99@:98", "udp::99@b:98", "unix:/tmp/s", "unix:/tmp/s,server,nowait",
])
DOMAIN_XEN = vocabulary_keys("domain", {"memory", "vcpu_avail", "localtime", "bootloader", "bootloader_args"})
OS_XEN = ["usb", "isa", "nographic", "guest_os_type", "timer_mode", "vpt_align", "xen_platform_pci",
          "pci_msitranslate", "pci_power_mgmt", "superpages", "videoram", "tsc_mode", "nomigrate", "oos"]


@st.composite
def vm_sexprs(draw):
    hvm = draw(st.booleans())
    items = [f"(name {draw(plain)})"]
    items += draw(some(
        st.uuids().map(lambda u: f"(uuid '{u}')"),
        spaced.map(lambda s: f"(description {q(s)})"),
    ))
    maxmem = draw(st.integers(min_value=64, max_value=65536))
    memory = draw(st.integers(min_value=32, max_value=maxmem))
    items += [f"(memory {memory})", f"(maxmem {maxmem})"]
    vcpus = draw(st.integers(min_value=1, max_value=8))
    items.append(f"(vcpus {vcpus})")
    current = draw(st.integers(min_value=1, max_value=vcpus))
    if current < vcpus:
        items.append(f"(vcpu_avail {(1 << current) - 1})")
    items += draw(some(st.sampled_from(["'0-3'", "'1'", "'0,2-5'"]).map(lambda c: f"(cpus {c})")))
    for event in ("on_poweroff", "on_reboot", "on_crash"):
        items.append(f"({event} {draw(st.sampled_from(['destroy', 'restart', 'preserve', 'rename-restart']))})")
    items.append(f"(localtime {draw(st.sampled_from('01'))})")
    for key in draw(st.lists(st.sampled_from(DOMAIN_XEN), unique=True, max_size=4)):
        items.append(f"({key} {draw(ints)})")

    image = []
    if hvm:
        if draw(st.booleans()):
            image.append("(kernel '/usr/lib/xen/boot/hvmloader')")
            image.append(f"(boot {draw(st.text('acdn', min_size=1, max_size=4))})")
        else:
            image += ["(kernel /boot/vmlinuz)", "(loader '/usr/lib/xen/boot/hvmloader')"]
            image += draw(some(paths.map(lambda p: f"(ramdisk {q(p)})"), spaced.map(lambda s: f"(args {q(s)})")))
        image.append(f"(vcpus {vcpus})")
        for feature in draw(st.lists(st.sampled_from(["acpi", "apic", "pae", "viridian"]), unique=True)):
            image.append(f"({feature} 1)")
        image += draw(some(st.sampled_from("01").map(lambda v: f"(hap {v})"),
                           st.sampled_from("01").map(lambda v: f"(hpet {v})"),
                           st.integers(-7200, 7200).map(lambda v: f"(rtc_timeoffset {v})")))
        image += [f"(usbdevice {d})" for d in draw(st.lists(st.sampled_from(["tablet", "mouse", "keyboard"]), max_size=2))]
        serial = draw(st.one_of(chr_values.map(q), st.lists(chr_values.map(q), min_size=2, max_size=3).map(
            lambda vs: "(" + " ".join(vs) + ")")))
        image.append(f"(serial {serial})")
        image += draw(some(chr_values.map(lambda v: f"(parallel {q(v)})"),
                           st.lists(st.sampled_from(["sb16", "es1370", "ac97"]), min_size=1, unique=True).map(
                               lambda ms: f"(soundhw '{','.join(ms)}')"),
                           st.sampled_from("01").map(lambda v: f"(stdvga {v})"),
                           paths.map(lambda p: f"(device_model {q(p)})")))
        if draw(st.booleans()):
            image += ["(vnc 1)", f"(vncunused {draw(st.sampled_from('01'))})"]
            image += draw(some(st.integers(0, 99).map(lambda d: f"(vncdisplay {d})"),
                               st.sampled_from(["'0.0.0.0'", "'127.0.0.1'"]).map(lambda a: f"(vnclisten {a})"),
                               st.sampled_from(["'de'", "'en-us'"]).map(lambda k: f"(keymap {k})")))
    else:
        if draw(st.booleans()):
            items.append("(bootloader '/usr/bin/pygrub')")
            items += draw(some(st.just("(bootloader_args '-q')")))
        else:
            image.append(f"(kernel {q(draw(paths))})")
            image += draw(some(paths.map(lambda p: f"(ramdisk {q(p)})"), spaced.map(lambda s: f"(args {q(s)})")))
    for key in draw(st.lists(st.sampled_from(OS_XEN), unique=True, max_size=3)):
        image.append(f"({key} {draw(ints)})")
    image += draw(st.lists(unknown, max_size=1))
    if image:
        items.append(f"(image ({'hvm' if hvm else 'linux'} {' '.join(image)}))")

    letters = iter("abcdefghij")
    for _ in range(draw(st.integers(0, 3))):
        dev = ("hd" if hvm else "xvd") + next(letters)
        cls, uname = draw(st.sampled_from([
            ("vbd", "file:/img/{}.img"), ("vbd", "phy:/dev/vg/{}"), ("tap", "tap:aio:/img/{}"),
            ("tap", "tap:qcow2:/img/{}"), ("tap2", "tap2:aio:/img/{}")]))
        mode = draw(st.sampled_from(["r", "w", "w!"]))
        extra = draw(some(st.just("(backend 0)"), st.uuids().map(lambda u: f"(uuid {u})"), unknown))
        suffix = ":disk" if hvm else ""
        items.append(f"(device ({cls} (dev '{dev}{suffix}')(uname '{uname.format(dev)}')(mode '{mode}') {' '.join(extra)}))")
    for _ in range(draw(st.integers(0, 2))):
        vif = draw(some(
            st.tuples(*[st.integers(0, 255)] * 3).map(lambda t: "(mac '00:16:3e:%02x:%02x:%02x')" % t),
            plain.map(lambda b: f"(bridge {q(b)})"),
            st.sampled_from(["vif-bridge", "vif-route", "/etc/xen/scripts/vif-nat"]).map(lambda s: f"(script {q(s)})"),
            st.sampled_from(["'10.0.0.1'", "'192.0.2.1 192.0.2.2'"]).map(lambda i: f"(ip {i})"),
            st.sampled_from(["e1000", "rtl8139"]).map(lambda m: f"(model {m})"),
            st.integers(1, 100000).map(lambda r: f"(rate '{r}KB/s')"),
            st.just("(backend 0)"), unknown))
        items.append(f"(device (vif {' '.join(vif)}))")
    if not hvm and draw(st.booleans()):
        items.append("(device (vkbd))")
        vfb = draw(st.sampled_from([
            "(type vnc)(vncunused 1)", "(type vnc)(vncunused 0)(vncdisplay 3)(vnclisten '0.0.0.0')(keymap 'de')",
            "(type sdl)(display ':0')(xauthority '/root/.Xauthority')"]))
        items.append(f"(device (vfb {vfb} {' '.join(draw(st.lists(unknown, max_size=1)))}))")
    pcis = draw(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 255), st.integers(0, 31), st.integers(0, 7)),
                         max_size=2, unique=True))
    if pcis:
        devs = "".join("(dev (domain 0x%04x)(bus 0x%02x)(slot 0x%02x)(func 0x%x))" % p for p in pcis)
        items.append(f"(device (pci {devs}))")
    items += draw(some(
        st.just("(device (console (protocol vt100)(location 3)))"),
        st.just("(device (ioports (from 0x3f8)(to 0x3ff)))"),
        st.integers(1, 15).map(lambda i: f"(device (irq (irq {i})))"),
        st.just("(device (vtpm (pref_instance 1)(backend 0)))"),
        st.sampled_from("12").map(lambda v: f"(device (vusb (usb-ver {v})(num-ports 4)))"),
    ))
    items += draw(st.lists(unknown, max_size=2))
    return "(vm " + " ".join(items) + ")"


def write_sexpr_text(hub_xml: str) -> xlate.Result:
    return xlate.convert(hub_xml, src="xen", to="sexpr")


def facts(xml: str) -> Counter:
    """Every element, attribute and text of a document as (tag path, what) facts, counted."""
    out: Counter = Counter()
    root = etree.fromstring(xml.encode("utf-8"), etree.XMLParser(remove_blank_text=True))
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        path = "/".join(etree.QName(a).localname for a in reversed(list(el.iterancestors()))) + "/" + \
            etree.QName(el).localname
        out[(path, "")] += 1
        for name, value in el.attrib.items():
            out[(path, f"@{name}={value}")] += 1
        if el.text and el.text.strip() and len(el) == 0:
            out[(path, f"text={el.text}")] += 1
    return out


@given(vm_sexprs())
def test_round_trip_is_the_identity_on_canonical_trees(text):
    hub1 = to_xen(text)
    s1 = write_sexpr_text(hub1.output)
    assert [l.format() for l in s1.losses if l.severity == "warning"] == []
    hub2 = to_xen(s1.output)
    # nothing was lost on the way to the canonical form (libvirt's writer may only add defaults)
    assert facts(hub1.output) - facts(hub2.output) == Counter()
    # and on canonical trees, SEXPR -> Xen XML -> SEXPR is the identity
    s2 = write_sexpr_text(hub2.output)
    assert canonical_sexpr(read_sexpr(s2.output)) == canonical_sexpr(read_sexpr(s1.output))
    assert canonical_xml(to_xen(s2.output).output, drop_xen=False) == canonical_xml(hub2.output, drop_xen=False)


# ---------------------------------------------------------------------------------------------
# Robustness: damaged versions of the golden inputs convert, or fail with an XlateError
# ---------------------------------------------------------------------------------------------

MUTATION_VALUES = ["0", "1", "-1", "", "x", "0x10", "010", "/a", "file:/x", "tap:foo:/z", "hdc:cdrom",
                   "zz", "5Mb/s@3ms", "tcp::1,server", "udp:h:1@", "none", "all", "4294967296",
                   "99999999999999999999", "a'b", "a b", "<&>"]


@given(st.sampled_from(GOLDEN_NAMES), st.randoms(use_true_random=False))
def test_damaged_inputs_never_crash(name, rnd):
    root = read_sexpr((GOLDEN / f"{name}.sexpr").read_text(encoding="utf-8"))
    for _ in range(rnd.randint(1, 6)):
        nodes = [e for e in root.iter("l", "a", "s") if e.getparent() is not None and e.getparent().tag != "sexpr"]
        node = rnd.choice(nodes)
        parent = node.getparent()
        action = rnd.randrange(4)
        if action == 0 and node.tag != "l":
            node.text = rnd.choice(MUTATION_VALUES)
        elif action == 1 and parent.index(node) > 0:
            parent.remove(node)
        elif action == 2:
            parent.append(copy.deepcopy(node))
        elif action == 3 and node.tag == "l":
            etree.SubElement(node, "a").text = rnd.choice(MUTATION_VALUES)
    try:
        to_xen(write_sexpr(root), rnd.choice([None, 1, 2, 3, 4]))
    except xlate.XlateError:
        pass

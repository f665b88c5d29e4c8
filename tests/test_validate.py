"""xlate.schema: one plain sentence per problem, with the element's path and line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from xlate.errors import UsageError, ValidationError
from xlate.schema import XEN_NS, element_path, schema_path, validate_tree

REPO = Path(__file__).resolve().parent.parent

# Line numbers matter: the cases below edit single lines of this document.
GUEST = """\
<domain type='xen' xmlns:xen='urn:xlate:xen:1'>
  <name>guest</name>
  <uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid>
  <memory unit='KiB'>524288</memory>
  <vcpu>1</vcpu>
  <os>
    <type>linux</type>
    <kernel>/boot/vmlinuz</kernel>
  </os>
  <devices>
    <disk type='file' device='disk'>
      <source file='/images/a.img'/>
      <target dev='xvda' bus='xen'/>
    </disk>
    <disk type='file' device='disk'>
      <source file='/images/b.img'/>
      <target dev='xvdb' bus='xen'/>
    </disk>
    <interface type='bridge'>
      <mac address='00:16:3e:00:00:01'/>
      <source bridge='xenbr0'/>
    </interface>
  </devices>
</domain>
"""

XEN_ONLY = ("is a Xen-only setting; core XML cannot carry it (convert with --to xen, or to core "
            "with --keep-xen to keep it in <metadata>)")


def check(old: str, new: str, fmt: str = "core"):
    assert old in GUEST, old
    text = GUEST.replace(old, new, 1)
    assert text.count("\n") == GUEST.count("\n"), "keep edits on one line"
    return validate_tree(etree.fromstring(text.encode()).getroottree(), fmt, file="guest.xml")


def only(problems) -> ValidationError:
    assert len(problems) == 1, [p.format() for p in problems]
    assert isinstance(problems[0], ValidationError)
    return problems[0]


# (case id, old, new, fmt, expected message, path, line)
CASES = [
    ("unknown element",
     "<target dev='xvdb' bus='xen'/>", "<target dev='xvdb' bus='xen'/><tagret/>", "core",
     "unexpected element <tagret> in <disk>; expected one of: driver, source, backingStore, "
     "target, readonly, shareable, transient, boot, backenddomain, serial, wwn, vendor, product, "
     "geometry, blockio, mirror, auth, encryption, iotune, throttlefilters, alias, acpi, address "
     "(did you mean <target>?)",
     "/domain/devices/disk[2]/tagret", 17),
    ("unknown device",
     "<devices>", "<devices><usbstick/>", "core",
     None, "/domain/devices/usbstick", 10),
    ("bad attribute value (pattern)",
     "<memory unit='KiB'>", "<memory unit='XB'>", "core",
     "attribute 'unit' of <memory>: 'XB' is not one of b, bytes, KB, k, KiB, MB, M, MiB, GB, G, "
     "GiB, TB, T, TiB, PB, P, PiB, EB, E, EiB (any letter case)",
     "/domain/memory", 4),
    ("bad attribute value (enumeration)",
     "<disk type='file' device='disk'>\n      <source file='/images/b.img'/>",
     "<disk type='file' device='dvd'>\n      <source file='/images/b.img'/>", "core",
     "attribute 'device' of <disk>: 'dvd' is not one of floppy, disk, cdrom, lun",
     "/domain/devices/disk[2]", 15),
    ("bad MAC",
     "00:16:3e:00:00:01", "01:16:3e:00:00:01", "core",
     "attribute 'address' of <mac>: '01:16:3e:00:00:01' is not a unicast MAC address: six hex "
     "pairs separated by colons, first octet even (e.g. 00:16:3e:12:34:56)",
     "/domain/devices/interface/mac", 20),
    ("bad text value",
     "<uuid>4dea22b3-1d52-d8f3-2516-782e98ab3fa0</uuid>", "<uuid>4dea22b3</uuid>", "core",
     "<uuid>: '4dea22b3' is not a UUID: 32 hex digits, plain or dashed 8-4-4-4-12",
     "/domain/uuid", 3),
    ("number out of range",
     "<vcpu>1</vcpu>", "<vcpu>0</vcpu>", "core",
     "<vcpu>: '0' is not a CPU count from 1 to 65535", "/domain/vcpu", 5),
    ("missing name",
     "<name>guest</name>", "", "core",
     "<domain> has no <name>; exactly one is required", "/domain", 1),
    ("duplicate memory",
     "<vcpu>1</vcpu>", "<memory unit='KiB'>1024</memory><vcpu>1</vcpu>", "core",
     "duplicate <memory> in <domain> (first at line 4); at most one is allowed",
     "/domain/memory[2]", 5),
    ("two targets on a disk",
     "<target dev='xvda' bus='xen'/>", "<target dev='xvda' bus='xen'/><target dev='xvdc'/>",
     "core",
     "duplicate <target> in <disk> (first at line 13); at most one is allowed",
     "/domain/devices/disk[1]/target[2]", 13),
    ("disk without target",
     "<target dev='xvda' bus='xen'/>", "", "core",
     "<disk> has no <target>; exactly one is required", "/domain/devices/disk[1]", 11),
    ("no os and no bootloader",
     "<type>linux</type>", "", "core",
     None, None, None),  # checked in its own test below
    ("missing required attribute",
     "<target dev='xvda' bus='xen'/>", "<target bus='xen'/>", "core",
     "<target> is missing required attribute 'dev'", "/domain/devices/disk[1]/target", 13),
    ("unexpected attribute",
     "<source bridge='xenbr0'/>", "<source bridge='xenbr0' colour='blue'/>", "core",
     None, "/domain/devices/interface/source", 21),
    ("text where none is allowed",
     "<target dev='xvdb' bus='xen'/>", "<target dev='xvdb' bus='xen'>xvdb</target>", "core",
     "<target> cannot contain text (found 'xvdb')", "/domain/devices/disk[2]/target", 17),
    ("xen element in core (domain)",
     "<vcpu>1</vcpu>", "<vcpu>1</vcpu><xen:cpu_weight>256</xen:cpu_weight>", "core",
     "<xen:cpu_weight> " + XEN_ONLY, "/domain/xen:cpu_weight", 5),
    ("xen element in core (device)",
     "<source bridge='xenbr0'/>", "<source bridge='xenbr0'/><xen:backend>0</xen:backend>",
     "core",
     "<xen:backend> " + XEN_ONLY, "/domain/devices/interface/xen:backend", 21),
    ("xen element in core (not an extension point)",
     "<target dev='xvdb' bus='xen'/>",
     "<target dev='xvdb' bus='xen'><xen:backend>0</xen:backend></target>", "core",
     "<xen:backend> " + XEN_ONLY, "/domain/devices/disk[2]/target/xen:backend", 17),
    ("xen setting in the wrong core element",
     "<target dev='xvdb' bus='xen'/>",
     "<target dev='xvdb' bus='xen'/><xen:cpu_weight>256</xen:cpu_weight>", "xen",
     "<xen:cpu_weight> cannot appear in <disk>; it belongs in <domain>",
     "/domain/devices/disk[2]/xen:cpu_weight", 17),
    ("xen setting inside a non-extension point",
     "<mac address='00:16:3e:00:00:01'/>",
     "<mac address='00:16:3e:00:00:01'><xen:backend>0</xen:backend></mac>", "xen",
     "<xen:backend> cannot appear in <mac>; it belongs in <controller> or <disk> or <graphics> or <interface>",
     "/domain/devices/interface/mac/xen:backend", 20),
    ("unknown xen setting",
     "<vcpu>1</vcpu>", "<vcpu>1</vcpu><xen:cpu_weigth>256</xen:cpu_weigth>", "xen",
     None, "/domain/xen:cpu_weigth", 5),
    ("bad value inside a xen setting",
     "<vcpu>1</vcpu>", "<vcpu>1</vcpu><xen:cpus><xen:vcpu id='0'>a-b</xen:vcpu></xen:cpus>", "xen",
     "<xen:vcpu>: 'a-b' is not a CPU set such as 0-3,5,^2, or nothing",
     "/domain/xen:cpus/xen:vcpu", 5),
    ("unexpected element inside a xen setting",
     "<vcpu>1</vcpu>", "<vcpu>1</vcpu><xen:cpus><xen:pin/></xen:cpus>", "xen",
     "unexpected element <xen:pin> in <xen:cpus>; expected one of: xen:vcpu",
     "/domain/xen:cpus/xen:pin", 5),
    ("bad xen value",
     "<vcpu>1</vcpu>", "<vcpu>1</vcpu><xen:cpu_weight>0</xen:cpu_weight>", "xen",
     "<xen:cpu_weight>: '0' is not a scheduler weight from 1 to 65535",
     "/domain/xen:cpu_weight", 5),
]


@pytest.mark.parametrize("case", [c for c in CASES if c[5] is not None], ids=lambda c: c[0])
def test_precise_message(case):
    _, old, new, fmt, message, path, line = case
    problem = only(check(old, new, fmt))
    if message is not None:
        assert problem.message == message
    assert problem.path == path
    assert problem.line == line
    assert problem.file == "guest.xml"
    assert problem.format().startswith(f"guest.xml:{line}: error: ")


def test_unknown_device_lists_the_devices():
    problem = only(check("<devices>", "<devices><usbstick/>"))
    assert problem.message.startswith("unexpected element <usbstick> in <devices>; expected one "
                                      "of: emulator, disk, controller, interface, input, sound, "
                                      "hostdev, graphics, video, console, serial, parallel, ")
    assert "xen:" not in problem.message  # core: the extension point is not an option


def test_unknown_element_in_xen_format_mentions_xen_settings():
    problem = only(check("<devices>", "<devices><usbstick/>", "xen"))
    assert problem.message.endswith(", any xen: setting")


def test_unexpected_attribute_lists_the_allowed_ones():
    problem = only(check("<source bridge='xenbr0'/>", "<source bridge='xenbr0' colour='blue'/>"))
    assert problem.message.startswith("unexpected attribute 'colour' on <source>; allowed: ")
    assert "bridge" in problem.message and "network" in problem.message


def test_unknown_xen_setting_lists_the_known_ones():
    problem = only(check("<vcpu>1</vcpu>", "<vcpu>1</vcpu><xen:cpu_weigth>1</xen:cpu_weigth>",
                         "xen"))
    assert problem.message.startswith("unknown Xen setting <xen:cpu_weigth>; known settings: ")
    assert "cpu_weight" in problem.message and "shadow_memory" in problem.message


def test_no_os_and_no_bootloader():
    text = GUEST.replace("  <os>\n    <type>linux</type>\n    <kernel>/boot/vmlinuz</kernel>\n"
                         "  </os>\n", "")
    problem = only(validate_tree(etree.fromstring(text.encode()), "core"))
    assert problem.message == ("<domain> has no <os>; it is required "
                               "(Xen PV guests may use <bootloader> instead)")
    assert (problem.path, problem.line) == ("/domain", 1)
    pygrub = text.replace("<vcpu>1</vcpu>", "<vcpu>1</vcpu><bootloader>/usr/bin/pygrub</bootloader>")
    assert validate_tree(etree.fromstring(pygrub.encode()), "core") == []


def test_os_without_type():
    problem = only(check("<type>linux</type>", ""))
    assert problem.message == "<os> has no <type>; exactly one is required"
    assert (problem.path, problem.line) == ("/domain/os", 6)


def test_wrong_document_element():
    problem = only(validate_tree(etree.fromstring(b"<guest type='xen'/>"), "core"))
    assert problem.message == "the document element is <guest>; expected <domain>"
    assert (problem.path, problem.line) == ("/guest", 1)


def test_several_problems_come_in_document_order():
    text = (GUEST.replace("<memory unit='KiB'>", "<memory unit='XB'>")
            .replace("<name>guest</name>", "")
            .replace("00:16:3e:00:00:01", "zz"))
    problems = validate_tree(etree.fromstring(text.encode()), "core")
    assert [(p.line, p.path) for p in problems] == [
        (1, "/domain"), (4, "/domain/memory"), (20, "/domain/devices/interface/mac")]


@pytest.mark.parametrize("fmt", ["core", "xen"])
def test_valid_document_has_no_problems(fmt):
    assert validate_tree(etree.fromstring(GUEST.encode()), fmt) == []
    assert validate_tree(etree.fromstring(GUEST.encode()).getroottree(), fmt) == []


def test_valid_xen_document():
    text = GUEST.replace("<vcpu>1</vcpu>", "<vcpu>1</vcpu><xen:cpu_weight>256</xen:cpu_weight>")
    text = text.replace("<source bridge='xenbr0'/>", "<source bridge='xenbr0'/><xen:backend>0"
                        "</xen:backend><xen:sxp><l><a>rate</a><a>10MB/s</a></l></xen:sxp>")
    assert validate_tree(etree.fromstring(text.encode()), "xen") == []


def test_xen_settings_kept_in_metadata_are_core():
    """--keep-xen parks xen: settings in <metadata>, where libvirt accepts any namespace."""
    text = GUEST.replace("<vcpu>1</vcpu>", "<vcpu>1</vcpu><metadata><xen:cpu_weight>256"
                         "</xen:cpu_weight><xen:backend>0</xen:backend></metadata>")
    assert validate_tree(etree.fromstring(text.encode()), "core") == []
    assert validate_tree(etree.fromstring(text.encode()), "xen") == []


def test_libvirt_xen_commandline_is_core():
    text = GUEST.replace(
        "<domain type='xen' xmlns:xen='urn:xlate:xen:1'>",
        "<domain type='xen' xmlns:lx='http://libvirt.org/schemas/domain/xen/1.0'>").replace(
        "</devices>", "</devices><lx:commandline><lx:arg value='-debugcon'/></lx:commandline>")
    assert validate_tree(etree.fromstring(text.encode()), "core") == []


def test_tree_built_in_memory_has_paths_but_no_lines():
    root = etree.fromstring(GUEST.encode())
    etree.SubElement(root, f"{{{XEN_NS}}}shadow_memory").text = "8"
    problem = only(validate_tree(root, "core"))
    assert problem.path == "/domain/xen:shadow_memory"
    assert problem.line is None and problem.col is None


def test_element_path_indexes_only_repeated_names():
    root = etree.fromstring(GUEST.encode())
    disks = root.findall("devices/disk")
    assert element_path(disks[1].find("target")) == "/domain/devices/disk[2]/target"
    assert element_path(root.find("devices/interface/mac")) == "/domain/devices/interface/mac"
    assert element_path(root) == "/domain"


def test_unknown_format_is_a_usage_error():
    with pytest.raises(UsageError, match="no schema for format 'sexpr'"):
        validate_tree(etree.fromstring(GUEST.encode()), "sexpr")
    with pytest.raises(UsageError):
        schema_path("yaml")


def test_schema_path_finds_the_shipped_files():
    """The checkout's schemas/, or the installed copy in xlate/_schemas: the same files."""
    for fmt, name in (("core", "core.xsd"), ("xen", "xen-domain.xsd")):
        assert schema_path(fmt).name == name
        assert schema_path(fmt).read_bytes() == (REPO / "schemas" / name).read_bytes()


def test_fast_path_does_not_import_xmlschema():
    """Valid documents never pay for importing xmlschema (~0.2 s)."""
    code = (
        "import sys; from lxml import etree; from xlate.schema import validate_tree\n"
        f"doc = etree.parse({str(REPO / 'examples' / 'pv-kernel.xen.xml')!r})\n"
        "assert validate_tree(doc, 'xen') == []\n"
        "etree.SubElement(doc.getroot(), 'name').text = 'twice'\n"  # schema-valid, count error
        "assert validate_tree(doc, 'xen')[0].message.startswith('duplicate <name>')\n"
        "print('xmlschema' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"

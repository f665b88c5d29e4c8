"""The schemas: they load in both engines, accept the examples and libvirt's corpus, and agree
with libvirt's own RELAX NG grammar (virt-xml-validate) on what is valid core XML."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import xmlschema
from lxml import etree

from xlate.schema import XEN_NS, schema_dir, schema_path, validate_tree

from tools import virt_xml_validate_all

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
CORE_EXAMPLES = sorted(p for p in EXAMPLES.glob("*.xml") if not p.name.endswith(".xen.xml"))
XEN_EXAMPLES = sorted(EXAMPLES.glob("*.xen.xml"))

# Corpus files libvirt's domain.rng (9.0) rejects although libvirt's parser read them (they
# predate the grammar rule): our core.xsd accepts them, virt-xml-validate does not.
RNG_REJECTS = {
    "xml2sexpr-fv-parallel-tcp.xml": "<source wiremode='raw'> (pre-0.5 attribute)",
    "xml2sexpr-fv-serial-tcp.xml": "<source wiremode='raw'> (pre-0.5 attribute)",
    "xml2sexpr-net-routed.xml": "<source dev=...> on an ethernet interface (pre-1.3)",
}


def corpus_xml(root: Path):
    return sorted(root.glob("sexpr2xml/*.xml")) + sorted(root.glob("xml2sexpr/*.xml"))


@pytest.fixture(scope="module")
def engines():
    """fmt -> (lxml schema, xmlschema schema), each compiled once."""
    out = {}
    for fmt in ("core", "xen"):
        path = schema_path(fmt)
        out[fmt] = (etree.XMLSchema(etree.parse(str(path))),
                    xmlschema.XMLSchema(str(path), allow="local"))
    return out


def errors_of(engines, fmt, doc):
    """(lxml messages, xmlschema reasons) for ``doc`` against ``fmt``."""
    lx, xs = engines[fmt]
    lxml_errors = [] if lx.validate(doc) else [e.message for e in lx.error_log]
    return lxml_errors, [e.reason for e in xs.iter_errors(doc)]


def test_examples_exist_in_pairs():
    assert {p.name[: -len(".xml")] for p in CORE_EXAMPLES} == {
        "hvm-cdrom-vnc", "pci-passthrough", "pv-kernel", "pv-pygrub"}
    assert {p.name[: -len(".xen.xml")] for p in XEN_EXAMPLES} == {
        p.name[: -len(".xml")] for p in CORE_EXAMPLES}


@pytest.mark.parametrize("name", ["core.xsd", "xen.xsd", "xen-domain.xsd", "libvirt-xen.xsd"])
def test_schema_loads_in_both_engines(name):
    path = schema_dir() / name
    etree.XMLSchema(etree.parse(str(path)))
    xmlschema.XMLSchema(str(path), allow="local")


def test_schema_path_points_at_the_shipped_files():
    assert schema_path("core").name == "core.xsd"
    assert schema_path("xen").name == "xen-domain.xsd"
    assert schema_path("core").parent == schema_path("xen").parent == schema_dir()


def fmt_of(path: Path) -> str:
    return "xen" if path.name.endswith(".xen.xml") else "core"


@pytest.mark.parametrize("path", CORE_EXAMPLES + XEN_EXAMPLES, ids=lambda p: p.name)
def test_example_is_valid_in_its_format(engines, path):
    doc = etree.parse(str(path))
    assert errors_of(engines, fmt_of(path), doc) == ([], [])
    assert validate_tree(doc, fmt_of(path), file=str(path)) == []


@pytest.mark.parametrize("path", CORE_EXAMPLES, ids=lambda p: p.name)
def test_core_example_is_also_valid_xen(engines, path):
    assert errors_of(engines, "xen", etree.parse(str(path))) == ([], [])


@pytest.mark.parametrize("path", XEN_EXAMPLES, ids=lambda p: p.name)
def test_xen_example_fails_as_core_with_the_xen_only_message(engines, path):
    doc = etree.parse(str(path))
    lxml_errors, xs_errors = errors_of(engines, "core", doc)
    assert lxml_errors and xs_errors
    problems = validate_tree(doc, "core", file=str(path))
    xen_elements = [el for el in doc.getroot().iter(f"{{{XEN_NS}}}*")
                    if el.getparent().tag != f"{{{XEN_NS}}}cpus"]
    assert len(problems) == len(xen_elements) > 0
    for problem, el in zip(problems, xen_elements):
        name = etree.QName(el).localname
        assert problem.message == (
            f"<xen:{name}> is a Xen-only setting; core XML cannot carry it (convert with "
            "--to xen, or to core with --keep-xen to keep it in <metadata>)")
        assert problem.line == el.sourceline
        assert re.search(rf"/xen:{name}(\[\d+\])?$", problem.path), problem.path


@pytest.mark.parametrize("path", XEN_EXAMPLES, ids=lambda p: p.name)
def test_xen_example_minus_xen_settings_is_its_core_twin(path):
    """The .xen.xml files add xen: settings and nothing else."""
    doc = etree.parse(str(path))
    for el in list(doc.getroot().iter(f"{{{XEN_NS}}}*")):
        if el.getparent() is not None and etree.QName(el.getparent()).namespace != XEN_NS:
            el.getparent().remove(el)
    etree.cleanup_namespaces(doc)
    twin = etree.parse(str(path.with_name(path.name.replace(".xen.xml", ".xml"))))
    canon = lambda d: etree.tostring(d, method="c14n2", strip_text=True)  # noqa: E731
    assert canon(doc) == canon(twin)


def test_libvirt_corpus_is_valid_core(engines, libvirt_corpus):
    files = corpus_xml(libvirt_corpus)
    assert len(files) > 90
    failures = {}
    for path in files:
        doc = etree.parse(str(path))
        lxml_errors, xs_errors = errors_of(engines, "core", doc)
        problems = [p.format() for p in validate_tree(doc, "core", file=path.name)]
        if lxml_errors or xs_errors or problems:
            failures[path.name] = (lxml_errors[:2], xs_errors[:2], problems[:2])
    assert failures == {}


def test_schema_rejects_what_the_rng_rejects(engines):
    """A few values libvirt's grammar refuses; both engines must refuse them too."""
    base = (EXAMPLES / "pv-kernel.xml").read_text()
    edits = [
        ("<name>pv-kernel</name>", "<name></name>"),                       # empty name
        ("4dea22b3-1d52-d8f3-2516-782e98ab3fa0", "4dea22b3"),               # short uuid
        ("unit='KiB'>1048576", "unit='KB2'>1048576"),                       # unit
        ("<vcpu placement='static'>2", "<vcpu placement='static'>0"),       # no CPUs
        ("machine='xenpv'>linux", "machine='xenpv'>windows"),               # os type
        ("<kernel>/var", "<kernel>var"),                                    # relative path
        ("<on_crash>destroy", "<on_crash>explode"),                         # event action
        ("00:16:3e:5d:c7:9e", "01:16:3e:5d:c7:9e"),                         # multicast MAC
        ("00:16:3e:5d:c7:9e", "00:16:3e:5d:c7"),                            # short MAC
        ("dev='xvda'", "dev='nvme0'"),                                      # disk target name
        ("<clock offset='utc'", "<clock offset='gmt'"),                     # clock offset
        ("<input type='mouse' bus='xen'/>", "<input type='mouse' bus='ide'/>"),
        ("<console type='pty'>", "<console type='telepathy'>"),
        ("<memballoon model='xen'/>", "<memballoon/>"),                     # model required
        ("<devices>", "<devices><frobnicator/>"),                           # unknown device
        ("<domain type='xen'>", "<domain type='xen' id='x'>"),
    ]
    for old, new in edits:
        assert old in base, old
        doc = etree.fromstring(base.replace(old, new, 1).encode())
        lxml_errors, xs_errors = errors_of(engines, "core", doc)
        assert lxml_errors and xs_errors, f"accepted: {new}"


def test_engines_agree_on_mutated_attributes(engines):
    """The fast path (lxml) and the message path (xmlschema) must agree on validity."""
    checked = set()
    for path in CORE_EXAMPLES + XEN_EXAMPLES:
        fmt = fmt_of(path)
        doc = etree.parse(str(path))
        for el in doc.getroot().iter():
            for attr in list(el.attrib):
                where = (fmt, el.getparent().tag if el.getparent() is not None else "", el.tag, attr)
                if where in checked:
                    continue
                checked.add(where)
                for bogus in ("", "x y"):
                    saved = el.get(attr)
                    el.set(attr, bogus)
                    lxml_errors, xs_errors = errors_of(engines, fmt, doc)
                    el.set(attr, saved)
                    assert bool(lxml_errors) == bool(xs_errors), (path.name, el.tag, attr, bogus)
    assert len(checked) > 50


def test_xen_settings_name_real_parents():
    """xen.xsd's appinfo parents are core elements that carry the xen: extension point."""
    from xlate.schema import _xen_parents

    core = etree.parse(str(schema_dir() / "core.xsd"))
    xs = "{http://www.w3.org/2001/XMLSchema}"
    with_wildcard = set()
    for ctype in core.getroot().iter(f"{xs}complexType", f"{xs}group"):
        if ctype.find(f".//{xs}any[@namespace='{XEN_NS}']") is not None:
            with_wildcard.add(ctype.get("name"))
    declared = {}
    for el in core.getroot().iter(f"{xs}element"):
        declared.setdefault(el.get("name"), set()).add(el.get("type"))
    parents = _xen_parents()
    assert {"cpu_weight", "cpu_cap", "shadow_memory", "cpus", "device_model_version",
            "backend", "opt", "sxp"} <= set(parents)
    for setting, names in parents.items():
        for parent in names:
            assert declared.get(parent, set()) & with_wildcard, (setting, parent)


# --------------------------------------------------------------------------------------------
# libvirt's own validator
# --------------------------------------------------------------------------------------------

def test_core_examples_pass_virt_xml_validate():
    results = virt_xml_validate_all(CORE_EXAMPLES)
    assert [(p.name, out) for p, rc, out in results if rc != 0] == []


def test_corpus_passes_virt_xml_validate(libvirt_corpus):
    results = virt_xml_validate_all(corpus_xml(libvirt_corpus))
    failed = {p.name for p, rc, _ in results if rc != 0}
    assert failed == set(RNG_REJECTS), [(p.name, out) for p, rc, out in results
                                        if (rc != 0) != (p.name in RNG_REJECTS)]

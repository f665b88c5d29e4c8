"""Every file in examples/ converts to every format, and the conversions agree with each other.

Also: every core document xlate emits here (from the examples, the golden inputs and libvirt's
SEXPR corpus) passes xlate's core schema and libvirt's own `virt-xml-validate`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import xlate
from xlate.api import validate_tree
from xlate.xmlio import parse_xml

from tools import virt_xml_validate_all

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p for p in (REPO / "examples").iterdir() if p.is_file())
XEN_EXAMPLES = [p for p in EXAMPLES if p.name.endswith(".xen.xml")]
GOLDEN_SEXPR = sorted((REPO / "tests" / "golden").glob("*/*.sexpr"))


def fmt_of(path: Path) -> str:
    if path.name.endswith(".xen.xml"):
        return "xen"
    return "sexpr" if path.suffix == ".sexpr" else "core"


def test_examples_cover_every_format():
    assert {fmt_of(p) for p in EXAMPLES} == {"core", "xen", "sexpr"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
@pytest.mark.parametrize("to", ["core", "xen", "sexpr"])
def test_every_example_converts(path, to):
    data = path.read_bytes()
    assert xlate.detect(data) == fmt_of(path)
    result = xlate.convert(data, to=to, file=path.name)
    assert result.src == fmt_of(path)
    if to in ("core", "xen"):
        assert validate_tree(parse_xml(result.output), to) == []


@pytest.mark.parametrize("path", XEN_EXAMPLES, ids=lambda p: p.name)
def test_xen_example_round_trips(path):
    data = path.read_bytes()
    hub = xlate.convert(data, to="xen").output
    # Through core with --keep-xen: exact.
    via_core = xlate.convert(xlate.convert(data, to="core", keep_xen=True).output, to="xen").output
    assert via_core == hub
    # Through SEXPR: libvirt's defaults may differ and core-only fields (<title>) are reported
    # as losses; what SEXPR holds is a fixpoint.
    sexpr = xlate.convert(data, to="sexpr")
    again = xlate.convert(xlate.convert(sexpr.output, to="xen").output, to="sexpr")
    assert again.output == sexpr.output
    if b"<title>" in data:
        assert any(loss.path.endswith("/title") for loss in sexpr.losses)


@pytest.mark.parametrize("path", XEN_EXAMPLES, ids=lambda p: p.name)
def test_xen_example_to_core_is_its_core_twin(path):
    twin = path.with_name(path.name[: -len(".xen.xml")] + ".xml")
    ours = xlate.convert(path.read_bytes(), to="core").output
    assert ours == xlate.convert(twin.read_bytes(), to="core").output


def _emitted_core_documents(corpus: Path | None):
    inputs = list(EXAMPLES) + GOLDEN_SEXPR
    if corpus is not None:
        inputs += sorted((corpus / "sexpr2xml").glob("*.sexpr"))
    for path in inputs:
        data = path.read_bytes()
        if path.suffix == ".sexpr":
            data = data.replace(b"\\\n", b"")  # the corpus harness joins continuation lines
        for keep in (False, True):
            yield f"{path.stem}{'-keep' if keep else ''}", xlate.convert(data, to="core", keep_xen=keep)


def test_every_emitted_core_document_passes_libvirt_validation(tmp_path, libvirt_corpus):
    written = []
    for i, (name, result) in enumerate(_emitted_core_documents(libvirt_corpus)):
        assert validate_tree(parse_xml(result.output), "core") == [], name
        out = tmp_path / f"{i:03d}-{name}.xml"
        out.write_text(result.output)
        written.append(out)
    assert len(written) > 100
    failures = [(p.name, out) for p, rc, out in virt_xml_validate_all(written) if rc != 0]
    assert failures == []

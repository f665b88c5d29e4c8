"""libvirt's sexpr2xml tests: every sexpr2xml row of the corpus manifest, by meaning.

Each input SEXPR is read the way libvirt's harness read it (backslash-newline pairs removed),
converted to Xen XML with the row's xend config version, and compared with libvirt's expected
XML after both went through ``canonical_xml`` (xen: elements dropped; libvirt's implicit and
live-only parts normalized; docs/mapping.md, "Comparing with libvirt's corpus").
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

import pytest

import xlate
from canon import canonical_xml
from conftest import corpus_root
from xlate.schema import validate_tree
from xlate.xmlio import parse_xml

#: Rows whose xendConfigVersion the manifest does not know ("unknown"): the version used, and why.
UNKNOWN_VERSION = {
    # Hand-written XML from the xend 3.1 era: the disk uses the 3.0.3+ "hda:disk" syntax, the
    # domain has a vfb device (3.0.4+), and the clock is the pre-3.1.0 utc/reset form.
    "fv-legacy-vfb": 3,
}

#: Deliberate differences from libvirt's expected output: name -> reason. (None at present.)
EXPECTED_DIFFERENCES: dict = {}

#: Inputs with unbalanced parentheses (README, "Loading the files"): repaired, with a loss each.
UNBALANCED = {"net-routed", "bridge-ipaddr", "pv-vfb-new", "pv-vfb-new-vncdisplay"}


@dataclass(frozen=True)
class Case:
    name: str
    input: str
    expected: str
    version: Optional[int]

    @property
    def id(self) -> str:
        return self.name if self.version is None else f"{self.name}-v{self.version}"


def load_cases() -> List[Case]:
    root = corpus_root()
    if root is None:
        return []
    cases = []
    with open(root / "manifest.tsv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["direction"] != "sexpr2xml":
                continue
            params = row["params"]
            if not params:
                versions: List[Optional[int]] = [None]
            else:
                key, _, value = params.partition("=")
                assert key == "xendConfigVersion", params
                if value == "unknown":
                    versions = [UNKNOWN_VERSION[row["name"]]]
                else:
                    versions = [int(v) for v in value.split("|")]
            for version in versions:
                cases.append(Case(row["name"], row["input"], row["expected"], version))
    return cases


CASES = load_cases()


def read_like_libvirt(path: Path) -> str:
    """virTestLoadFile: every backslash-newline pair is deleted."""
    return path.read_text(encoding="utf-8").replace("\\\n", "")


def test_the_manifest_has_every_sexpr2xml_row(libvirt_corpus):
    names = {c.name for c in CASES}
    assert len(names) == 52 and len(CASES) == 53  # 'pv' runs with versions 1 and 2


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_sexpr2xml(case, libvirt_corpus):
    text = read_like_libvirt(libvirt_corpus / case.input)
    result = xlate.convert(text, src="sexpr", to="xen", xend_version=case.version, file=case.input)
    expected = (libvirt_corpus / case.expected).read_bytes()
    if case.name in EXPECTED_DIFFERENCES:
        pytest.xfail(EXPECTED_DIFFERENCES[case.name])
    assert canonical_xml(result.output) == canonical_xml(expected)

    codes = [loss.code for loss in result.losses]
    assert codes == (["SXP-REPAIRED"] if case.name in UNBALANCED else [])
    assert validate_tree(parse_xml(result.data), "xen") == []


def test_canonical_xml_is_not_blind():
    """The comparison sees a changed value, a missing device and a reordered disk."""
    base = ("<domain type='xen'><name>a</name><devices>"
            "<disk type='file' device='disk'><source file='/a'/><target dev='xvda'/></disk>"
            "<disk type='file' device='disk'><source file='/b'/><target dev='xvdb'/></disk>"
            "<graphics type='vnc' port='5901'/></devices></domain>")
    variants = [
        base.replace("/b", "/c"),
        base.replace("<graphics type='vnc' port='5901'/>", ""),
        base.replace("xvda", "xvdX").replace("xvdb", "xvda").replace("xvdX", "xvdb"),
        base.replace("port='5901'", "port='-1'"),
    ]
    for variant in variants:
        assert canonical_xml(variant) != canonical_xml(base)
    same = base.replace("<name>a</name>", "<name>a</name><vcpu placement='static'>1</vcpu>")
    assert canonical_xml(same) == canonical_xml(
        base.replace("<name>a</name>", "<name>a</name><vcpu>1</vcpu>"))

"""libvirt's xml2sexpr corpus: Xen XML -> SEXPR agrees with libvirt's xenFormatSxpr by meaning.

One test per ``xml2sexpr`` row of the corpus manifest (see the corpus README). The input XML is
parsed with :func:`xlate.xmlio.parse_xml`, converted with ``xen_to_sexpr.xsl`` (the manifest's
``xendConfigVersion`` becomes the ``xend-version`` parameter), and compared with the expected
SEXPR read by the codec, through :func:`canon.canonical_sexpr` (bare vs quoted and whitespace do
not count, nothing else is ignored).

Where the expected output cannot agree, the difference is declared below, item by item, and the
test checks that exactly that difference remains (docs/mapping.md, "Xen XML -> SEXPR").
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Callable, Dict, List, Tuple

import pytest
from lxml import etree

from canon import canonical_sexpr
from conftest import corpus_root
from xlate.codecs.sexpr import read_sexpr
from xlate.context import Context, Options
from xlate.xmlio import parse_xml, run_stylesheet


def _rows() -> List[dict]:
    root = corpus_root()
    if root is None:
        return []
    with open(root / "manifest.tsv", newline="", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f, delimiter="\t") if r["direction"] == "xml2sexpr"]


def _version(params: str) -> str:
    """``xendConfigVersion=2`` -> ``2``; ``1|2`` (run twice) -> the first; empty -> newest."""
    if not params:
        return ""
    assert params.startswith("xendConfigVersion="), params
    return params.split("=", 1)[1].split("|")[0]


def _drop(root: etree._Element, *keys: str) -> None:
    """Remove the items at an SXP key path, e.g. ``_drop(t, 'vm', 'image', 'hvm', 'pae')``."""
    nodes = [root]
    for key in keys[:-1]:
        nodes = [l for n in nodes for l in n.iterchildren("l") if len(l) and l[0].text == key]
    doomed = [l for n in nodes for l in n.iterchildren("l") if len(l) and l[0].text == keys[-1]]
    assert doomed, f"nothing at {'/'.join(keys)}: the declared difference is gone"
    for l in doomed:
        l.getparent().remove(l)


Adjust = Callable[[etree._Element], None]

#: name -> (reason, adjustment of xlate's output, adjustment of libvirt's expected output).
#: Each adjustment removes exactly the items the reason explains; everything else must agree.
EXPECTED_DIFFERENCES: Dict[str, Tuple[str, Adjust, Adjust]] = {
    "pv-vfb-new": (
        "broken pair (manifest consistent=no): the only stored input has no keymap, the expected "
        "output has (keymap 'ja')",
        lambda ours: None,
        lambda exp: _drop(exp, "vm", "device", "vfb", "keymap"),
    ),
    "fv-utc": (
        "the final libxl-based harness parsed the XML with the libxl driver, whose post-parse step "
        "turns PAE on for every x86_64 HVM guest; xlate writes the features the document has",
        lambda ours: None,
        lambda exp: _drop(exp, "vm", "image", "hvm", "pae"),
    ),
    "fv-net-many-models": (
        "same libxl post-parse (pae 1) as fv-utc",
        lambda ours: None,
        lambda exp: _drop(exp, "vm", "image", "hvm", "pae"),
    ),
    "disk-drv-blkback": (
        "expected output predates libvirt's (localtime) support (2009); xend config version 2 "
        "writes (localtime 0) at top level",
        lambda ours: _drop(ours, "vm", "localtime"),
        lambda exp: None,
    ),
    "fv-usbtablet": (
        "never run by any stored harness (fv-usbmouse is listed twice instead), so its expected "
        "output was never checked: it mixes the newest image clock keys into version-1 output; "
        "version 1 writes only the top-level (localtime)",
        lambda ours: _drop(ours, "vm", "localtime"),
        lambda exp: (_drop(exp, "vm", "image", "hvm", "rtc_timeoffset"),
                     _drop(exp, "vm", "image", "hvm", "localtime")),
    ),
}

#: Rows that cannot run at all.
MISSING_INPUT = {"pv": "the corpus has no input for this row (manifest: INPUT MISSING)"}


def _params():
    rows = _rows()
    if not rows:
        return [pytest.param(None, id="no-corpus")]
    out = []
    for row in rows:
        marks = []
        if row["name"] in MISSING_INPUT:
            marks.append(pytest.mark.xfail(raises=FileNotFoundError, strict=True,
                                           reason=MISSING_INPUT[row["name"]]))
        out.append(pytest.param(row, id=row["name"], marks=marks))
    return out


def _items(root: etree._Element) -> List[str]:
    """The canonical form of each top-level item of the (vm ...) list: readable diffs."""
    (vm,) = root
    return [canonical_sexpr(item) for item in vm]


def convert(path: Path, version: str) -> Tuple[etree._Element, Context]:
    ctx = Context(Options(xend_version=int(version) if version else None), file=str(path))
    tree = parse_xml(path.read_bytes(), file=str(path))
    result = run_stylesheet("xen_to_sexpr.xsl", tree, ctx, **{"xend-version": version})
    return result.getroot(), ctx


def read_expected(path: Path) -> etree._Element:
    # The harness deleted every backslash-newline before comparing (virTestLoadFile).
    text = path.read_text(encoding="utf-8").replace("\\\n", "")
    return read_sexpr(text, filename=str(path))


@pytest.mark.parametrize("row", _params())
def test_xml2sexpr_agrees_with_libvirt(row, libvirt_corpus):
    if row is None:
        pytest.skip("libvirt SEXPR corpus not found")
    ours, ctx = convert(libvirt_corpus / row["input"], _version(row["params"]))
    expected = read_expected(libvirt_corpus / row["expected"])
    if row["name"] in EXPECTED_DIFFERENCES:
        _, adjust_ours, adjust_expected = EXPECTED_DIFFERENCES[row["name"]]
        adjust_ours(ours)
        adjust_expected(expected)
    assert _items(ours) == _items(expected)


def test_every_declared_difference_is_a_corpus_row():
    names = {row["name"] for row in _rows()}
    if not names:
        pytest.skip("libvirt SEXPR corpus not found")
    assert set(EXPECTED_DIFFERENCES) <= names
    assert set(MISSING_INPUT) <= names
    # Broken pairs are declared, not silently passed.
    broken = {row["name"] for row in _rows() if row["consistent"] == "no"}
    assert broken <= set(EXPECTED_DIFFERENCES) | set(MISSING_INPUT)


def test_agreement_figure(libvirt_corpus):
    """Rows that agree without any declared difference: all but the declared ones."""
    rows = _rows()
    root = libvirt_corpus
    agree = 0
    for row in rows:
        if row["name"] in MISSING_INPUT:
            continue
        ours, _ = convert(root / row["input"], _version(row["params"]))
        if _items(ours) == _items(read_expected(root / row["expected"])):
            agree += 1
    runnable = len(rows) - len(MISSING_INPUT)
    assert agree == runnable - len(EXPECTED_DIFFERENCES), (agree, runnable)

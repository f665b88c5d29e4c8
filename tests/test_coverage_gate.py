"""The coverage gate: every mapping row and every loss code is exercised by the test data.

What a mapping row is, per stylesheet (xlate/xslt/):

- every template (``xsl:template``, by match, name and mode), including the empty ones that
  drop something: traced with libxslt's profiler (:func:`xlate.xmlio.trace_templates`) while
  the whole set below is converted in every direction;
- ``sexpr_to_xen.xsl``: every row ``<k c="CONTEXT" n="KEY">`` of its vocabulary tables: some
  SEXPR input must come out with ``<xen:KEY>`` inside the element of that context;
- ``xen_to_sexpr.xsl``: every row of its tables: ``t:k`` (an element the mapping reads, by
  signature ``parent/name``), ``t:f`` (an ``<os>`` child written as an image key), ``t:b``
  (a boot device letter) and ``t:u`` (a memory unit): some hub it converts must have it.

A loss code is exercised when some input of the set reports it and some test expects it (a
golden ``.losses`` file or a test module names it).

The set: examples/, every golden input and output under tests/golden/, tests/data/, libvirt's
SEXPR corpus, and the probes below; each read with every xend dialect (SEXPR), then written
as core (with and without --keep-xen, and read back), Xen XML and SEXPR in every dialect.

A row the set does not reach fails the gate, unless it is listed in KNOWN_GAPS with a reason;
a listed row that the set reaches fails it too (take it off the list).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest
from lxml import etree

import xlate
from xlate import xmlio
from xlate.losses import CATALOGUE

from conftest import REPO

XSLT = REPO / "xlate" / "xslt"
XSL = "{http://www.w3.org/1999/XSL/Transform}"
XEN = "urn:xlate:xen:1"
TABLES = "{urn:xlate:xen-to-sexpr:tables}"
DIALECTS = (None, 1, 2, 3, 4)

# Probes: inputs that reach rows the golden files do not, each with what it must give.
PROBE_METADATA = (REPO / "examples" / "pv-kernel.xen.xml").read_text().replace(
    "<memory",
    "<metadata><app:info xmlns:app='urn:example:app'><app:owner>ops</app:owner></app:info></metadata>\n"
    "  <memory", 1)

# A hub xend cannot take: xen_to_sexpr.xsl's "fail" template ends the run.
PROBE_NO_MEMORY = b"<domain type='xen'><name>probe</name><os><type>linux</type></os></domain>"

# Rows the set does not reach yet, each with the reason. The gate fails when one of them
# becomes reached (take it off) and when any other row is not.
KNOWN_GAPS: Dict[str, str] = {}

# Every memory unit libvirt accepts, each with a value that is a whole number of MiB
# (tests/test_xen_to_sexpr.py checks the numbers), and an HVM guest booting from a floppy.
UNIT_VALUES = {"b": 2**29, "byte": 2**29, "bytes": 2**29, "k": 2**19, "kb": 2**19, "m": 512,
               "mb": 2**14, "g": 1, "gb": 2**11, "t": 1, "tb": 2**8, "tib": 1, "p": 1, "pb": 32,
               "pib": 1}
PROBE_UNITS = [
    (f"probe:unit-{unit}",
     f"<domain type='xen'><name>u</name><memory unit='{unit}'>{value}</memory>"
     "<os><type>linux</type><kernel>/k</kernel></os></domain>".encode())
    for unit, value in UNIT_VALUES.items()
]
PROBE_FLOPPY_BOOT = (
    b"<domain type='xen'><name>f</name><memory unit='MiB'>256</memory>"
    b"<os><type>hvm</type><loader>/usr/lib/xen/boot/hvmloader</loader><boot dev='fd'/></os>"
    b"<devices><disk type='file' device='floppy'><source file='/srv/fd.img'/>"
    b"<target dev='fda'/></disk></devices></domain>"
)


def _inputs(corpus: Path) -> List[Tuple[str, bytes]]:
    files = [*sorted((REPO / "examples").glob("*")), *sorted((REPO / "tests" / "golden").glob("*/*")),
             *sorted((REPO / "tests" / "data").glob("*")), *sorted(corpus.glob("*/*"))]
    found = [(str(p.relative_to(p.parents[1])), p.read_bytes()) for p in files
             if p.suffix in (".xml", ".sexpr")]
    return found + [("probe:metadata", PROBE_METADATA.encode()), ("probe:no-memory", PROBE_NO_MEMORY),
                    ("probe:floppy-boot", PROBE_FLOPPY_BOOT), *PROBE_UNITS]


class Exercised:
    def __init__(self) -> None:
        self.trace = None
        self.codes: Set[str] = set()
        self.hubs: List[etree._Element] = []  # every hub written to another format
        self.sexpr_hubs: List[etree._Element] = []  # the hubs read from SEXPR


def _convert(ex: Exercised, data, **kw):
    try:
        result = xlate.convert(data, **kw)
    except xlate.LossError as exc:  # pragma: no cover - not strict here
        ex.codes.update(loss.code for loss in exc.losses)
        return None
    except xlate.XlateError:
        return None
    ex.codes.update(loss.code for loss in result.losses)
    return result


@pytest.fixture(scope="module")
def exercised(libvirt_corpus) -> Exercised:
    ex = Exercised()
    with xmlio.trace_templates() as trace:
        for name, data in _inputs(libvirt_corpus):
            sexpr = name.endswith(".sexpr")
            for dialect in DIALECTS if sexpr else (None,):
                read = _convert(ex, data, to="xen", xend_version=dialect)
                if read is None:
                    continue
                hub = read.output.encode()
                tree = etree.fromstring(hub)
                ex.hubs.append(tree)
                if sexpr:
                    ex.sexpr_hubs.append(tree)
                for keep in (False, True):
                    core = _convert(ex, hub, to="core", keep_xen=keep)
                    if core is not None and keep:
                        _convert(ex, core.output, to="xen")
                for version in DIALECTS:
                    _convert(ex, hub, to="sexpr", xend_version=version)
    ex.trace = trace
    return ex


# --------------------------------------------------------------------------------------------
# What the rows are
# --------------------------------------------------------------------------------------------

def _templates(name: str) -> List[Tuple[str, str, str]]:
    doc = etree.parse(str(XSLT / name))
    return [(t.get("match", ""), t.get("name", ""), t.get("mode", "")) for t in doc.iter(XSL + "template")]


def _template_id(name: str, key: Tuple[str, str, str]) -> str:
    match, called, mode = key
    return f"template {name} {match or 'name=' + called}" + (f" mode={mode}" if mode else "")


def _terminates(name: str, key: Tuple[str, str, str]) -> bool:
    """A named template that ends the run with an xlate:error (its calls are never profiled)."""
    doc = etree.parse(str(XSLT / name))
    for t in doc.iter(XSL + "template"):
        if (t.get("match", ""), t.get("name", ""), t.get("mode", "")) == key:
            return any(m.get("terminate") == "yes" for m in t.iter(XSL + "message"))
    return False


STYLESHEETS = sorted(p.name for p in XSLT.glob("*.xsl"))


def _gaps(found: Set[str], all_rows: List[str]) -> None:
    """Fail on rows not reached that are not known gaps, and on known gaps now reached."""
    missing = [r for r in all_rows if r not in found and r not in KNOWN_GAPS]
    assert not missing, "exercised by no test:\n  " + "\n  ".join(missing)
    closed = [r for r in all_rows if r in found and r in KNOWN_GAPS]
    assert not closed, "now exercised, take off KNOWN_GAPS:\n  " + "\n  ".join(closed)


@pytest.mark.parametrize("name", STYLESHEETS)
def test_every_template_is_exercised(exercised, name):
    calls = exercised.trace.calls.get(name, {})
    rows, found = [], set()
    for key in _templates(name):
        row = _template_id(name, key)
        rows.append(row)
        if calls.get(key) or (_terminates(name, key) and exercised.trace.errors.get(name)):
            found.add(row)
    _gaps(found, rows)


def test_every_vocabulary_row_is_exercised(exercised):
    """sexpr_to_xen.xsl: each <k c=CONTEXT n=KEY> reaches the hub as CONTEXT/xen:KEY."""
    pairs = set()
    for hub in exercised.sexpr_hubs:
        for el in hub.iter("{%s}*" % XEN):
            parent = el.getparent()
            pairs.add((etree.QName(parent).localname, etree.QName(el).localname))
    doc = etree.parse(str(XSLT / "sexpr_to_xen.xsl"))
    rows, found = [], set()
    for k in doc.iter("k"):
        context, key = k.get("c"), k.get("n")
        row = f"row sexpr_to_xen.xsl k {context}/{key}"
        rows.append(row)
        # a context names the element that holds the setting; vscsi-dev is a vscsi's <dev>
        parent = {"vscsi-dev": "dev"}.get(context, context)
        if (parent, key) in pairs:
            found.add(row)
    assert len(rows) > 50
    _gaps(found, rows)


def test_every_xen_to_sexpr_table_row_is_exercised(exercised):
    signatures, units, boots = set(), set(), set()
    for hub in exercised.hubs:
        for el in hub.iter():
            if not isinstance(el.tag, str):
                continue
            parent = el.getparent()
            if etree.QName(el).namespace is None:
                signatures.add("/domain" if parent is None else
                               f"{etree.QName(parent).localname}/{etree.QName(el).localname}")
            if el.get("unit"):
                units.add(el.get("unit").lower())
        boots.update(hub.xpath("/domain/os/boot/@dev"))
    doc = etree.parse(str(XSLT / "xen_to_sexpr.xsl"))
    rows, found = [], set()
    for kind, attr, present in (("k", "el", lambda v: v in signatures),
                                ("f", "el", lambda v: f"os/{v}" in signatures),
                                ("b", "dev", lambda v: v in boots),
                                ("u", "name", lambda v: v in units)):
        for row_el in doc.iter(TABLES + kind):
            value = row_el.get(attr)
            row = f"row xen_to_sexpr.xsl t:{kind} {value}"
            rows.append(row)
            if present(value):
                found.add(row)
    assert len(rows) > 50
    _gaps(found, rows)


def test_every_loss_code_is_reported_by_some_input(exercised):
    assert sorted(set(CATALOGUE) - exercised.codes) == []


def test_every_loss_code_is_expected_by_some_test():
    here = Path(__file__).resolve()
    texts = [p.read_text(errors="replace") for p in (REPO / "tests").rglob("*")
             if p.is_file() and p.resolve() != here and p.suffix in (".py", ".losses", ".txt", ".md")]
    unexpected = [code for code in CATALOGUE
                  if not any(re.search(rf"\b{re.escape(code)}\b", text) for text in texts)]
    assert unexpected == []


def test_known_gaps_name_real_rows():
    """A gap that no longer names a row (renamed or removed) must go."""
    rows = set()
    for name in STYLESHEETS:
        rows.update(_template_id(name, key) for key in _templates(name))
    doc = etree.parse(str(XSLT / "xen_to_sexpr.xsl"))
    for kind, attr in (("k", "el"), ("f", "el"), ("b", "dev"), ("u", "name")):
        rows.update(f"row xen_to_sexpr.xsl t:{kind} {e.get(attr)}" for e in doc.iter(TABLES + kind))
    doc = etree.parse(str(XSLT / "sexpr_to_xen.xsl"))
    rows.update(f"row sexpr_to_xen.xsl k {k.get('c')}/{k.get('n')}" for k in doc.iter("k"))
    assert sorted(set(KNOWN_GAPS) - rows) == []


def test_tracing_sees_empty_templates():
    """The tracer's own check: an empty template that runs is recorded."""
    with xmlio.trace_templates() as trace:
        xlate.convert(PROBE_METADATA, to="core", keep_xen=True)
    assert trace.calls["xen_to_core.xsl"].get(("/domain/metadata", "", ""))


# --------------------------------------------------------------------------------------------
# The probes' own expectations
# --------------------------------------------------------------------------------------------

def test_probe_metadata_round_trips_through_core():
    """Application metadata stays beside the kept Xen settings, and reading back restores both."""
    core = xlate.convert(PROBE_METADATA, to="core", keep_xen=True).output
    assert "<app:owner>ops</app:owner>" in core
    assert 'created-metadata="no"' in core
    assert xlate.convert(core, to="xen").output == xlate.convert(PROBE_METADATA, to="xen").output


def test_probe_no_memory_fails_with_the_stylesheet_message():
    with pytest.raises(xlate.ConversionError, match="the domain has no <memory>, which xend requires"):
        xlate.convert(PROBE_NO_MEMORY, to="sexpr")

"""Conversion speed, as ratios to baselines measured in the same run.

    python benchmarks/bench_convert.py [--quick]

Reports:
  xen->core      time per document of xen->core (the xen_to_core stylesheet and the loss
                 report, xlate.formats.core.to_core) over the examples and generated larger
                 domains, against an identity XSLT over the same parsed documents (goal <= 1.5x);
  sexpr->core    time per document of the whole SEXPR -> core conversion, against lxml parse +
                 serialize of the same output document (goal <= 5x); then each stage, and the
                 same design with its mapping taken out (identity XSLTs in place of the two
                 stylesheets): the least any codec + two-stylesheet pipeline can cost;
  CLI            wall time of `xlate convert --to core` on one small file, against
                 `python -c "import lxml.etree"` (goal <= 2x).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from lxml import etree  # noqa: E402

import xlate  # noqa: E402
from xlate.context import Context  # noqa: E402
from xlate.codecs.sexpr import read_sexpr  # noqa: E402
from xlate.formats import sexpr  # noqa: E402
from xlate.formats.core import to_core  # noqa: E402
from xlate.xmlio import parse_xml, run_stylesheet, serialize_xml  # noqa: E402

IDENTITY = etree.XSLT(etree.XML(
    b'<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
    b'<xsl:template match="@*|node()"><xsl:copy><xsl:apply-templates select="@*|node()"/>'
    b"</xsl:copy></xsl:template></xsl:stylesheet>"
))


def generated_domain(n_devices: int) -> bytes:
    """A PV guest with n disks and n vifs, each vif with a xen:backend, plus domain settings."""
    disks = "".join(
        f"<disk type='file' device='disk'><driver name='file'/><source file='/var/lib/xen/d{i}.img'/>"
        f"<target dev='xvd{chr(97 + i % 26)}{i // 26 or ''}' bus='xen'/></disk>"
        for i in range(n_devices)
    )
    vifs = "".join(
        f"<interface type='bridge'><mac address='00:16:3e:00:{i // 256:02x}:{i % 256:02x}'/>"
        f"<source bridge='xenbr0'/><script path='vif-bridge'/><xen:backend>0</xen:backend></interface>"
        for i in range(n_devices)
    )
    return (
        "<domain type='xen' xmlns:xen='urn:xlate:xen:1'><name>gen</name>"
        "<uuid>4f77abd2-3019-58e8-3bab-6fbf2118f880</uuid>"
        "<xen:cpu_weight>256</xen:cpu_weight><xen:cpu_cap>0</xen:cpu_cap>"
        "<memory unit='KiB'>524288</memory><vcpu>2</vcpu>"
        "<os><type>linux</type><kernel>/boot/vmlinuz</kernel><initrd>/boot/initrd</initrd>"
        "<cmdline>root=/dev/xvda1 ro</cmdline></os>"
        f"<devices>{disks}{vifs}</devices></domain>"
    ).encode()


def best_per_doc(fn, docs, rounds: int) -> float:
    """Best-of-rounds mean CPU time per document, in seconds (CPU time: robust to a busy machine)."""
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for doc in docs:
            fn(doc)
        best = min(best, (time.process_time() - start) / len(docs))
    return best


def bench_xen_to_core(rounds: int) -> None:
    sources = [p.read_bytes() for p in sorted((REPO / "examples").glob("*.xen.xml"))]
    sets = {"examples": sources} if sources else {}
    for n in (10, 50, 120):
        sets[f"generated, {n} disks + {n} vifs"] = [generated_domain(n)]
    print("xen->core (stylesheet and loss report) vs identity XSLT, per document")
    for label, raw in sets.items():
        trees = [parse_xml(doc) for doc in raw]
        reps = max(1, 2000 // (len(trees) * max(1, len(raw[0]) // 2000)))
        docs = trees * reps
        ours = best_per_doc(lambda t: to_core(t, Context()), docs, rounds)
        base = best_per_doc(IDENTITY, docs, rounds)
        bare = best_per_doc(lambda t: run_stylesheet("xen_to_core.xsl", t, Context()), docs, rounds)
        print(f"  {label:<32} {ours * 1e6:9.1f} us  identity {base * 1e6:9.1f} us  ratio {ours / base:5.2f}x"
              f"  (transform without loss report {bare / base:4.2f}x)")


def bench_sexpr_to_core(rounds: int) -> None:
    corpus = REPO.parent / "shared" / "corpus" / "libvirt-sexpr" / "sexpr2xml"
    corpus = Path(os.environ.get("XLATE_LIBVIRT_CORPUS", corpus.parent)) / "sexpr2xml"
    files = sorted(corpus.glob("*.sexpr")) + sorted((REPO / "examples").glob("*.sexpr"))
    docs = [f.read_bytes().replace(b"\\\n", b"") for f in files]
    docs = [d for d in docs if _converts(d)]
    if not docs:
        print("sexpr->core: no SEXPR documents found (set XLATE_LIBVIRT_CORPUS)")
        return
    outputs = [xlate.convert(d, to="core").data for d in docs]
    ours = best_per_doc(lambda d: xlate.convert(d, to="core"), docs * 20, rounds)
    floor = best_per_doc(lambda o: etree.tostring(etree.fromstring(o)), outputs * 20, rounds)
    print(f"sexpr->core over {len(docs)} documents, per document")
    print(f"  xlate.convert {ours * 1e6:9.1f} us  lxml parse+serialize of the output "
          f"{floor * 1e6:9.1f} us  ratio {ours / floor:5.2f}x")

    # Where the time goes, stage by stage, and what the design costs before any mapping: the
    # codec, then an identity XSLT over each tree the two stylesheets walk (codec tree, hub),
    # then serializing the output.
    texts = [d.decode("utf-8") for d in docs] * 20
    trees = [etree.ElementTree(read_sexpr(t, recover=True, diagnostics=[])) for t in texts]
    hubs = [sexpr.read(d, Context()) for d in docs * 20]
    cores = [to_core(h, Context()) for h in hubs]
    stages = {
        "codec (text -> tree)": best_per_doc(lambda t: read_sexpr(t, recover=True, diagnostics=[]), texts, rounds),
        "sexpr_to_xen.xsl": best_per_doc(lambda t: run_stylesheet(
            "sexpr_to_xen.xsl", t, Context(), vocabulary=sexpr._vocabulary()), trees, rounds),
        "xen->core (stylesheet and loss report)": best_per_doc(lambda h: to_core(h, Context()), hubs, rounds),
        "serialize": best_per_doc(lambda c: serialize_xml(c, pretty=True), cores, rounds),
    }
    for label, cost in stages.items():
        print(f"    {label:<40} {cost * 1e6:8.1f} us  {cost / floor:5.2f}x the floor")
    bare = (stages["codec (text -> tree)"] + best_per_doc(IDENTITY, trees, rounds)
            + best_per_doc(IDENTITY, hubs, rounds) + stages["serialize"])
    print(f"  the design without its mapping (codec + identity XSLT over the codec tree and over "
          f"the hub + serialize) {bare * 1e6:.1f} us  ratio {bare / floor:5.2f}x")


def _converts(doc: bytes) -> bool:
    try:
        xlate.convert(doc, to="core")
        return True
    except xlate.XlateError:
        return False


def bench_cli(runs: int) -> None:
    small = next(iter(sorted((REPO / "examples").glob("*.xen.xml"))), None)
    tmp = None
    if small is None:
        tmp = REPO / "benchmarks" / ".small.xen.xml"
        tmp.write_bytes(generated_domain(2))
        small = tmp
    env = dict(os.environ, PYTHONPATH=str(REPO))
    # An installed xlate runs from compiled bytecode, as lxml does: allow it to be written.
    env.pop("PYTHONDONTWRITEBYTECODE", None)

    def wall(argv) -> float:
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    ours = wall([sys.executable, "-m", "xlate", "convert", "--to", "core", str(small)])
    base = wall([sys.executable, "-c", "import lxml.etree"])
    if tmp:
        tmp.unlink()
    print(f"CLI wall time (median of {runs}): xlate convert --to core {small.name} {ours * 1e3:6.1f} ms, "
          f"python -c 'import lxml.etree' {base * 1e3:6.1f} ms, ratio {ours / base:4.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer rounds")
    args = ap.parse_args()
    rounds = 3 if args.quick else 7
    print(f"python {platform.python_version()}, lxml {etree.__version__}, "
          f"libxslt {'.'.join(map(str, etree.LIBXSLT_VERSION))}, {os.cpu_count()} cores")
    bench_xen_to_core(rounds)
    try:
        import xlate.formats.sexpr  # noqa: F401
    except ImportError:
        print("sexpr->core: SEXPR format not available")
    else:
        bench_sexpr_to_core(rounds)
    bench_cli(15 if args.quick else 31)


if __name__ == "__main__":
    main()

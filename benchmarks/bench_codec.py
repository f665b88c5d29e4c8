"""S-expression codec: read throughput against sexpdata, measured in the same run.

    python benchmarks/bench_codec.py [--corpus DIR] [--rounds N] [--check]

Input: every .sexpr file of libvirt's SEXPR corpus, with backslash-newline pairs deleted as
libvirt's test harness did (see the corpus README). The corpus is found like the tests find it:
--corpus, else $XLATE_LIBVIRT_CORPUS, else ../shared/corpus/libvirt-sexpr next to the checkout.

Reports, in MB/s of UTF-8 input:
  read_sexpr        on the files sexpdata.loads accepts (it reads 'x' as a Lisp quote and
                    fails on some files), the same bytes for both;
  sexpdata.loads    on those files;
  ratio             read_sexpr / sexpdata.loads (goal >= 5);
  read_sexpr, all   on every file (recover=True for the four unbalanced ones);
  write_sexpr       compact form of the trees of every file (for reference).
Each figure is the best of --rounds rounds; the two readers alternate within a round so that
both see the same machine load. --check exits 1 when the ratio is below 5.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import sexpdata  # noqa: E402
from lxml import etree  # noqa: E402

from xlate.codecs.sexpr import read_sexpr, write_sexpr  # noqa: E402

GOAL = 5.0


def corpus_dir(arg: str | None) -> Path:
    default = REPO.parent / "shared" / "corpus" / "libvirt-sexpr"
    for candidate in (arg, os.environ.get("XLATE_LIBVIRT_CORPUS"), default):
        if candidate and (Path(candidate) / "manifest.tsv").is_file():
            return Path(candidate)
    sys.exit("libvirt SEXPR corpus not found: pass --corpus DIR or set XLATE_LIBVIRT_CORPUS")


def best_seconds(fn, texts, rounds_done: dict, key: str, min_time: float = 0.2) -> None:
    """Run fn over all texts as often as fits in min_time; keep the best time per pass."""
    passes = 0
    start = time.perf_counter()
    while True:
        for text in texts:
            fn(text)
        passes += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_time:
            break
    rounds_done[key] = min(rounds_done.get(key, float("inf")), elapsed / passes)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", help="the libvirt-sexpr corpus directory")
    ap.add_argument("--rounds", type=int, default=7, help="rounds; each figure is the best (default 7)")
    ap.add_argument("--check", action="store_true", help=f"exit 1 if the ratio is below {GOAL:g}")
    args = ap.parse_args()

    files = sorted(corpus_dir(args.corpus).glob("*/*.sexpr"))
    texts = [f.read_text(encoding="utf-8").replace("\\\n", "") for f in files]
    common = []
    for text in texts:
        try:
            sexpdata.loads(text)
        except Exception:  # sexpdata's own errors: Lisp quote misreading, unbalanced input
            continue
        common.append(text)
    trees = [read_sexpr(t, recover=True) for t in texts]

    def size(ts):
        return sum(len(t.encode("utf-8")) for t in ts)

    best: dict = {}
    for _ in range(args.rounds):
        best_seconds(read_sexpr, common, best, "ours")
        best_seconds(sexpdata.loads, common, best, "sexpdata")
        best_seconds(lambda t: read_sexpr(t, recover=True), texts, best, "ours_all")
        best_seconds(write_sexpr, trees, best, "write")

    mbs = {
        "ours": size(common) / best["ours"] / 1e6,
        "sexpdata": size(common) / best["sexpdata"] / 1e6,
        "ours_all": size(texts) / best["ours_all"] / 1e6,
        "write": size(write_sexpr(t) for t in trees) / best["write"] / 1e6,
    }
    ratio = mbs["ours"] / mbs["sexpdata"]
    lxml_version = ".".join(map(str, etree.LXML_VERSION[:3]))
    libxml2_version = ".".join(map(str, etree.LIBXML_VERSION))
    print(f"machine: {platform.machine()}, nproc {os.cpu_count()}, Python {platform.python_version()}, "
          f"lxml {lxml_version}, libxml2 {libxml2_version}, sexpdata {sexpdata.__version__}")
    print(f"corpus: {len(texts)} files, {size(texts)} bytes; "
          f"sexpdata accepts {len(common)} files, {size(common)} bytes")
    print(f"read_sexpr       {mbs['ours']:7.2f} MB/s")
    print(f"sexpdata.loads   {mbs['sexpdata']:7.2f} MB/s")
    print(f"ratio            {ratio:7.2f}x (goal >= {GOAL:g}x)")
    print(f"read_sexpr, all  {mbs['ours_all']:7.2f} MB/s")
    print(f"write_sexpr      {mbs['write']:7.2f} MB/s")
    return 1 if args.check and ratio < GOAL else 0


if __name__ == "__main__":
    sys.exit(main())

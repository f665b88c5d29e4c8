"""Shared set-up of the fuzz targets in this folder (atheris, libFuzzer's engine).

Each ``fuzz_*.py`` script defines ``check(data: bytes)``: it feeds the bytes to one reader
through xlate's public API and lets only :class:`xlate.errors.XlateError` through; any other
exception (or an invariant that does not hold) is a crash, which libFuzzer saves as
``crash-<sha1>`` in the working directory. Run a script as::

    python fuzz/fuzz_sexpr.py -runs=1000000 -seed=1 [CORPUS_DIR ...]

Without a corpus directory the script makes one in the system's temporary folder; an empty
corpus directory (made or given) is first seeded with the repository's examples and golden
files of the target's format. Every libFuzzer option works
(``-max_len``, ``-timeout``, ``-rss_limit_mb``, ...); ``-atheris_runs=N`` stops after N runs.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Callable, Iterable, List

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # the checkout's xlate, not an installed copy

import atheris  # noqa: E402

with atheris.instrument_imports(include=["xlate"]):
    import xlate  # noqa: F401,E402
    import xlate.api  # noqa: F401,E402
    import xlate.codecs.sexpr  # noqa: F401,E402
    import xlate.formats.core  # noqa: F401,E402
    import xlate.formats.sexpr  # noqa: F401,E402
    import xlate.formats.xen  # noqa: F401,E402
    import xlate.limits  # noqa: F401,E402
    import xlate.xmlio  # noqa: F401,E402

from xlate.errors import XlateError  # noqa: E402

# Documents larger than this are mostly the same mutation repeated; libFuzzer's default
# (4096) is too small for a whole guest configuration.
DEFAULT_MAX_LEN = 65536


def seed_files(patterns: Iterable[str]) -> List[Path]:
    """Files of the repository matching glob ``patterns`` (relative to its root)."""
    found: List[Path] = []
    for pattern in patterns:
        found.extend(sorted(p for p in REPO.glob(pattern) if p.is_file()))
    return found


def only_xlate_errors(call: Callable[[], object]) -> object:
    """Run ``call``; an XlateError is an expected outcome for bad input, anything else escapes."""
    try:
        return call()
    except XlateError:
        return None


def main(name: str, check: Callable[[bytes], None], seeds: Iterable[str]) -> None:
    """Run ``check`` under libFuzzer with the command line's options and corpus directories."""
    args = list(sys.argv)
    if not any(a.startswith("-max_len=") for a in args[1:]):
        args.insert(1, f"-max_len={DEFAULT_MAX_LEN}")
    dirs = [a for a in args[1:] if not a.startswith("-")]
    if not dirs:
        corpus = Path(tempfile.mkdtemp(prefix=f"xlate-fuzz-{name}-"))
        args.append(str(corpus))
        dirs = [str(corpus)]
    first = Path(dirs[0])
    if first.is_dir() and not any(first.iterdir()):
        for path in seed_files(seeds):
            (first / path.name).write_bytes(path.read_bytes())
        print(f"#{name}: corpus {first} ({len(os.listdir(first))} seeds)", file=sys.stderr)
    atheris.Setup(args, check)
    atheris.Fuzz()

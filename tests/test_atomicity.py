"""Killing a run (SIGINT, SIGTERM, SIGKILL) leaves every output file as it was or complete.

Each test starts ``python -m xlate convert`` in its own process group, waits until it is busy
writing outputs, sends the signal, and then checks every output file byte for byte against
its old content and against the complete output of an undisturbed run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

import pytest

from conftest import REPO

N_FILES = 240
OLD = b"<old>written by an earlier run</old>\n"


def _env() -> Dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(REPO), CI="1")  # CI: no progress bar


def _xlate(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "xlate", *args], env=_env(), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, start_new_session=True, **kw,
    )


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Inputs (core XML examples under many names) and the outputs of a complete run."""
    root = tmp_path_factory.mktemp("atomic")
    src = root / "in"
    src.mkdir()
    examples = sorted(p for p in (REPO / "examples").glob("*.xml") if not p.name.endswith(".xen.xml"))
    for i in range(N_FILES):
        example = examples[i % len(examples)]
        (src / f"guest{i:04d}.xml").write_bytes(example.read_bytes())
    ref = root / "ref"
    proc = subprocess.run([sys.executable, "-m", "xlate", "convert", "--to", "xen", "-q", "--out-dir",
                           str(ref), "-j", "1", str(src)], env=_env(), capture_output=True)
    assert proc.returncode == 0, proc.stderr
    assert len(list(ref.iterdir())) == N_FILES
    return src, ref


def _prepare(tmp_path: Path, ref: Path) -> Dict[str, Optional[bytes]]:
    """An output directory where every other output exists with old content."""
    out = tmp_path / "out"
    out.mkdir()
    before: Dict[str, Optional[bytes]] = {}
    for i, path in enumerate(sorted(ref.iterdir())):
        if i % 2:
            (out / path.name).write_bytes(OLD)
            before[path.name] = OLD
        else:
            before[path.name] = None
    return before


def _written(out: Path, before: Dict[str, Optional[bytes]]) -> int:
    n = 0
    for name, old in before.items():
        try:
            data = (out / name).read_bytes()
        except FileNotFoundError:
            continue
        n += data != old
    return n


def _wait_until_busy(proc: subprocess.Popen, out: Path, before, at_least: int) -> None:
    deadline = time.monotonic() + 60
    while _written(out, before) < at_least:
        if proc.poll() is not None:
            pytest.fail(f"the run ended before the signal: {proc.stderr.read().decode()}")
        if time.monotonic() > deadline:
            pytest.fail("the run wrote nothing within 60 s")
        time.sleep(0.002)


def _check_outputs(out: Path, ref: Path, before: Dict[str, Optional[bytes]], *, temp_ok: bool) -> List[str]:
    """Every output as it was or complete; returns the names of outputs completed."""
    completed = []
    for name, old in before.items():
        path = out / name
        data = path.read_bytes() if path.exists() else None
        complete = (ref / name).read_bytes()
        assert data in (old, complete), f"{name}: partial output ({len(data or b'')} bytes)"
        if data == complete:
            completed.append(name)
    leftovers = sorted(p.name for p in out.iterdir() if p.name not in before)
    if temp_ok:  # SIGKILL gives no chance to clean up: only hidden temporary files may remain
        assert all(n.startswith(".xlate-") and n.endswith(".tmp") for n in leftovers), leftovers
    else:
        assert leftovers == []
    return completed


CASES = [
    # signal, sent to the whole group (as a terminal does for Ctrl-C) or to xlate only, jobs,
    # the exit status and the one line on stderr
    ("SIGINT", "group", "1", 130, "xlate: interrupted"),
    ("SIGINT", "group", "2", 130, "xlate: interrupted"),
    ("SIGTERM", "process", "1", 143, "xlate: terminated"),
    ("SIGTERM", "process", "2", 143, "xlate: terminated"),
    ("SIGTERM", "group", "2", 143, "xlate: terminated"),
    ("SIGKILL", "process", "1", -9, None),
    ("SIGKILL", "group", "2", -9, None),
]


@pytest.mark.parametrize("signame, target, jobs, status, line", CASES,
                         ids=[f"{c[0]}-{c[1]}-j{c[2]}" for c in CASES])
def test_killed_batch_leaves_outputs_old_or_complete(batch, tmp_path, signame, target, jobs, status, line):
    src, ref = batch
    before = _prepare(tmp_path, ref)
    out = tmp_path / "out"
    proc = _xlate("convert", "--to", "xen", "-q", "--out-dir", str(out), "-j", jobs, str(src))
    _wait_until_busy(proc, out, before, at_least=N_FILES // 8)
    sig = getattr(signal, signame)
    if target == "group":
        os.killpg(proc.pid, sig)
    else:
        os.kill(proc.pid, sig)
    _, err = proc.communicate(timeout=60)
    if signame == "SIGKILL":
        try:  # workers of a killed run must not go on writing: kill any that are left
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        time.sleep(0.2)
    stderr = err.decode()
    assert "Traceback" not in stderr
    assert proc.returncode == status, stderr
    if line is not None:
        assert stderr.splitlines() == [line], stderr
    completed = _check_outputs(out, ref, before, temp_ok=signame == "SIGKILL")
    assert 0 < len(completed) < N_FILES  # the signal came in the middle of the run


@pytest.fixture(scope="module")
def big_input(tmp_path_factory):
    """A guest with a 12 MiB description: converting it to SEXPR takes a few tenths of a
    second, so signals at different moments land before, during and after the write."""
    root = tmp_path_factory.mktemp("single")
    text = (REPO / "examples" / "pv-kernel.xml").read_text()
    path = root / "guest.xml"
    path.write_text(text.replace("</domain>", "<description>" + "x" * (12 << 20) + "</description></domain>"))
    ref = root / "guest.sexpr"
    proc = subprocess.run([sys.executable, "-m", "xlate", "convert", "--to", "sexpr", *_BIG, "-q", "-o",
                           str(ref), str(path)], env=_env(), capture_output=True)
    assert proc.returncode == 0, proc.stderr
    return path, ref.read_bytes()


_BIG = ("--limit", "atom=16M", "--limit", "input=32M")


@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM", "SIGKILL"])
def test_killed_single_file_run_leaves_the_output_old_or_complete(big_input, tmp_path, signame):
    """``-o OUT``: a signal at any moment leaves OUT old or complete (tried at many moments)."""
    source, complete = big_input
    out = tmp_path / "guest.sexpr"
    outcomes = set()
    for delay in (0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.7, 1.5):
        out.write_bytes(OLD)
        proc = _xlate("convert", "--to", "sexpr", *_BIG, "-q", "-o", str(out), str(source))
        time.sleep(delay)
        os.killpg(proc.pid, getattr(signal, signame))
        _, err = proc.communicate(timeout=30)
        assert "Traceback" not in err.decode()
        data = out.read_bytes()
        assert data in (OLD, complete), f"partial output ({len(data)} bytes)"
        outcomes.add(data == OLD)
        leftovers = [p.name for p in tmp_path.iterdir() if p.name != out.name]
        if signame != "SIGKILL":
            assert leftovers == []
        for extra in leftovers:
            (tmp_path / extra).unlink()
    assert outcomes == {True, False}  # some runs were stopped early, some had finished

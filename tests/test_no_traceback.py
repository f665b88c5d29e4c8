"""No traceback, ever: broken pipes, Ctrl-C, permissions, directories and missing files as
input, unwritable outputs each end in one clear line on stderr and the documented exit code
(0 success, 1 failure, 2 usage, 3 internal error, 130 interrupted, 143 terminated)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from xlate import cli

from conftest import REPO

EXAMPLE = REPO / "examples" / "pv-kernel.xml"


def _env():
    return dict(os.environ, PYTHONPATH=str(REPO), CI="1")


def run(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "xlate", *args], env=_env(), capture_output=True,
                          text=True, timeout=60, **kw)


def assert_one_line(stderr: str, *expected: str) -> None:
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    for part in expected:
        assert part in lines[0], stderr


@pytest.fixture
def big(tmp_path) -> Path:
    """A guest whose output is larger than a pipe's buffer."""
    text = EXAMPLE.read_text().replace("</domain>", "<description>" + "d" * 400_000 + "</description></domain>")
    path = tmp_path / "big.xml"
    path.write_text(text)
    return path


# --------------------------------------------------------------------------------------------
# Broken pipes: xlate ... | head
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [
    ["convert", "--to", "xen", "BIG", "BIG"],
    ["convert", "--to", "core", "-q", "BIG", "BIG", "BIG"],
    ["detect"] + ["EXAMPLE"] * 5000,
    ["validate"] + ["EXAMPLE"] * 400,
])
def test_broken_pipe_is_quiet(big, command):
    # Several outputs: the first write() into a pipe whose reader leaves during it may still
    # report success (the kernel returns what it took); the next one fails with EPIPE.
    argv = [str(big) if a == "BIG" else str(EXAMPLE) if a == "EXAMPLE" else a for a in command]
    proc = subprocess.Popen([sys.executable, "-m", "xlate", *argv], env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.read(10)  # like head -c 10: read a little, then go away
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert err == ""
    assert proc.returncode == 1


def test_full_disk_on_stdout_is_one_line():
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "xlate", "convert", "--to", "xen", str(EXAMPLE)],
                              env=_env(), stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
    assert_one_line(proc.stderr, "xlate: error: standard output: cannot write: No space left on device")
    assert proc.returncode == 1


@pytest.mark.parametrize("command", [["detect", "EXAMPLE"], ["formats"], ["validate", "EXAMPLE"]])
def test_full_disk_for_other_commands(command):
    argv = [str(EXAMPLE) if a == "EXAMPLE" else a for a in command]
    with open("/dev/full", "w") as full:
        proc = subprocess.run([sys.executable, "-m", "xlate", *argv], env=_env(), stdout=full,
                              stderr=subprocess.PIPE, text=True, timeout=60)
    assert_one_line(proc.stderr, "No space left on device")
    assert proc.returncode == 1


# --------------------------------------------------------------------------------------------
# Ctrl-C and SIGTERM
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("signame, status, line", [("SIGINT", 130, "xlate: interrupted"),
                                                   ("SIGTERM", 143, "xlate: terminated")])
def test_signal_while_reading_stdin(signame, status, line):
    proc = subprocess.Popen([sys.executable, "-m", "xlate", "convert", "--to", "xen", "-"], env=_env(),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(1.0)  # started and waiting for input
    proc.send_signal(getattr(signal, signame))
    out, err = proc.communicate(timeout=30)
    assert out == b""
    assert err.decode() == line + "\n"
    assert proc.returncode == status


def test_keyboard_interrupt_in_process(monkeypatch, capsys):
    def interrupted(*args, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr("xlate.api.convert", interrupted)
    assert cli.main(["convert", "--to", "xen", str(EXAMPLE)]) == 130
    assert capsys.readouterr().err == "xlate: interrupted\n"


def test_sigterm_handler_is_restored_after_main(capsys):
    before = signal.getsignal(signal.SIGTERM)
    cli.main(["formats"])
    assert signal.getsignal(signal.SIGTERM) is before


# --------------------------------------------------------------------------------------------
# Inputs that are not readable files
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["convert", "--to", "xen"], ["convert", "--to", "xen", "-o", "OUT"],
                                     ["validate"], ["detect"], ["diff", "EXAMPLE"]])
def test_missing_input(tmp_path, command):
    argv = [str(tmp_path / "out.xml") if a == "OUT" else str(EXAMPLE) if a == "EXAMPLE" else a
            for a in command]
    missing = tmp_path / "no-such.xml"
    proc = run(*argv, str(missing))
    assert_one_line(proc.stderr, f"{missing}: error: cannot read: No such file or directory")
    assert proc.returncode == 1
    assert not (tmp_path / "out.xml").exists()


@pytest.mark.parametrize("command", [["convert", "--to", "xen"], ["convert", "--to", "xen", "-o", "OUT"],
                                     ["diff", "EXAMPLE"]])
def test_directory_as_input(tmp_path, command):
    argv = [str(tmp_path / "out.xml") if a == "OUT" else str(EXAMPLE) if a == "EXAMPLE" else a
            for a in command]
    directory = tmp_path / "guests"
    directory.mkdir()
    proc = run(*argv, str(directory))
    assert_one_line(proc.stderr, f"{directory}: error: is a directory")
    assert proc.returncode == 1


def test_empty_stdin():
    proc = run("convert", "--to", "xen", "-", stdin=subprocess.DEVNULL)
    assert_one_line(proc.stderr, "<stdin>: error: cannot detect the format")
    assert proc.returncode == 1


def test_endless_input_stops_at_the_size_limit():
    proc = run("convert", "--to", "xen", "--limit", "input=1M", "/dev/zero")
    assert_one_line(proc.stderr, "/dev/zero: error: input is over the limit of 1048576 bytes")
    assert proc.returncode == 1


# --------------------------------------------------------------------------------------------
# Outputs that cannot be written
# --------------------------------------------------------------------------------------------

def test_output_under_a_file(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    proc = run("convert", "--to", "xen", "-o", str(blocker / "out.xml"), str(EXAMPLE))
    assert_one_line(proc.stderr, "Not a directory")
    assert proc.returncode == 1


def test_output_is_a_directory(tmp_path):
    proc = run("convert", "--to", "xen", "-o", str(tmp_path), str(EXAMPLE))
    assert_one_line(proc.stderr, f"{tmp_path}: error: ")
    assert proc.returncode == 1


def test_out_dir_is_a_file(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    proc = run("convert", "--to", "xen", "-q", "--out-dir", str(blocker), str(EXAMPLE))
    assert_one_line(proc.stderr, "error: ")
    assert proc.returncode == 1
    assert blocker.read_text() == "x"


def test_log_into_a_directory(tmp_path):
    proc = run("convert", "--to", "xen", "--log", str(tmp_path), str(EXAMPLE))
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1].startswith(f"{tmp_path}")


# --------------------------------------------------------------------------------------------
# Permissions (as root, the checks run with the effective user set to nobody)
# --------------------------------------------------------------------------------------------

NOBODY = 65534


@contextmanager
def unprivileged():
    if os.geteuid() != 0:
        yield
        return
    os.setegid(NOBODY)
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


@pytest.fixture
def public_dir():
    """A directory outside pytest's private tmp folder, so that nobody can reach it."""
    path = Path(tempfile.mkdtemp(prefix="xlate-perm-"))
    path.chmod(0o755)
    yield path
    for p in sorted(path.rglob("*"), reverse=True):
        p.chmod(0o700)
        p.rmdir() if p.is_dir() else p.unlink()
    path.rmdir()


def test_unreadable_input(public_dir, capsys):
    secret = public_dir / "secret.xml"
    secret.write_bytes(EXAMPLE.read_bytes())
    secret.chmod(0)
    with unprivileged():
        code = cli.main(["convert", "--to", "xen", str(secret)])
    assert code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert_one_line(captured.err, f"{secret}: error: cannot read: Permission denied")


def test_unreadable_directory_in_a_batch(public_dir, capsys):
    locked = public_dir / "locked"
    locked.mkdir()
    (locked / "g.xml").write_bytes(EXAMPLE.read_bytes())
    locked.chmod(0)
    with unprivileged():
        code = cli.main(["detect", str(public_dir)])
    assert code == 1
    assert_one_line(capsys.readouterr().err, f"{locked}: error: cannot read: Permission denied")


def test_unwritable_output_directory(public_dir, capsys):
    out_dir = public_dir / "ro"
    out_dir.mkdir()
    existing = out_dir / "g.xen.xml"
    existing.write_text("old")
    out_dir.chmod(0o555)
    with unprivileged():
        code = cli.main(["convert", "--to", "xen", "-o", str(existing), str(EXAMPLE)])
    assert code == 1
    assert_one_line(capsys.readouterr().err, f"{existing}: error: cannot write: Permission denied")
    assert existing.read_text() == "old"


# --------------------------------------------------------------------------------------------
# A bug in xlate: one line and exit 3
# --------------------------------------------------------------------------------------------

def test_internal_error_is_one_line(monkeypatch, capsys):
    def broken(*args, **kw):
        raise ValueError("something xlate did not expect")

    monkeypatch.setattr("xlate.api.convert", broken)
    assert cli.main(["convert", "--to", "xen", str(EXAMPLE)]) == 3
    assert_one_line(capsys.readouterr().err, "xlate: internal error: ValueError: something xlate did not expect",
                    "please report this bug")


def test_internal_error_in_a_batch_is_one_line(monkeypatch, capsys, tmp_path):
    def broken(*args, **kw):
        raise ValueError("something xlate did not expect")

    monkeypatch.setattr("xlate.api.convert", broken)
    code = cli.main(["convert", "--to", "xen", "-q", "--out-dir", str(tmp_path), "-j", "1", str(EXAMPLE)])
    assert code == 3
    assert_one_line(capsys.readouterr().err, "internal error: ValueError: something xlate did not expect")

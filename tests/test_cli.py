"""The xlate command: exit codes, one-line messages, atomic output, JSON log."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from xlate.cli import main

REPO = Path(__file__).resolve().parent.parent
XEN_DOC = Path(__file__).parent / "data" / "xen-settings.xen.xml"


def run(*argv: str, stdin: bytes = b"", cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the real command in a subprocess, as a user would."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-m", "xlate", *argv], input=stdin, capture_output=True, env=env, cwd=cwd
    )


def lines(data: bytes) -> list[str]:
    return data.decode().splitlines()


def test_convert_xen_to_core_prints_output_and_warnings():
    proc = run("convert", "--to", "core", str(XEN_DOC))
    assert proc.returncode == 0
    assert proc.stdout.startswith(b'<domain type="xen">')
    warnings = lines(proc.stderr)
    assert len(warnings) == 5
    assert warnings[0] == (
        f"{XEN_DOC}:4: warning: /domain/xen:cpu_weight: Xen-only setting cpu_weight = 512 "
        "has no core equivalent [XEN-DROPPED]"
    )


def test_strict_turns_losses_into_errors_and_writes_nothing(tmp_path):
    out = tmp_path / "out.xml"
    out.write_bytes(b"old contents\n")
    proc = run("convert", "--to", "core", "--strict", "-o", str(out), str(XEN_DOC))
    assert proc.returncode == 1
    assert all(": error: " in line for line in lines(proc.stderr))
    assert len(lines(proc.stderr)) == 5
    assert out.read_bytes() == b"old contents\n"


def test_output_file_is_written_and_round_trips(tmp_path):
    core = tmp_path / "core.xml"
    assert main(["convert", "--to", "core", "--keep-xen", "-q", "-o", str(core), str(XEN_DOC)]) == 0
    proc = run("convert", "--to", "xen", "-", stdin=core.read_bytes())
    assert proc.returncode == 0 and proc.stderr == b""
    direct = run("convert", "--to", "xen", str(XEN_DOC))
    assert proc.stdout == direct.stdout


def test_bad_input_is_one_line_with_position(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_bytes(b"<domain>\n<name>x</nam>\n</domain>\n")
    proc = run("convert", "--to", "xen", str(bad))
    assert proc.returncode == 1
    assert lines(proc.stderr) == [
        f"{bad}:2:14: error: Opening and ending tag mismatch: name line 2 and nam"
    ]
    assert proc.stdout == b""


@pytest.mark.parametrize(
    "argv, message",
    [
        (["convert", "--to", "bogus", "x"], "xlate: error: argument -t/--to: unknown format 'bogus'"),
        (["convert", "x"], "xlate: error: the following arguments are required: -t/--to"),
        (["convert", "--to", "core", "--no-such-flag", "x"], "xlate: error: unrecognized arguments"),
        (["frobnicate"], "xlate: error: argument COMMAND: invalid choice"),
        (["convert", "--to", "xen", "-o", "o", "a", "b"], "xlate: error: -o/--output takes one input"),
    ],
)
def test_usage_errors_exit_2_with_one_line(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(message)


def test_missing_file_and_directory(tmp_path, capsys):
    assert main(["convert", "--to", "core", str(tmp_path / "nope.xml")]) == 1
    assert main(["convert", "--to", "core", str(tmp_path)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"{tmp_path / 'nope.xml'}: error: cannot read: No such file or directory",
        f"{tmp_path}: error: is a directory",
    ]


def test_log_file_is_json(tmp_path, capsys):
    log = tmp_path / "log.json"
    assert main(["convert", "--to", "core", "--log", str(log), str(XEN_DOC)]) == 0
    data = json.loads(log.read_text())
    assert data["version"] == 1
    assert [m["code"] for m in data["messages"]] == ["XEN-DROPPED"] * 5
    assert data["messages"][0]["line"] == 4 and data["messages"][0]["severity"] == "warning"


def test_detect_validate_and_formats(capsys):
    assert main(["detect", str(XEN_DOC)]) == 0
    assert main(["formats"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{XEN_DOC}: xen"
    assert [line.split()[0] for line in out[1:]] == ["core", "xen", "sexpr"]


def test_undetectable_input(tmp_path, capsys):
    junk = tmp_path / "junk.txt"
    junk.write_text("hello\n")
    assert main(["detect", str(junk)]) == 1
    assert capsys.readouterr().err.strip() == (
        f"{junk}: error: cannot detect the format: neither XML nor an S-expression"
    )


def test_python_dash_m_and_version():
    proc = run("--version")
    assert proc.returncode == 0 and proc.stdout.startswith(b"xlate ")


def test_broken_pipe_is_quiet(tmp_path):
    big = tmp_path / "many.xen.xml"
    big.write_bytes(XEN_DOC.read_bytes())
    env = dict(os.environ, PYTHONPATH=str(REPO))
    cmd = f"{sys.executable} -m xlate convert --to xen {' '.join(['many.xen.xml'] * 2000)} | head -c 10"
    proc = subprocess.run(cmd, shell=True, capture_output=True, env=env, cwd=tmp_path)
    assert proc.stdout == b'<domain xm'
    assert b"Traceback" not in proc.stderr

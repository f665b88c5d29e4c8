"""Check mode: `xlate convert --check` / `--diff` say which outputs are out of date, write nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import xlate
from xlate.cli import main

REPO = Path(__file__).resolve().parent.parent
XEN_DOC = Path(__file__).parent / "data" / "xen-settings.xen.xml"
SEXPR = "(vm (name {name}) (memory 256) (vcpus 1) (image (linux (kernel /boot/vmlinuz))))\n"


def snapshot(root: Path) -> dict:
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def synced(tmp_path):
    """src/ with three Xen XML guests and out/ holding their core conversions."""
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    doc = XEN_DOC.read_text()
    for name in ("a", "b", "sub/c"):
        (src / f"{name}.xen.xml").write_text(doc.replace("web01", name.replace("/", "-")))
    assert main(["convert", "-q", "--to", "core", "--out-dir", str(tmp_path / "out"), str(src)]) == 0
    return tmp_path


def test_in_sync_exits_0_and_writes_nothing(synced, capsys):
    before = snapshot(synced)
    assert main(["convert", "--check", "--to", "core", "--out-dir", str(synced / "out"), str(synced / "src")]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == "xlate: 3 converted, 0 failed, 15 losses (0 would change, 3 unchanged)"
    assert snapshot(synced) == before


def test_out_of_date_outputs_are_named_and_exit_1(synced, capsys):
    src, out = synced / "src", synced / "out"
    (src / "b.xen.xml").write_text((src / "b.xen.xml").read_text().replace("<vcpu>2</vcpu>", "<vcpu>4</vcpu>"))
    (out / "sub" / "c.xml").unlink()
    before = snapshot(synced)
    assert main(["convert", "-q", "--check", "--to", "core", "--out-dir", str(out), str(src)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"{out / 'b.xml'}: error: would change (converted from {src / 'b.xen.xml'})",
        f"{out / 'sub' / 'c.xml'}: error: would be created (converted from {src / 'sub' / 'c.xen.xml'})",
    ]
    assert snapshot(synced) == before


def test_diff_prints_a_unified_diff_that_patches_the_output(synced, capsys):
    src, out = synced / "src", synced / "out"
    (src / "a.xen.xml").write_text((src / "a.xen.xml").read_text().replace("xenbr1", "xenbr9"))
    before = snapshot(synced)
    assert main(["convert", "-q", "--diff", "--to", "core", "--out-dir", str(out), str(src)]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines()[:2] == [
        f"--- {out / 'a.xml'} (current)",
        f"+++ {out / 'a.xml'} (from {src / 'a.xen.xml'})",
    ]
    assert "-      <source bridge=\"xenbr1\"/>" in captured.out.splitlines()
    assert "+      <source bridge=\"xenbr9\"/>" in captured.out.splitlines()
    assert captured.err.splitlines() == [f"{out / 'a.xml'}: error: would change (converted from {src / 'a.xen.xml'})"]
    assert snapshot(synced) == before
    # the diff is a real patch: applying it gives what converting writes
    patch = synced / "change.patch"
    patch.write_text(captured.out)
    if shutil.which("patch") is None:
        pytest.skip("patch(1) not installed")
    proc = subprocess.run(["patch", "-s", "-p0", "-i", str(patch)], capture_output=True, cwd="/")
    assert proc.returncode == 0, proc.stderr
    assert (out / "a.xml").read_bytes() == xlate.convert((src / "a.xen.xml").read_bytes(), to="core").data


def test_check_with_one_output_file(tmp_path, capsys):
    out = tmp_path / "guest.xml"
    assert main(["convert", "--check", "--to", "core", "-o", str(out), str(XEN_DOC)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert f"{out}: error: would be created (converted from {XEN_DOC})" in err
    assert not out.exists()
    assert main(["convert", "-q", "--to", "core", "-o", str(out), str(XEN_DOC)]) == 0
    assert main(["convert", "-q", "--check", "--to", "core", "-o", str(out), str(XEN_DOC)]) == 0
    assert main(["convert", "-q", "--check", "--compact", "--to", "core", "-o", str(out), str(XEN_DOC)]) == 1


def test_check_reports_bad_inputs_too(synced, capsys):
    (synced / "src" / "bad.xen.xml").write_text("<domain>")
    assert main(["convert", "-q", "--check", "--to", "core", "--out-dir", str(synced / "out"), str(synced / "src")]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"{synced / 'src' / 'bad.xen.xml'}:1:")


def test_check_strict_fails_on_losses(synced, capsys):
    assert main(["convert", "-q", "--check", "--strict", "--to", "core", "--out-dir", str(synced / "out"),
                 str(synced / "src")]) == 1
    assert len(capsys.readouterr().err.splitlines()) == 15


def test_xml_in_the_repo_is_in_sync_with_its_sexpr_source(tmp_path):
    """The CI step of docs/ci.md: SEXPR sources next to their core XML, checked in one line."""
    try:
        xlate.convert(SEXPR.format(name="x"), to="core")
    except Exception as exc:
        pytest.skip(f"SEXPR conversion not available: {exc}")
    repo = tmp_path / "repo"
    (repo / "guests").mkdir(parents=True)
    for name in ("db", "web"):
        (repo / "guests" / f"{name}.sexpr").write_text(SEXPR.format(name=name))
    env = dict(os.environ, PYTHONPATH=str(REPO))

    def xlate_cli(*argv):
        return subprocess.run([sys.executable, "-m", "xlate", *argv], capture_output=True, cwd=repo, env=env)

    step = ("convert", "--check", "--from", "sexpr", "--to", "core", "--out-dir", "guests", "guests")
    assert xlate_cli(*step).returncode == 1  # nothing generated yet
    assert xlate_cli("convert", "--from", "sexpr", "--to", "core", "--out-dir", "guests", "guests").returncode == 0
    assert sorted(p.name for p in (repo / "guests").iterdir()) == ["db.sexpr", "db.xml", "web.sexpr", "web.xml"]
    proc = xlate_cli(*step)
    assert proc.returncode == 0, proc.stderr
    # someone edits the source but not the XML: CI names the stale file
    (repo / "guests" / "web.sexpr").write_text(SEXPR.format(name="web2"))
    proc = xlate_cli(*step)
    assert proc.returncode == 1
    assert proc.stderr.decode().splitlines()[0] == "guests/web.xml: error: would change (converted from guests/web.sexpr)"
    # without --from the target's own files (*.xml) are not inputs either
    assert xlate_cli("convert", "--check", "--to", "core", "--out-dir", "guests", "guests").returncode == 1

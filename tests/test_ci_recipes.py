"""docs/ci.md runs as written: its shell commands, CI snippets, pre-commit config and Python recipe.

The snippets are extracted from the Markdown and executed against a small repository of SEXPR
guests with their generated core XML; `xlate` on PATH is this checkout.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import xlate

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "ci.md"
GUESTS = {
    "web": "(vm (name web) (memory 256) (vcpus 2) (image (linux (kernel /boot/vmlinuz)))"
           " (device (vif (mac 00:16:3e:00:00:01) (bridge xenbr0))))\n",
    "db": "(vm (name db) (memory 1024) (vcpus 4) (image (linux (kernel /boot/vmlinuz)"
          " (args 'root=/dev/xvda1 ro'))) (device (vbd (uname phy:/dev/vg/db) (dev xvda) (mode w))))\n",
}


def blocks(lang: str) -> list[str]:
    return re.findall(rf"^```{lang}\n(.*?)^```", DOC.read_text(), flags=re.S | re.M)


@pytest.fixture
def project(tmp_path):
    """guests/*.sexpr with their core XML next to them, and `xlate` on PATH."""
    try:
        xlate.convert(GUESTS["db"], to="core")
    except Exception as exc:
        pytest.skip(f"SEXPR conversion not available: {exc}")
    root = tmp_path / "project"
    (root / "guests").mkdir(parents=True)
    for name, text in GUESTS.items():
        (root / "guests" / f"{name}.sexpr").write_text(text)
        (root / "guests" / f"{name}.xml").write_bytes(xlate.convert(text, to="core").data)
    bindir = tmp_path / "bin"
    bindir.mkdir()
    shim = bindir / "xlate"
    shim.write_text(f"#!/bin/sh\nexec {shlex.quote(sys.executable)} -m xlate \"$@\"\n")
    shim.chmod(0o755)
    env = dict(os.environ, PYTHONPATH=str(REPO), PATH=f"{bindir}{os.pathsep}{os.environ['PATH']}", CI="true")
    return root, env


def sh(command: str, root: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(command, shell=True, cwd=root, env=env, capture_output=True, text=True)


def xlate_steps(commands) -> list[str]:
    steps = [c for c in commands if isinstance(c, str) and c.strip().startswith("xlate ")]
    assert steps, "no xlate command found"
    return steps


def make_stale(root: Path) -> None:
    (root / "guests" / "web.sexpr").write_text(GUESTS["web"].replace("(vcpus 2)", "(vcpus 3)"))


def test_shell_commands(project):
    root, env = project
    (commands,) = blocks("sh")
    lines = [line.split("#")[0].strip() for line in commands.splitlines()]
    lines = [line for line in lines if line]
    assert len(lines) == 5
    for line in lines:
        proc = sh(line, root, env)
        assert proc.returncode == 0, (line, proc.stdout, proc.stderr)
    assert (root / "build" / "web.xml").read_bytes() == (root / "guests" / "web.xml").read_bytes()
    report = json.loads((root / "report.json").read_text())
    assert report["summary"]["inputs"] == 2 and report["exit_code"] == 0
    make_stale(root)
    assert [sh(line, root, env).returncode for line in lines] == [0, 1, 1, 0, 1]


def test_diff_example_output(project):
    root, env = project
    deployed = root / "deployed"
    deployed.mkdir()
    core = (root / "guests" / "web.xml").read_text()
    (root / "guests" / "web.sexpr").write_text(GUESTS["web"].replace("(vcpus 2)", "(vcpus 2) (cpu_weight 512)"))
    core = core.replace("<vcpu>2</vcpu>", "<vcpu>4</vcpu>").replace(
        "    </interface>\n",
        "    </interface>\n    <interface type=\"network\">\n      <source network=\"default\"/>\n    </interface>\n", 1)
    (deployed / "web.xml").write_text(core)
    proc = sh("xlate diff guests/web.sexpr deployed/web.xml", root, env)
    assert proc.returncode == 1
    (example,) = [b for b in blocks("text") if b.startswith("--- guests/web.sexpr")]
    assert proc.stdout == example


@pytest.mark.parametrize("ci", ["github", "gitlab"])
def test_ci_snippets(project, ci):
    root, env = project
    snippets = [yaml.safe_load(b) for b in blocks("yaml")]
    if ci == "github":
        (workflow,) = [s for s in snippets if "jobs" in s]
        commands = [step.get("run") for step in workflow["jobs"]["xlate"]["steps"]]
        assert "pip install xlate" in commands
    else:
        (pipeline,) = [s for s in snippets if "vm-configs" in s]
        commands = pipeline["vm-configs"]["script"]
        assert pipeline["vm-configs"]["artifacts"]["paths"] == ["report.json"]
    steps = xlate_steps(commands)
    for step in steps:
        proc = sh(step, root, env)
        assert proc.returncode == 0, (step, proc.stderr)
    assert json.loads((root / "report.json").read_text())["exit_code"] == 0
    # a source edited without regenerating its XML fails the pipeline, naming the file
    make_stale(root)
    results = [sh(step, root, env) for step in steps]
    failing = [r for r in results if r.returncode != 0]
    assert failing and "guests/web.xml: error: would change (converted from guests/web.sexpr)" in failing[0].stderr
    assert "+  <vcpu>3</vcpu>" in failing[0].stdout  # the diff shows the change


def test_pre_commit_config_snippet(project):
    root, env = project
    (config,) = [yaml.safe_load(b) for b in blocks("yaml") if "repos" in yaml.safe_load(b)]
    shipped = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    hooks = config["repos"][0]["hooks"]
    assert {h["id"] for h in hooks} <= set(shipped)
    for hook in hooks:
        entry = shipped[hook["id"]]["entry"]
        files = [] if shipped[hook["id"]].get("pass_filenames") is False else [
            str(p.relative_to(root)) for p in sorted((root / "guests").iterdir())
            if re.search(hook.get("files", ""), str(p.relative_to(root)))
            and re.search(shipped[hook["id"]]["files"], p.name)]
        command = " ".join([entry, *map(shlex.quote, hook.get("args", [])), *files])
        proc = sh(command, root, env)
        assert proc.returncode == 0, (command, proc.stderr)
        make_stale(root)
        if hook["id"] == "xlate-check":
            assert sh(command, root, env).returncode == 1
        (root / "guests" / "web.sexpr").write_text(GUESTS["web"])


def test_python_recipe(project, monkeypatch, capsys):
    root, env = project
    (code,) = blocks("python")
    monkeypatch.chdir(root)
    exec(compile(code, "docs/ci.md (python recipe)", "exec"), {"__name__": "recipe"})
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "2 guests, 0 failed, 0 losses"  # and no differences printed before
    record = json.loads(out[1])
    assert (record["code"], record["file"], record["line"]) == ("PARSE-ERROR", "broken.xml", 2)
    report = json.loads((root / "build" / "report.json").read_text())
    assert [f["status"] for f in report["files"]] == ["written", "written"]
    assert (root / "build" / "db.xml").read_bytes() == (root / "guests" / "db.xml").read_bytes()


def test_python_recipe_refuses_losses(project, monkeypatch):
    """The recipe's strict conversion stops provisioning when a setting would be lost."""
    root, _ = project
    (code,) = blocks("python")
    monkeypatch.chdir(root)
    (root / "guests" / "web.sexpr").write_text(GUESTS["web"].replace("(vcpus 2)", "(vcpus 2) (cpu_weight 512)"))
    with pytest.raises(SystemExit) as info:
        exec(compile(code, "docs/ci.md (python recipe)", "exec"), {"__name__": "recipe"})
    assert "error: " in str(info.value) and "[XEN-DROPPED]" in str(info.value)


def test_json_example_matches_a_real_report(tmp_path, monkeypatch, capsys):
    (example,) = [json.loads(b) for b in blocks("json")]
    src = tmp_path / "guests"
    src.mkdir()
    (src / "a.xen.xml").write_text("<domain type='xen' xmlns:xen='urn:xlate:xen:1'>\n  <name>a</name>\n"
                                   "  <vcpu>1</vcpu>\n  <xen:cpu_weight>512</xen:cpu_weight>\n</domain>\n")
    (src / "b.xen.xml").write_text("<domain type='xen'>\n  <name>b</name>\n  <vcpu>x</nam>\n</domain>\n")
    log = tmp_path / "report.json"
    from xlate.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["convert", "-q", "--to", "core", "--out-dir", "build", "--log", str(log), "guests"]) == 1
    real = json.loads(log.read_text())
    real["tool"] = example["tool"]
    assert real == example

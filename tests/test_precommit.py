"""The pre-commit hooks in .pre-commit-hooks.yaml, run by the real `pre-commit` without network.

A temporary git repository holding this checkout's package (as it is on disk, committed there)
serves as the hooks repository; a second temporary repository uses its hooks the way a user's
would (`repo:` + `rev:` in .pre-commit-config.yaml). pre-commit installs the hooks into a
virtualenv of its own; the environment variables below keep pip offline and let the virtualenv
see the already installed dependencies (lxml, xmlschema, ...).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import xlate

REPO = Path(__file__).resolve().parent.parent
XEN_DOC = Path(__file__).parent / "data" / "xen-settings.xen.xml"
SEXPR = "(vm (name {name}) (memory 256) (vcpus 1) (image (linux (kernel /boot/vmlinuz))))\n"
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_NOSYSTEM": "1"}


def test_hook_definitions():
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert set(hooks) == {"xlate-validate", "xlate-check"}
    assert hooks["xlate-validate"]["entry"].split()[:2] == ["xlate", "validate"]
    assert hooks["xlate-check"]["entry"].split()[:3] == ["xlate", "convert", "--check"]
    assert hooks["xlate-check"]["pass_filenames"] is False
    for hook in hooks.values():
        assert hook["language"] == "python"


def git(*argv: str, cwd: Path) -> str:
    env = dict(os.environ, **GIT_ENV)
    return subprocess.run(["git", *argv], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def hooks_repository(root: Path) -> tuple[Path, str]:
    """A git repository holding this checkout's package and hooks file, as they are on disk."""
    repo = root / "hooks"
    repo.mkdir()
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(REPO / name, repo / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "xlate", repo / "xlate", ignore=ignore)
    shutil.copytree(REPO / "schemas", repo / "schemas", ignore=ignore)
    git("init", "-q", cwd=repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "hooks", cwd=repo)
    return repo, git("rev-parse", "HEAD", cwd=repo).strip()


@pytest.fixture(scope="module")
def sources():
    """The guests' source format and text: SEXPR when this checkout converts it, else Xen XML."""
    try:
        xlate.convert(SEXPR.format(name="x"), to="core")
        return "sexpr", ".sexpr", SEXPR
    except Exception:  # the SEXPR format is not in this checkout yet
        return "xen", ".xen.xml", XEN_DOC.read_text().replace("web01", "{name}")


def test_real_pre_commit_run(tmp_path, sources):
    pre_commit = shutil.which("pre-commit")
    if pre_commit is None:
        pytest.fail("pre-commit is not installed (pip install '.[test]')")
    src_fmt, src_ext, template = sources
    hooks, rev = hooks_repository(tmp_path)
    project = tmp_path / "project"
    guests = project / "guests"
    guests.mkdir(parents=True)
    for name in ("db", "web"):
        (guests / f"{name}{src_ext}").write_text(template.replace("{name}", name))
    convert = [sys.executable, "-m", "xlate", "convert", "-q", "--from", src_fmt, "--to", "core",
               "--out-dir", "guests", "guests"]
    subprocess.run(convert, cwd=project, check=True, env=dict(os.environ, PYTHONPATH=str(REPO)))
    config = {"repos": [{"repo": str(hooks), "rev": rev, "hooks": [
        {"id": "xlate-validate", "files": r"^guests/"},
        {"id": "xlate-check", "args": ["--from", src_fmt, "--to", "core", "--out-dir", "guests", "guests"]},
    ]}]}
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    git("init", "-q", cwd=project)

    env = dict(os.environ, **GIT_ENV)
    env.update({
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "PIP_NO_INDEX": "1",  # offline: nothing is downloaded
        "PIP_NO_BUILD_ISOLATION": "0",  # (sic) pip reads this as --no-build-isolation
        "VIRTUALENV_SYSTEM_SITE_PACKAGES": "1",  # the hook's virtualenv sees lxml & co.
        "PRE_COMMIT_COLOR": "never",
    })
    env.pop("PYTHONPATH", None)  # the hooks run the copy installed in pre-commit's virtualenv

    def pre_commit_run() -> subprocess.CompletedProcess:
        git("add", "-A", cwd=project)
        return subprocess.run([pre_commit, "run", "--all-files"], cwd=project, env=env,
                              capture_output=True, text=True, timeout=600)

    proc = pre_commit_run()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "xlate validate" in proc.stdout and "xlate convert --check" in proc.stdout
    assert "Failed" not in proc.stdout

    # the source changes, the generated XML does not: the check hook names the stale file
    (guests / f"web{src_ext}").write_text(template.replace("{name}", "web2"))
    proc = pre_commit_run()
    assert proc.returncode == 1
    assert f"guests/web.xml: error: would change (converted from guests/web{src_ext})" in proc.stdout
    assert "guests/db.xml" not in proc.stdout

    # regenerated: green again
    subprocess.run(convert, cwd=project, check=True, env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert pre_commit_run().returncode == 0

    # an invalid document fails the validate hook with the file and line
    (guests / "broken.xml").write_text("<domain type='xen'>\n  <vcpu>two</vcpu>\n</domain>\n")
    proc = pre_commit_run()
    assert proc.returncode == 1
    assert "guests/broken.xml:" in proc.stdout and ": error: " in proc.stdout

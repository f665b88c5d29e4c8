"""The package is typed (py.typed): mypy finds no error in it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_mypy_is_clean(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "xlate", "--ignore-missing-imports",
         "--cache-dir", str(tmp_path / "cache")],
        cwd=REPO, capture_output=True, text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr

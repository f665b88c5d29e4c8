"""External tools the tests call (Debian packages): found, or a visible skip (a failure in CI)."""

from __future__ import annotations

import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterable, List, Tuple

import pytest


def require_tool(*names: str, reason: str) -> List[str]:
    """The paths of ``names``; skips the test with ``reason`` when one is missing (fails under CI)."""
    paths = [shutil.which(name) for name in names]
    if all(paths):
        return paths  # type: ignore[return-value]
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def virt_xml_validate_tool() -> str:
    # virt-xml-validate runs `xmllint --relaxng` on libvirt's installed schema.
    return require_tool(
        "virt-xml-validate", "xmllint",
        reason="virt-xml-validate (Debian libvirt-clients) and xmllint (libxml2-utils) are "
               "needed to check against libvirt's RELAX NG schema",
    )[0]


def virt_xml_validate_all(files: Iterable[Path]) -> List[Tuple[Path, int, str]]:
    """(path, exit code, output) of `virt-xml-validate PATH domain` for each file."""
    tool = virt_xml_validate_tool()

    def run(path: Path):
        proc = subprocess.run([tool, str(path), "domain"], capture_output=True, text=True)
        return path, proc.returncode, (proc.stderr + proc.stdout).strip()

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(run, files))

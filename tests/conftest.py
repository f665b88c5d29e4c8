"""Shared test set-up: deterministic hypothesis, the libvirt corpus location, helpers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

REPO = Path(__file__).resolve().parent.parent

# Deterministic in CI and locally: same examples every run, no example database.
settings.register_profile(
    "xlate",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=int(os.environ.get("XLATE_HYPOTHESIS_EXAMPLES", "100")),
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("xlate")


def corpus_root() -> Path | None:
    """libvirt's SEXPR test pairs: $XLATE_LIBVIRT_CORPUS, else ../shared/corpus/libvirt-sexpr."""
    env = os.environ.get("XLATE_LIBVIRT_CORPUS")
    candidates = [Path(env)] if env else []
    candidates.append(REPO.parent / "shared" / "corpus" / "libvirt-sexpr")
    for c in candidates:
        if (c / "manifest.tsv").is_file():
            return c
    return None


@pytest.fixture(scope="session")
def libvirt_corpus() -> Path:
    root = corpus_root()
    if root is None:
        if os.environ.get("CI"):
            pytest.fail("libvirt SEXPR corpus not found (set XLATE_LIBVIRT_CORPUS)")
        pytest.skip("libvirt SEXPR corpus not found (set XLATE_LIBVIRT_CORPUS)")
    return root

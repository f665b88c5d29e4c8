"""Fuzz format detection (``xlate.detect`` on bytes and on str):
``python fuzz/fuzz_detect.py -runs=1000000 -seed=1`` (see harness.py)."""

import harness  # sets up atheris and instruments xlate
from targets import check_detect


def check(data: bytes) -> None:
    check_detect(data)


if __name__ == "__main__":
    harness.main("detect", check, ["examples/*", "tests/golden/**/*"])

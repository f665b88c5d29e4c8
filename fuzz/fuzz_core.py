"""Fuzz the core XML reader: ``python fuzz/fuzz_core.py -runs=1000000 -seed=1`` (see harness.py)."""

import harness  # sets up atheris and instruments xlate
from targets import check_reader


def check(data: bytes) -> None:
    check_reader(data, "core")


if __name__ == "__main__":
    harness.main("core", check, ["examples/*.xml", "tests/golden/**/*.xml", "tests/data/*.xml"])

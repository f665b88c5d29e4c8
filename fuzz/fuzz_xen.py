"""Fuzz the xen XML reader: ``python fuzz/fuzz_xen.py -runs=1000000 -seed=1`` (see harness.py)."""

import harness  # sets up atheris and instruments xlate
from targets import check_reader


def check(data: bytes) -> None:
    check_reader(data, "xen")


if __name__ == "__main__":
    harness.main("xen", check, ["examples/*.xml", "tests/golden/**/*.xml", "tests/data/*.xml"])

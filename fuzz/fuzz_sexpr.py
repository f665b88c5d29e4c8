"""Fuzz the SEXPR reader and the S-expression codec:
``python fuzz/fuzz_sexpr.py -runs=1000000 -seed=1`` (see harness.py)."""

import harness  # sets up atheris and instruments xlate
from targets import check_codec, check_reader


def check(data: bytes) -> None:
    check_codec(data)
    check_reader(data, "sexpr")


if __name__ == "__main__":
    harness.main("sexpr", check, ["examples/*.sexpr", "tests/golden/**/*.sexpr"])

"""The public Python API: names, types, and behaviour provisioning code relies on."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest

import xlate

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_public_functions_survive_importing_every_submodule():
    # A submodule named like a function (xlate.validate) would replace it on the package.
    for info in pkgutil.walk_packages(xlate.__path__, "xlate."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    for name in ("convert", "validate", "detect", "formats", "read_hub"):
        assert callable(getattr(xlate, name)), name


def test_convert_accepts_bytes_and_str():
    data = (EXAMPLES / "pv-web.sexpr").read_bytes()
    from_bytes = xlate.convert(data, to="core")
    from_str = xlate.convert(data.decode(), to="libvirt")
    assert from_bytes == from_str
    assert (from_bytes.src, from_bytes.to) == ("sexpr", "core")
    assert from_bytes.data == from_bytes.output.encode()
    assert {loss.code for loss in from_bytes.losses} == {"XEN-DROPPED"}


def test_convert_rejects_other_types():
    with pytest.raises(TypeError):
        xlate.convert(42, to="core")  # type: ignore[arg-type]


def test_unknown_format_is_a_format_error():
    with pytest.raises(xlate.FormatError, match="unknown format 'yaml'"):
        xlate.convert(b"<domain/>", to="yaml")


def test_every_error_is_an_xlate_error():
    for data in (b"", b"hello", b"<domain>", b"(vm (name 'x'"[:-1] + b"\x00", b"(vm)"):
        with pytest.raises(xlate.XlateError):
            xlate.convert(data, to="core")


def test_parse_error_carries_line_and_column():
    with pytest.raises(xlate.ParseError) as info:
        xlate.convert(b"(vm\n  (name 'x)\n", to="core", file="g.sexpr")
    assert (info.value.file, info.value.line) == ("g.sexpr", 2)
    assert info.value.col is not None


def test_validate_and_detect():
    for path in EXAMPLES.iterdir():
        data = path.read_bytes()
        fmt = xlate.detect(data)
        assert xlate.validate(data, fmt=fmt) == []
    problems = xlate.validate(b"<domain type='xen'><memory>1</memory></domain>", fmt="core")
    assert problems and all(isinstance(p, xlate.ValidationError) for p in problems)


def test_formats_registry():
    assert [f.name for f in xlate.formats()] == ["core", "xen", "sexpr"]


def test_package_is_typed():
    assert (Path(xlate.__file__).parent / "py.typed").is_file()

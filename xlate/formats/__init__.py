"""The format registry: a literal table of every format xlate reads and writes.

Each format is one module in this package with ``read(data, ctx) -> hub`` and
``write(hub, ctx) -> bytes``; the hub is Xen XML as an lxml tree. A new format is a new module
plus one row here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import Dict, Optional, Tuple

from ..errors import FormatError


@dataclass(frozen=True)
class FormatInfo:
    name: str
    aliases: Tuple[str, ...]
    extension: str  # the one used for output names
    description: str
    module: str

    def load(self) -> ModuleType:
        return importlib.import_module(self.module)


REGISTRY: Dict[str, FormatInfo] = {
    "core": FormatInfo(
        "core", ("libvirt",), ".xml",
        "libvirt-style domain XML, hypervisor-agnostic (schemas/core.xsd)",
        "xlate.formats.core",
    ),
    "xen": FormatInfo(
        "xen", (), ".xen.xml",
        "core XML plus Xen-only settings in the xen: namespace urn:xlate:xen:1 (the hub)",
        "xlate.formats.xen",
    ),
    "sexpr": FormatInfo(
        "sexpr", ("xen-sxpr",), ".sexpr",
        "xend S-expression configs: (vm ...) and xm list --long (domain ...)",
        "xlate.formats.sexpr",
    ),
}

_BY_NAME: Dict[str, FormatInfo] = {}
for _info in REGISTRY.values():
    for _name in (_info.name, *_info.aliases):
        _BY_NAME[_name] = _info


def lookup(name: str) -> FormatInfo:
    """The format called ``name`` (or one of its aliases); :class:`FormatError` otherwise."""
    info = _BY_NAME.get(name.lower())
    if info is None:
        known = ", ".join(sorted(_BY_NAME))
        raise FormatError(f"unknown format {name!r} (known: {known})")
    return info


def sniff(data: bytes, file: Optional[str] = None) -> str:
    """Guess the syntax of ``data`` from its first significant character: 'xml' or 'sexpr'."""
    head = data[:4096]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\0\0\xfe\xff", b"<\0", b"\0<", b"\0\0\0<")):
        return "xml"  # UTF-16/32, with a BOM or starting with '<': only XML has such encodings
    i = 0
    while i < len(head):
        c = head[i : i + 1]
        if c in b" \t\r\n":
            i += 1
        elif c == b"#":  # an S-expression comment runs to the end of the line
            end = head.find(b"\n", i)
            if end < 0:
                break
            i = end + 1
        elif c == b"<":
            return "xml"
        elif c == b"(":
            return "sexpr"
        else:
            break
    raise FormatError("cannot detect the format: neither XML nor an S-expression", file=file)

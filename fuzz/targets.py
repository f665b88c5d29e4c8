"""The checks the fuzz scripts run: each takes the fuzzer's bytes and raises on a bug.

A bug is any exception other than :class:`xlate.errors.XlateError` escaping the public API,
or an output of xlate's own writers that xlate cannot read back syntactically.
"""

from __future__ import annotations

from typing import Optional

from lxml import etree

import xlate
from xlate.codecs.sexpr import read_sexpr, write_sexpr
from xlate.context import Context, Options
from xlate.errors import XlateError
from xlate.formats import REGISTRY
from xlate.limits import MAX_DEPTH_CEILING, Limits
from xlate.xmlio import parse_xml

WRITE_ORDER = ("core", "sexpr", "xen")  # xen last: serializing indents the hub in place

# xlate's own output is read back with every limit at its most: a document written from an
# input at the edge of a limit may go over it (the Xen XML of an S-expression nests a level or
# two deeper, and has more elements, than the S-expression: docs/security.md).
OWN_OUTPUT = Limits(max_input_bytes=1 << 30, max_depth=MAX_DEPTH_CEILING, max_atom_chars=1 << 30,
                    max_attribute_chars=1 << 30, max_devices=1 << 30, max_elements=1 << 30)


def _read(data: bytes, src: Optional[str], ctx: Context):
    try:
        return xlate.read_hub(data, src=src, ctx=ctx)[0]
    except XlateError:
        return None


def _write_all(hub: etree._ElementTree, options: Options) -> None:
    for name in WRITE_ORDER:
        ctx = Context(options=options, file="fuzz")
        try:
            out = REGISTRY[name].load().write(hub, ctx)
        except XlateError:
            continue
        # What xlate writes, xlate reads back (syntax): anything else is a bug in a writer.
        if name == "sexpr":
            read_sexpr(out.decode("utf-8"), max_depth=MAX_DEPTH_CEILING)
        else:
            parse_xml(out, limits=OWN_OUTPUT)


def check_reader(data: bytes, src: Optional[str]) -> None:
    """Read ``data`` as ``src`` (None: detect) into the hub, then write every format."""
    keep = bool(data[-1:]) and data[-1] & 1  # vary the options with the input, deterministically
    options = Options(keep_xen=bool(keep), xend_version=(data[0] % 5 or None) if data else None)
    hub = _read(data, src, Context(options=options, file="fuzz"))
    if hub is not None:
        _write_all(hub, options)


def check_detect(data: bytes) -> None:
    """Format detection, on the bytes and on the same input as a str."""
    for value in (data, data.decode("utf-8", "surrogateescape")):
        try:
            name = xlate.detect(value)
        except XlateError:
            continue
        assert name in REGISTRY, name


def _shape(root: etree._Element) -> list:
    """A codec tree as nested lists of atoms: strings and bare atoms alike, as xend reads them."""
    out: list = []
    stack = [(root, out)]
    while stack:
        el, acc = stack.pop()
        for child in el:
            if child.tag == "l":
                sub: list = []
                acc.append(sub)
                stack.append((child, sub))
            else:
                acc.append(child.text or "")
    return out


def check_codec(data: bytes) -> None:
    """The S-expression codec alone: what it reads, it writes, and reads back the same."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    for recover in (False, True):
        try:
            tree = read_sexpr(text, recover=recover)
        except XlateError:
            continue
        for pretty in (False, True):
            again = read_sexpr(write_sexpr(tree, pretty=pretty))
            assert _shape(again) == _shape(tree), (recover, pretty)

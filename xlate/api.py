"""The conversion pipeline: read the input into the hub (Xen XML), write the hub out.

This is what the CLI calls, and what provisioning code should call too (see README).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Tuple, Union

from lxml import etree

from .context import Context, Options
from .errors import LossError, ValidationError, XlateError
from .formats import REGISTRY, FormatInfo, lookup, sniff
from .limits import Limits, check_size
from .limits import resolve as resolve_limits
from .losses import Loss
from .xmlio import NAMESPACES, encode_text, parse_xml

Data = Union[bytes, str]


@dataclass(frozen=True)
class Result:
    """The outcome of :func:`convert`: the output text and what could not be carried over."""

    output: str
    src: str
    to: str
    losses: Tuple[Loss, ...] = field(default_factory=tuple)

    @property
    def data(self) -> bytes:
        return self.output.encode("utf-8")


def _as_bytes(data: Data, file: Optional[str] = None) -> bytes:
    if isinstance(data, str):
        return encode_text(data, file=file)
    if isinstance(data, (bytes, bytearray, memoryview)):
        return bytes(data)
    raise TypeError(f"expected bytes or str, not {type(data).__name__}")


def _xml_flavour(tree: etree._ElementTree) -> str:
    """'xen' when the document uses the xen: namespace outside <metadata>, else 'core'."""
    outside = tree.xpath("boolean(//xen:*[not(ancestor::metadata)])", namespaces=NAMESPACES)
    return "xen" if outside else "core"


def detect(data: Data, *, file: Optional[str] = None, limits: Optional[Limits] = None) -> str:
    """The format name of ``data``: 'core', 'xen' or 'sexpr'."""
    limits = resolve_limits(limits)
    raw = _as_bytes(data, file)
    check_size(raw, limits, file)
    if sniff(raw, file) == "sexpr":
        return "sexpr"
    return _xml_flavour(parse_xml(raw, file=file, limits=limits))


def read_hub(
    data: Data, *, src: Optional[str] = None, ctx: Optional[Context] = None
) -> Tuple[etree._ElementTree, str]:
    """Read ``data`` (format ``src``, detected when None) into the hub; returns (hub, format)."""
    ctx = ctx or Context()
    limits = ctx.options.limits
    raw = _as_bytes(data, ctx.file)
    check_size(raw, limits, ctx.file)
    if src is None:
        if sniff(raw, ctx.file) == "sexpr":
            info = REGISTRY["sexpr"]
        else:
            tree = parse_xml(raw, file=ctx.file, limits=limits)
            info = REGISTRY[_xml_flavour(tree)]
            if info.name == "xen":
                return tree, "xen"
    else:
        info = lookup(src)
    # Each reader enforces ctx.options.limits as it reads (device counts: xmlio.parse_xml for
    # XML, the codec tree check for SEXPR, which counts (device ...) items, not the devices
    # the mapping adds to them).
    return info.load().read(raw, ctx), info.name


def convert(
    data: Data,
    *,
    to: str,
    src: Optional[str] = None,
    strict: bool = False,
    keep_xen: bool = False,
    xend_version: Optional[int] = None,
    pretty: bool = True,
    validate: bool = False,
    file: Optional[str] = None,
    limits: Optional[Limits] = None,
) -> Result:
    """Convert ``data`` to the format ``to``.

    ``src`` is detected when omitted. Losses are returned in the result; with ``strict`` any
    loss raises :class:`LossError` instead. With ``validate`` an XML output is checked against
    its schema and an invalid one raises :class:`ValidationError`. All failures raise
    :class:`xlate.errors.XlateError` subclasses. ``limits`` bounds the input
    (:class:`xlate.Limits`; default: its documented defaults); going over raises
    :class:`xlate.errors.LimitError`.
    """
    target = lookup(to)
    options = Options(strict=strict, keep_xen=keep_xen, xend_version=xend_version, pretty=pretty,
                      limits=resolve_limits(limits))
    ctx = Context(options=options, file=file)
    hub, src_name = read_hub(data, src=src, ctx=ctx)
    out = target.load().write(hub, ctx)
    if strict and ctx.losses:
        raise _loss_error(ctx.losses, file)
    if validate and target.name in ("core", "xen"):
        own = options.limits.at_least(Limits())  # our own output: never tighter than the defaults
        problems = validate_tree(parse_xml(out, limits=own), target.name, file=file)
        if problems:
            raise _validation_error(problems, f"{target.name} output", file)
    return Result(out.decode("utf-8"), src_name, target.name, tuple(ctx.losses))


def _loss_error(losses: List[Loss], file: Optional[str]) -> LossError:
    first = losses[0]
    more = f" (and {len(losses) - 1} more)" if len(losses) > 1 else ""
    return LossError(
        f"strict: {first.message} [{first.code}]{more}",
        losses=losses, file=file, line=first.line, col=first.col, path=first.path,
    )


def _validation_error(problems: List[ValidationError], what: str, file: Optional[str]) -> ValidationError:
    first = problems[0]
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return ValidationError(
        f"invalid {what}: {first.message}{more}", problems=problems,
        file=file, line=first.line, col=first.col, path=first.path,
    )


def validate_tree(tree: etree._ElementTree, fmt: str, *, file: Optional[str] = None) -> List[ValidationError]:
    from .schema import validate_tree as _validate

    return _validate(tree, fmt, file=file)


def validate(
    data: Data, *, fmt: Optional[str] = None, file: Optional[str] = None, limits: Optional[Limits] = None
) -> List[XlateError]:
    """Check ``data`` as format ``fmt`` (detected when None); returns the problems found.

    XML formats are checked against their schema. SEXPR is checked by reading it into the hub
    and validating the hub as Xen XML. Malformed input raises instead of returning.
    """
    ctx = Context(options=Options(limits=resolve_limits(limits)), file=file)
    raw = _as_bytes(data, file)
    name = lookup(fmt).name if fmt else detect(raw, file=file, limits=limits)
    if name in ("core", "xen"):
        return list(validate_tree(parse_xml(raw, file=file, limits=limits), name, file=file))
    hub, _ = read_hub(raw, src=name, ctx=ctx)
    return list(validate_tree(hub, "xen", file=file))


def formats() -> List[FormatInfo]:
    """Every format xlate knows, in registry order."""
    return list(REGISTRY.values())

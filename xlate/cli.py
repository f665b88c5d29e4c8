"""The ``xlate`` command line: convert, validate, detect, formats.

Exit codes: 0 success; 1 bad input, invalid document, failed conversion, or a loss under
``--strict``; 2 usage error; 3 internal error (a bug in xlate). Every problem is one line on
stderr, ``FILE:LINE:COL: error: MESSAGE`` where the position is known.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from typing import List, NoReturn, Optional, Sequence, Tuple

from . import __version__
from .errors import FormatError, LossError, UsageError, XlateError, format_location
from .formats import REGISTRY, lookup

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
LOG_VERSION = 1


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2, no usage dump
        raise UsageError(message)


def _format_name(value: str) -> str:
    try:
        return lookup(value).name
    except FormatError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def _build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="xlate", description="Translate VM configurations: core XML, Xen XML, xend SEXPR.")
    p.add_argument("--version", action="version", version=f"xlate {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    c = sub.add_parser("convert", help="convert configurations to another format")
    c.add_argument("inputs", nargs="+", metavar="INPUT", help="input file, or - for stdin")
    c.add_argument("-f", "--from", dest="src", type=_format_name, metavar="FMT",
                   help="input format (default: detected)")
    c.add_argument("-t", "--to", required=True, type=_format_name, metavar="FMT", help="output format")
    c.add_argument("-o", "--output", metavar="OUT", help="output file (default: stdout)")
    c.add_argument("--strict", action="store_true", help="any loss is an error")
    c.add_argument("--keep-xen", action="store_true",
                   help="writing core: keep Xen-only settings in <metadata> instead of dropping them")
    c.add_argument("--xend-version", type=int, choices=(1, 2, 3, 4), metavar="N",
                   help="xend config dialect for SEXPR: 1=3.0.2 2=3.0.3 3=3.0.4 4=3.1.0 "
                        "(default: newest libvirt behaviour)")
    c.add_argument("--compact", action="store_true", help="do not indent XML output")
    c.add_argument("--validate", action="store_true", help="check XML output against its schema")
    _common(c)

    v = sub.add_parser("validate", help="check documents against their format's schema")
    v.add_argument("inputs", nargs="+", metavar="INPUT")
    v.add_argument("--as", dest="fmt", type=_format_name, metavar="FMT",
                   help="format to check against (default: detected)")
    _common(v)

    d = sub.add_parser("detect", help="print the format of each input")
    d.add_argument("inputs", nargs="+", metavar="INPUT")
    _common(d)

    sub.add_parser("formats", help="list the formats")
    return p


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--log", metavar="FILE", help="also write all messages as JSON to FILE")
    p.add_argument("-q", "--quiet", action="store_true", help="print errors only")


class _Reporter:
    """Prints one line per message on stderr and keeps them for ``--log``."""

    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.records: List[dict] = []
        self.failed = False

    def error(self, exc: XlateError, file: Optional[str] = None) -> None:
        exc.located(file)
        self.failed = True
        self.records.append(exc.to_dict())
        _stderr(exc.format())

    def losses(self, losses, *, as_errors: bool = False) -> None:
        for loss in losses:
            record = loss.to_dict()
            if as_errors:
                self.failed = True
                record["severity"] = "error"
                _stderr(loss.format("error"))
            elif not self.quiet:
                _stderr(loss.format())
            self.records.append(record)


def _stderr(line: str) -> None:
    print(line, file=sys.stderr)


def _read_input(name: str) -> Tuple[bytes, str]:
    if name == "-":
        return sys.stdin.buffer.read(), "<stdin>"
    try:
        with open(name, "rb") as fh:
            return fh.read(), name
    except IsADirectoryError:
        raise XlateError("is a directory", file=name) from None
    except OSError as exc:
        raise XlateError(f"cannot read: {exc.strerror or exc}", file=name) from None


def write_atomic(path: str, data: bytes) -> None:
    """Replace ``path`` with ``data`` all at once: readers see the old file or the new one."""
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".xlate-", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise XlateError(f"cannot write: {exc.strerror or exc}", file=path) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        except FileNotFoundError:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        if isinstance(exc, OSError):
            raise XlateError(f"cannot write: {exc.strerror or exc}", file=path) from None
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _cmd_convert(args, rep: _Reporter) -> None:
    from .api import convert

    if args.output and len(args.inputs) > 1:
        raise UsageError("-o/--output takes one input; give one input per run")
    outputs: List[bytes] = []
    for name in args.inputs:
        try:
            data, file = _read_input(name)
            result = convert(
                data, to=args.to, src=args.src, strict=args.strict, keep_xen=args.keep_xen,
                xend_version=args.xend_version, pretty=not args.compact,
                validate=args.validate, file=file,
            )
        except LossError as exc:  # --strict: every loss is an error
            rep.losses(exc.losses, as_errors=True)
            continue
        except XlateError as exc:
            rep.error(exc, name)
            continue
        rep.losses(result.losses)
        outputs.append(result.data)
    if rep.failed:
        return  # never a partial output
    if args.output:
        write_atomic(args.output, b"".join(outputs))
    else:
        for out in outputs:
            sys.stdout.buffer.write(out)
        sys.stdout.flush()


def _cmd_validate(args, rep: _Reporter) -> None:
    from .api import detect, validate

    for name in args.inputs:
        try:
            data, file = _read_input(name)
            fmt = args.fmt or detect(data, file=file)
            problems = validate(data, fmt=fmt, file=file)
        except XlateError as exc:
            rep.error(exc, name)
            continue
        for problem in problems:
            rep.error(problem, file)
        if not problems and not args.quiet:
            print(f"{file}: valid {fmt}")


def _cmd_detect(args, rep: _Reporter) -> None:
    from .api import detect

    for name in args.inputs:
        try:
            data, file = _read_input(name)
            print(f"{file}: {detect(data, file=file)}")
        except XlateError as exc:
            rep.error(exc, name)


def _cmd_formats(args, rep: _Reporter) -> None:
    for info in REGISTRY.values():
        aliases = f" (alias {', '.join(info.aliases)})" if info.aliases else ""
        print(f"{info.name:<6} {info.extension:<9} {info.description}{aliases}")


_COMMANDS = {"convert": _cmd_convert, "validate": _cmd_validate, "detect": _cmd_detect,
             "formats": _cmd_formats}


def main(argv: Optional[Sequence[str]] = None) -> int:
    rep = _Reporter()
    try:
        args = _build_parser().parse_args(argv)
        rep.quiet = getattr(args, "quiet", False)
        _COMMANDS[args.command](args, rep)
        if getattr(args, "log", None):
            log = {"version": LOG_VERSION, "tool": f"xlate {__version__}", "messages": rep.records}
            write_atomic(args.log, (json.dumps(log, indent=2) + "\n").encode("utf-8"))
    except UsageError as exc:
        _stderr(f"xlate: error: {exc.message}")
        return EXIT_USAGE
    except XlateError as exc:
        _stderr(exc.format())
        return EXIT_FAIL
    except KeyboardInterrupt:
        _stderr("xlate: interrupted")
        return 130
    except BrokenPipeError:
        # The reader went away (xlate ... | head): stop quietly, like other Unix tools.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAIL
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0)
    except Exception as exc:  # a bug in xlate: one line, not a traceback
        where = format_location(None, None, None)
        _stderr(f"{where}xlate: internal error: {type(exc).__name__}: {exc} (please report this bug)")
        if os.environ.get("XLATE_DEBUG"):
            raise
        return EXIT_INTERNAL
    return EXIT_FAIL if rep.failed else EXIT_OK

"""The ``xlate`` command line: convert, validate, detect, diff, formats.

Exit codes: 0 success; 1 bad input, invalid document, failed conversion, a loss under
``--strict``, an output that ``--check`` finds out of date, or a ``diff`` that finds
differences; 2 usage error; 3 internal error (a bug in xlate). Every problem is one line on
stderr, ``FILE:LINE:COL: error: MESSAGE`` where the position is known; ``--format json`` and
``--log FILE`` give the same messages as a JSON report (schema: docs/ci.md).

Start-up stays light: the single-file path imports neither the batch machinery
(``multiprocessing``) nor the schema validator (``xmlschema``).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from typing import Any, Dict, List, NoReturn, Optional, Sequence, TextIO, Tuple

from . import __version__
from .errors import FormatError, LossError, UsageError, XlateError
from .files import read_input as _read_input
from .files import write_atomic  # noqa: F401 (part of the module's API since the first release)
from .formats import REGISTRY, lookup

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
LOG_VERSION = 1  # = xlate.report.SCHEMA_VERSION (kept here so the CLI need not import it)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2, no usage dump
        raise UsageError(message)


def _format_name(value: str) -> str:
    try:
        return lookup(value).name
    except FormatError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def _jobs(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {n}")
    return n


def _build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="xlate", description="Translate VM configurations: core XML, Xen XML, xend SEXPR.")
    p.add_argument("--version", action="version", version=f"xlate {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    c = sub.add_parser("convert", help="convert configurations to another format")
    c.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="input file, directory (with --out-dir), or - for stdin")
    c.add_argument("-f", "--from", dest="src", type=_format_name, metavar="FMT",
                   help="input format (default: detected); in directories, take only its files")
    c.add_argument("-t", "--to", required=True, type=_format_name, metavar="FMT", help="output format")
    c.add_argument("-o", "--output", metavar="OUT", help="output file (default: stdout)")
    c.add_argument("-d", "--out-dir", metavar="DIR",
                   help="write each output into DIR, named after its input with the target's extension")
    c.add_argument("-j", "--jobs", type=_jobs, metavar="N",
                   help="worker processes for --out-dir (default: all cores)")
    c.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 and name each output file that would change")
    c.add_argument("--diff", action="store_true",
                   help="like --check, and print a unified diff of each change on stdout")
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
    v.add_argument("inputs", nargs="+", metavar="INPUT", help="file, directory (recursive) or -")
    v.add_argument("--as", dest="fmt", type=_format_name, metavar="FMT",
                   help="format to check against (default: detected)")
    _common(v)

    d = sub.add_parser("detect", help="print the format of each input")
    d.add_argument("inputs", nargs="+", metavar="INPUT", help="file, directory (recursive) or -")
    _common(d)

    df = sub.add_parser("diff", help="compare two configurations by meaning, across formats")
    df.add_argument("a", metavar="A", help="first configuration (file or -)")
    df.add_argument("b", metavar="B", help="second configuration (file or -)")
    df.add_argument("--ignore-xen", action="store_true",
                    help="compare only what core XML carries: leave out Xen-only settings")
    _common(df)

    sub.add_parser("formats", help="list the formats")
    return p


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--log", metavar="FILE", help="also write a JSON report of all messages to FILE")
    p.add_argument("--format", dest="msg_format", choices=("text", "json"), default="text",
                   help="messages on stderr as text lines (default) or as one JSON report")
    p.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    p.add_argument("--limit", action="append", metavar="NAME=N",
                   help="change a bound on each input: input (bytes), depth, atom, attribute, devices, "
                        "elements; N may end in K, M or G (docs/security.md has the defaults)")


# --------------------------------------------------------------------------------------------
# Messages: text lines on stderr, a JSON report, a progress bar
# --------------------------------------------------------------------------------------------

class _Reporter:
    """Every message goes through here: one line on stderr and/or a record for the report."""

    def __init__(self) -> None:
        self.quiet = False
        self.text = True
        self.report: Any = None  # an xlate.report.Report when --log or --format json asks for one
        self.failed = False
        self.internal = False
        self.progress: Optional[_Progress] = None

    def setup(self, args: argparse.Namespace) -> None:
        self.quiet = getattr(args, "quiet", False)
        self.text = getattr(args, "msg_format", "text") == "text"
        if getattr(args, "log", None) or not self.text:
            from .report import Report

            self.report = Report(args.command)

    def record(self, rec: Dict[str, Any]) -> None:
        """A message that is already a report record (from a batch worker)."""
        from .report import format_record

        self._emit(rec["severity"], lambda: rec, lambda: format_record(rec))

    def error(self, exc: XlateError, file: Optional[str] = None) -> None:
        exc.located(file)
        self._emit("error", lambda: _record(exc, file), exc.format)

    def losses(self, losses, *, input: Optional[str] = None, as_errors: bool = False) -> None:
        severity = "error" if as_errors else None
        for loss in losses:
            self._emit(severity or loss.severity, lambda: _record(loss, input, severity),
                       lambda: loss.format(severity))

    def _emit(self, severity: str, record, line) -> None:
        # The text line and the record are built only when they are wanted: the single-file
        # path does not import xlate.report.
        if severity == "error":
            self.failed = True
        if self.report is not None:
            self.report.add_message(record())
        if self.text and (severity == "error" or not self.quiet):
            self.line(line())

    def file(self, rec: Dict[str, Any]) -> None:
        if self.report is not None:
            self.report.add_file(rec)

    def line(self, text: str) -> None:
        if self.progress is not None:
            self.progress.clear()
        print(text, file=sys.stderr)

    def note(self, text: str) -> None:
        """An informational line (the batch summary): text mode, not --quiet."""
        if self.text and not self.quiet:
            self.line(text)

    def finish(self, args: Optional[argparse.Namespace], exit_code: int) -> None:
        if self.report is None:
            return
        try:
            log = getattr(args, "log", None)
            if log:
                from .files import atomic_writer

                with atomic_writer(log) as fh:
                    text = _Utf8Writer(fh)
                    self.report.write(text, exit_code)
            if not self.text:
                sys.stderr.flush()
                self.report.write(sys.stderr, exit_code)
                sys.stderr.flush()
        finally:
            self.report.close()


def _record(item, input: Optional[str], severity: Optional[str] = None) -> Dict[str, Any]:
    from .report import message_record

    return message_record(item, input=input, severity=severity)


class _Utf8Writer:
    """A text ``write`` onto a binary file."""

    def __init__(self, fh) -> None:
        self.fh = fh

    def write(self, text: str) -> None:
        self.fh.write(text.encode("utf-8"))


def progress_wanted(stream: TextIO, env: Dict[str, str], quiet: bool) -> bool:
    """A progress bar only for a person at a terminal: not in CI, not under NO_COLOR or -q."""
    if quiet or env.get("CI") or env.get("NO_COLOR"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class _Progress:
    """``[#####.....] 512/10000`` on one terminal line, redrawn at most ten times a second."""

    WIDTH = 30

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total = total
        self.stream = stream
        self.done = 0
        self.shown = False
        self.last = 0.0

    def advance(self) -> None:
        self.done += 1
        now = time.monotonic()
        if now - self.last >= 0.1 or self.done == self.total:
            self.last = now
            filled = self.WIDTH * self.done // max(1, self.total)
            bar = "#" * filled + "." * (self.WIDTH - filled)
            self.stream.write(f"\r[{bar}] {self.done}/{self.total}")
            self.stream.flush()
            self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.shown = False
            self.last = 0.0


# --------------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------------



def _cmd_convert(args, rep: _Reporter) -> None:
    if args.out_dir is not None or args.check or args.diff or args.output is not None:
        _convert_batch(args, rep)
        return
    if args.jobs is not None:
        raise UsageError("-j/--jobs needs --out-dir")
    from .api import convert

    outputs: List[bytes] = []
    for name in args.inputs:
        try:
            data, file = _read_input(name, args.limits.max_input_bytes)
            result = convert(
                data, to=args.to, src=args.src, strict=args.strict, keep_xen=args.keep_xen,
                xend_version=args.xend_version, pretty=not args.compact,
                validate=args.validate, file=file, limits=args.limits,
            )
        except LossError as exc:  # --strict: every loss is an error
            rep.losses(exc.losses, input=name, as_errors=True)
            rep.file(_file_record(name, None, None, args.to, "failed", len(exc.losses), len(exc.losses)))
            continue
        except XlateError as exc:
            rep.error(exc, name)
            rep.file(_file_record(name, None, None, args.to, "failed", 0, 1))
            continue
        rep.losses(result.losses, input=name)
        rep.file(_file_record(name, None, result.src, result.to, "converted", len(result.losses), 0))
        outputs.append(result.data)
    if rep.failed:
        return  # never a partial output
    for out in outputs:
        sys.stdout.buffer.write(out)
    sys.stdout.flush()


def _file_record(input: str, output: Optional[str], src: Optional[str], to: Optional[str],
                 status: str, losses: int, errors: int) -> Dict[str, Any]:
    return {"input": input, "output": output, "from": src, "to": to, "status": status,
            "losses": losses, "errors": errors}


def _convert_batch(args, rep: _Reporter) -> None:
    if (args.check or args.diff) and args.output is None and args.out_dir is None:
        raise UsageError("--check and --diff need -o OUT or --out-dir DIR: the output files to compare")
    if args.jobs is not None and args.out_dir is None:
        raise UsageError("-j/--jobs needs --out-dir")
    from .batch import FAILED, UNCHANGED, WOULD_CHANGE, WRITTEN, convert_files, plan

    check = args.check or args.diff
    total = None
    if args.out_dir is not None and progress_wanted(sys.stderr, dict(os.environ), args.quiet) and rep.text:
        total = sum(1 for _ in plan(args.inputs, to=args.to, out_dir=args.out_dir, src=args.src))
        rep.progress = _Progress(total, sys.stderr)
    counts = {WRITTEN: 0, UNCHANGED: 0, WOULD_CHANGE: 0, FAILED: 0}
    n_losses = 0
    results: Any = convert_files(  # a generator: closed below to stop the workers
        args.inputs, to=args.to, out_dir=args.out_dir, output=args.output, jobs=args.jobs,
        src=args.src, strict=args.strict, keep_xen=args.keep_xen, xend_version=args.xend_version,
        pretty=not args.compact, validate=args.validate, check=args.check, diff=args.diff,
        limits=args.limits,
    )
    try:
        for result in results:
            for rec in result.messages:
                rep.record(rec)
            if result.internal:
                rep.internal = True
            rep.file(result.record())
            counts[result.status] += 1
            n_losses += result.losses
            if result.diff:
                if rep.progress is not None:
                    rep.progress.clear()
                sys.stdout.write(result.diff)
                sys.stdout.flush()
            if rep.progress is not None:
                rep.progress.advance()
    finally:
        results.close()
        if rep.progress is not None:
            rep.progress.clear()
            rep.progress = None
    if args.out_dir is not None or check:
        converted = counts[WRITTEN] + counts[UNCHANGED] + counts[WOULD_CHANGE]
        detail = (f"{counts[WOULD_CHANGE]} would change, {counts[UNCHANGED]} unchanged" if check
                  else f"{counts[WRITTEN]} written, {counts[UNCHANGED]} unchanged")
        rep.note(f"xlate: {converted} converted, {counts[FAILED]} failed, "
                 f"{n_losses} loss{'es' if n_losses != 1 else ''} ({detail})")


def _expand(inputs: Sequence[str], rep: _Reporter):
    """Files and (recursively) the files of directories named like a registry format."""
    for name in inputs:
        if name != "-" and os.path.isdir(name):
            from .batch import format_of_name, walk

            try:
                yield from walk(name, lambda n: format_of_name(n) is not None)
            except OSError as exc:
                from .files import ReadError

                rep.error(ReadError(f"cannot read: {exc.strerror or exc}", file=exc.filename or name))
        else:
            yield name


def _cmd_validate(args, rep: _Reporter) -> None:
    from .api import detect, validate

    for name in _expand(args.inputs, rep):
        fmt = None
        try:
            data, file = _read_input(name, args.limits.max_input_bytes)
            fmt = args.fmt or detect(data, file=file, limits=args.limits)
            problems = validate(data, fmt=fmt, file=file, limits=args.limits)
        except XlateError as exc:
            rep.error(exc, name)
            rep.file(_file_record(name, None, fmt, None, "failed", 0, 1))
            continue
        for problem in problems:
            rep.error(problem, file)
        rep.file(_file_record(name, None, fmt, None, "invalid" if problems else "valid", 0, len(problems)))
        if not problems and not args.quiet and rep.text:
            print(f"{file}: valid {fmt}")


def _cmd_detect(args, rep: _Reporter) -> None:
    from .api import detect

    for name in _expand(args.inputs, rep):
        try:
            data, file = _read_input(name, args.limits.max_input_bytes)
            fmt = detect(data, file=file, limits=args.limits)
        except XlateError as exc:
            rep.error(exc, name)
            rep.file(_file_record(name, None, None, None, "failed", 0, 1))
            continue
        rep.file(_file_record(name, None, fmt, None, "detected", 0, 0))
        print(f"{file}: {fmt}")


def _cmd_diff(args, rep: _Reporter) -> None:
    from .diff import diff

    if args.a == "-" and args.b == "-":
        raise UsageError("only one of A and B can be stdin (-)")
    sides = []
    for name in (args.a, args.b):
        try:
            sides.append(_read_input(name, args.limits.max_input_bytes))
        except XlateError as exc:
            rep.error(exc, name)
    if rep.failed:
        return
    (data_a, file_a), (data_b, file_b) = sides
    try:
        result = diff(data_a, data_b, file_a=file_a, file_b=file_b, ignore_xen=args.ignore_xen,
                      limits=args.limits)
    except XlateError as exc:
        rep.error(exc)
        return
    rep.losses(result.losses_a, input=file_a)
    rep.losses(result.losses_b, input=file_b)
    status = "equal" if result.equal else "different"
    rep.file(_file_record(file_a, None, result.src_a, None, status, len(result.losses_a), 0))
    rep.file(_file_record(file_b, None, result.src_b, None, status, len(result.losses_b), 0))
    if result.equal:
        return
    rep.failed = True  # exit 1: they differ
    out = sys.stdout
    out.write(f"--- {file_a} ({result.src_a})\n+++ {file_b} ({result.src_b})\n")
    for d in result.differences:
        out.write(d.format() + "\n")
    out.flush()


def _cmd_formats(args, rep: _Reporter) -> None:
    for info in REGISTRY.values():
        aliases = f" (alias {', '.join(info.aliases)})" if info.aliases else ""
        print(f"{info.name:<6} {info.extension:<9} {info.description}{aliases}")


_COMMANDS = {"convert": _cmd_convert, "validate": _cmd_validate, "detect": _cmd_detect,
             "diff": _cmd_diff, "formats": _cmd_formats}


class _Terminated(KeyboardInterrupt):
    """SIGTERM: stopped and cleaned up like Ctrl-C, reported as such (exit 143)."""


def _on_sigterm(signum, frame) -> NoReturn:
    raise _Terminated()


def main(argv: Optional[Sequence[str]] = None) -> int:
    try:
        old_sigterm = signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread: leave signals alone
        old_sigterm = None
    try:
        return _main(argv)
    finally:
        if old_sigterm is not None:
            signal.signal(signal.SIGTERM, old_sigterm)


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's last flush cannot fail loudly."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _main(argv: Optional[Sequence[str]]) -> int:
    rep = _Reporter()
    args = None
    code = EXIT_OK
    try:
        args = _build_parser().parse_args(argv)
        if hasattr(args, "limit"):
            from .limits import from_specs

            args.limits = from_specs(args.limit)
        rep.setup(args)
        _COMMANDS[args.command](args, rep)
        code = EXIT_INTERNAL if rep.internal else EXIT_FAIL if rep.failed else EXIT_OK
        rep.finish(args, code)
        sys.stdout.flush()  # a full disk or a closed pipe is reported here, not at exit
    except UsageError as exc:
        print(f"xlate: error: {exc.message}", file=sys.stderr)
        return EXIT_USAGE
    except XlateError as exc:
        print(exc.format(), file=sys.stderr)
        return EXIT_FAIL
    except KeyboardInterrupt as exc:
        if isinstance(exc, _Terminated):
            print("xlate: terminated", file=sys.stderr)
            return 128 + signal.SIGTERM
        print("xlate: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (xlate ... | head): stop quietly, like other Unix tools.
        _quiet_stdout()
        return EXIT_FAIL
    except OSError as exc:  # stdout cannot be written (a full disk, a closed terminal)
        _quiet_stdout()
        where = f"{exc.filename}: " if exc.filename else "standard output: "
        print(f"xlate: error: {where}cannot write: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAIL
    except SystemExit as exc:  # --help and --version
        return int(exc.code or 0)
    except Exception as exc:  # a bug in xlate: one line, not a traceback
        print(f"xlate: internal error: {type(exc).__name__}: {exc} (please report this bug)",
              file=sys.stderr)
        if os.environ.get("XLATE_DEBUG"):
            raise
        return EXIT_INTERNAL
    return code

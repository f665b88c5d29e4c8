"""Batch conversion: many inputs and directories, output names per format, parallel workers.

:func:`convert_files` is what ``xlate convert --out-dir`` (and ``-o``, ``--check``, ``--diff``)
runs, and what provisioning code can call directly::

    from xlate.batch import convert_files
    for result in convert_files(["configs/"], to="core", out_dir="build", jobs=2):
        print(result.input, result.status)

Results come back in input order whatever the number of workers, so messages and outputs are
the same for ``-j1`` and ``-j8``. Workers are processes (the work is CPU-bound XSLT); each one is
handed chunks of files, reads, converts and writes them itself, and sends back only a small
:class:`FileResult`, so memory stays flat however many files there are.
"""

from __future__ import annotations

import os
import sys
from collections import deque
from itertools import chain, islice
from dataclasses import dataclass, field
from typing import Any, Deque, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from .errors import LossError, UsageError, XlateError
from .formats import REGISTRY, FormatInfo
from .files import ReadError, WriteError, atomic_writer, read_input, write_atomic  # noqa: F401 (API)
from .limits import Limits
from .limits import resolve as resolve_limits
from .report import OutOfDate, OutputConflict, message_record

#: statuses of a :class:`FileResult`
WRITTEN, UNCHANGED, WOULD_CHANGE, FAILED = "written", "unchanged", "would-change", "failed"

CHUNK_MAX = 32  # files per worker task: amortizes inter-process traffic over small files
IN_FLIGHT_PER_WORKER = 4  # chunks queued per worker: keeps workers busy, bounds memory


# --------------------------------------------------------------------------------------------
# Files: reading, atomic writing, finding inputs, naming outputs
# --------------------------------------------------------------------------------------------

def _extensions(info: FormatInfo) -> Tuple[str, ...]:
    """A format's file-name extensions, the output one first."""
    more = getattr(info, "extensions", ()) or ()
    return (info.extension, *[e for e in more if e != info.extension])


def format_of_name(name: str) -> Optional[FormatInfo]:
    """The format a file name says by its registry extension (the longest that matches)."""
    return _match_extension(name)[0]


def _match_extension(name: str) -> Tuple[Optional[FormatInfo], str]:
    best: Tuple[Optional[FormatInfo], str] = (None, "")
    for info in REGISTRY.values():
        for ext in _extensions(info):
            if name.endswith(ext) and len(name) > len(ext) and len(ext) > len(best[1]):
                best = (info, ext)
    return best


def output_name(name: str, to: str) -> str:
    """``name`` with its format extension (or last suffix) replaced by the extension of ``to``."""
    base = os.path.basename(name)
    info, ext = _match_extension(base)
    if info is not None:
        stem = base[: -len(ext)]
    else:
        stem, _ = os.path.splitext(base)
        stem = stem or base
    return stem + REGISTRY[to].extension


def wanted_in_directory(name: str, to: str, src: Optional[str]) -> bool:
    """Whether a directory walk takes file ``name``.

    With ``src`` (``--from``): the files named like that format. Without: every file named like
    a registry format except the target's, whose files are outputs, not inputs.
    """
    info = format_of_name(name)
    if info is None:
        return False
    if src is not None:
        return info.name == src
    return info.name != to


def walk(directory: str, accept, _seen: Optional[set] = None) -> Iterator[str]:
    """Files under ``directory`` (recursive) whose name ``accept`` takes, in a fixed order.

    Names are sorted by code point in every directory, so the order (and with it every
    message) is the same on every platform; hidden files and directories are skipped.
    Symbolic links are followed, each directory once (a link back up does not loop).
    """
    seen = set() if _seen is None else _seen
    st = os.stat(directory)
    if (st.st_dev, st.st_ino) in seen:
        return
    seen.add((st.st_dev, st.st_ino))
    entries: List[os.DirEntry] = []
    with os.scandir(directory) as it:
        for entry in it:
            if not entry.name.startswith("."):
                entries.append(entry)
    entries.sort(key=lambda e: e.name)
    for entry in entries:
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            yield from walk(entry.path, accept, seen)
        elif accept(entry.name):
            yield entry.path


# --------------------------------------------------------------------------------------------
# Planning: inputs -> tasks
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Task:
    """One input file and where its output goes (``None``: returned, not written)."""

    index: int
    input: str
    output: Optional[str]


@dataclass(frozen=True)
class Options:
    """What every file of a batch is converted with (see :func:`xlate.convert`)."""

    to: str
    src: Optional[str] = None
    strict: bool = False
    keep_xen: bool = False
    xend_version: Optional[int] = None
    pretty: bool = True
    validate: bool = False
    check: bool = False
    diff: bool = False
    durable: bool = False  # fsync each output (one -o output always is)
    limits: Optional[Limits] = None  # bounds on each input (None: the defaults)


@dataclass
class FileResult:
    """The outcome for one input: a status, its messages as report records, and a diff."""

    input: str
    output: Optional[str]
    status: str
    src: Optional[str] = None
    to: Optional[str] = None
    messages: List[Dict[str, Any]] = field(default_factory=list)
    losses: int = 0
    diff: Optional[str] = None
    internal: bool = False  # a bug in xlate, not in the input

    @property
    def ok(self) -> bool:
        return self.status != FAILED

    def record(self) -> Dict[str, Any]:
        """The ``files`` entry of a report."""
        return {
            "input": self.input, "output": self.output, "from": self.src, "to": self.to,
            "status": self.status, "losses": self.losses,
            "errors": sum(1 for m in self.messages if m["severity"] == "error"),
        }


def plan(
    inputs: Sequence[str], *, to: str, out_dir: Optional[str] = None, output: Optional[str] = None,
    src: Optional[str] = None,
) -> Iterator[Any]:
    """Turn command-line inputs into :class:`Task` objects (and failed :class:`FileResult` objects).

    A directory contributes its files recursively (see :func:`wanted_in_directory`) and keeps
    its layout under ``out_dir``; a file given by name goes to ``out_dir/NAME`` with the
    target's extension. Of two inputs writing one output the second fails, and so does an
    input whose output would be the input itself. A generator: a large batch is planned as
    it is converted, never held whole; to find two inputs for one output it keeps one hash per
    output path, and names the first of the two by planning again up to the second, which
    only a failing batch does.
    """
    to = REGISTRY[to].name
    if output is not None and out_dir is not None:
        raise UsageError("-o/--output and --out-dir do not go together")
    if output is not None and len(inputs) != 1:
        raise UsageError("-o/--output takes one input; give one input per run, or use --out-dir")
    if out_dir is not None and "-" in inputs:
        raise UsageError("stdin (-) has no name to derive an output name from: use -o")
    digests: set = set()  # of every output path planned so far, until `exact` is needed
    exact: Optional[Dict[str, str]] = None  # output path -> the input that writes it

    for position, (name, out, error) in enumerate(_destinations(inputs, to, out_dir, output, src)):
        if error is not None:
            yield _failed(name, None, to, error)
            continue
        if out is not None:
            key = _path_key(out)
            if name != "-" and key == _path_key(name):
                yield _failed(name, out, to, OutputConflict(
                    "the output would overwrite its input (use --from to pick inputs, or another --out-dir)",
                    file=name))
                continue
            if exact is None:
                digest = _digest(key)
                if digest in digests:  # a second writer, or (rarely) two paths with one digest
                    exact = _writers(_destinations(inputs, to, out_dir, output, src), position)
                    digests = set()
                else:
                    digests.add(digest)
            if exact is not None:
                first = exact.get(key)
                if first is not None:
                    yield _failed(name, out, to, OutputConflict(f"{out} is also the output of {first}", file=name))
                    continue
                exact[key] = name
        yield Task(position, name, out)


def _destinations(inputs: Sequence[str], to: str, out_dir: Optional[str], output: Optional[str],
                  src: Optional[str]) -> Iterator[Tuple[str, Optional[str], Optional[XlateError]]]:
    """(input, output, None) for every input file, in order; (input, None, error) where a
    directory cannot be read."""
    for name in inputs:
        if out_dir is not None and name != "-" and os.path.isdir(name):
            accept = lambda n: wanted_in_directory(n, to, src)  # noqa: E731
            try:
                for path in walk(name, accept):
                    rel = os.path.relpath(os.path.dirname(path), name)
                    yield path, os.path.normpath(os.path.join(out_dir, rel, output_name(path, to))), None
            except OSError as exc:
                yield name, None, ReadError(f"cannot read: {exc.strerror or exc}", file=exc.filename or name)
        elif out_dir is not None:
            yield name, os.path.join(out_dir, output_name(name, to)), None
        else:
            yield name, output, None


def _writers(destinations, stop: int) -> Dict[str, str]:
    """Output path -> the first input writing it, over the first ``stop`` destinations."""
    writers: Dict[str, str] = {}
    for position, (name, out, error) in enumerate(destinations):
        if position >= stop:
            break
        if error is None and out is not None:
            key = _path_key(out)
            if name == "-" or key != _path_key(name):
                writers.setdefault(key, name)
    return writers


def _path_key(path: str) -> str:
    return os.path.normcase(os.path.abspath(path))


def _digest(key: str) -> int:
    # Python's own string hash: two equal digests only make plan() check exactly, so the
    # per-process hash seed cannot change what is reported.
    return hash(key)


def _failed(name: str, out: Optional[str], to: str, exc: XlateError) -> FileResult:
    return FileResult(name, out, FAILED, to=to, messages=[message_record(exc, input=name)])


# --------------------------------------------------------------------------------------------
# Converting one file (runs in a worker)
# --------------------------------------------------------------------------------------------

def convert_one(task: Task, opts: Options) -> FileResult:
    """Read, convert, then write / compare the output of one task. Never raises for bad input."""
    from .api import convert

    result = FileResult(task.input, task.output, FAILED, to=opts.to)
    try:
        limits = resolve_limits(opts.limits)
        data, file = read_input(task.input, limits.max_input_bytes)
        try:
            converted = convert(
                data, to=opts.to, src=opts.src, strict=opts.strict, keep_xen=opts.keep_xen,
                xend_version=opts.xend_version, pretty=opts.pretty, validate=opts.validate,
                file=file, limits=limits,
            )
        except LossError as exc:  # --strict: each loss is an error of its own
            result.messages = [message_record(l, input=task.input, severity="error") for l in exc.losses]
            result.losses = len(exc.losses)
            return result
        result.src = converted.src
        result.losses = len(converted.losses)
        result.messages = [message_record(l, input=task.input) for l in converted.losses]
        out = converted.data
        assert task.output is not None  # batch tasks always name their output
        old = _read_existing(task.output)
        if old == out:
            result.status = UNCHANGED
        elif opts.check or opts.diff:
            result.status = WOULD_CHANGE
            what = "would change" if old is not None else "would be created"
            result.messages.append(message_record(
                OutOfDate(f"{what} (converted from {task.input})", file=task.output),
                input=task.input))
            if opts.diff:
                result.diff = unified_diff(old or b"", out, task.output, task.input)
        else:
            if old is None and os.path.dirname(task.output):
                _makedirs(os.path.dirname(task.output))
            write_atomic(task.output, out, durable=opts.durable)
            result.status = WRITTEN
    except XlateError as exc:
        result.status = FAILED
        result.messages.append(message_record(exc.located(task.input), input=task.input))
    except Exception as exc:  # a bug in xlate: reported, never a traceback
        result.status = FAILED
        result.internal = True
        result.messages.append({
            "severity": "error", "code": "INTERNAL", "kind": type(exc).__name__,
            "message": f"internal error: {type(exc).__name__}: {exc} (please report this bug)",
            "file": task.input, "line": None, "col": None, "path": None, "input": task.input,
        })
    return result


def _read_existing(path: str) -> Optional[bytes]:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise WriteError("is a directory", file=path) from None
    except OSError as exc:
        raise WriteError(f"cannot read: {exc.strerror or exc}", file=path) from None


_MADE_DIRS: set = set()  # output directories this process has made (or found) already


def _makedirs(path: str) -> None:
    if path in _MADE_DIRS:
        return
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"cannot create directory: {exc.strerror or exc}", file=path) from None
    _MADE_DIRS.add(path)


def unified_diff(old: bytes, new: bytes, output: str, input: str) -> str:
    """A unified diff from the current output file to what converting ``input`` gives."""
    import difflib

    a = old.decode("utf-8", "replace").splitlines(keepends=True)
    b = new.decode("utf-8", "replace").splitlines(keepends=True)
    lines = []
    for line in difflib.unified_diff(a, b, f"{output} (current)", f"{output} (from {input})"):
        lines.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(lines)


def _run_chunk(tasks: List[Task], opts: Options) -> List[FileResult]:
    return [convert_one(task, opts) for task in tasks]


# --------------------------------------------------------------------------------------------
# The engine
# --------------------------------------------------------------------------------------------

def default_jobs() -> int:
    """All the cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def convert_files(
    inputs: Sequence[str],
    *,
    to: str,
    out_dir: Optional[str] = None,
    output: Optional[str] = None,
    jobs: Optional[int] = None,
    src: Optional[str] = None,
    strict: bool = False,
    keep_xen: bool = False,
    xend_version: Optional[int] = None,
    pretty: bool = True,
    validate: bool = False,
    check: bool = False,
    diff: bool = False,
    limits: Optional[Limits] = None,
) -> Iterator[FileResult]:
    """Convert files and directories; yields one :class:`FileResult` per input file, in order.

    ``out_dir``: outputs are named per format (see :func:`plan`); ``output``: the one output
    file of a single input. ``check``: write nothing, report outputs that would change
    (status ``would-change``); ``diff``: the same, with a unified diff in each result. Outputs
    equal to the existing file are not rewritten (status ``unchanged``). ``jobs``: worker
    processes (default: all cores; 1 converts in this process). ``limits``: bounds on each
    input (:class:`xlate.Limits`; default: its documented defaults).
    """
    opts = Options(REGISTRY[to].name, src, strict, keep_xen, xend_version, pretty, validate, check, diff,
                   durable=output is not None, limits=resolve_limits(limits))
    if out_dir is None and output is None:
        raise UsageError("batch conversion needs --out-dir or -o")
    _MADE_DIRS.clear()  # directories may have gone since an earlier batch in this process
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise UsageError(f"-j/--jobs must be at least 1, not {jobs}")
    planned = plan(inputs, to=opts.to, out_dir=out_dir, output=output, src=opts.src)
    if jobs == 1:
        for item in planned:
            yield item if isinstance(item, FileResult) else convert_one(item, opts)
        return
    # Plan a bounded way ahead: enough to size the chunks of a small batch, never the whole
    # of a large one (memory stays flat; workers are forked before the rest is planned).
    lookahead = jobs * IN_FLIGHT_PER_WORKER * CHUNK_MAX
    head = list(islice(planned, lookahead))
    n_tasks = sum(1 for item in head if isinstance(item, Task))
    if len(head) < lookahead:  # the whole batch
        if n_tasks <= 1:
            for item in head:
                yield item if isinstance(item, FileResult) else convert_one(item, opts)
            return
        jobs = min(jobs, n_tasks)
        size = max(1, min(CHUNK_MAX, -(-n_tasks // (jobs * IN_FLIGHT_PER_WORKER))))
    else:
        size = CHUNK_MAX
    yield from _parallel(chain(head, planned), opts, jobs, size)


def _parallel(items: Iterable[Any], opts: Options, jobs: int, size: int) -> Iterator[FileResult]:
    """Chunks of ``size`` tasks to ``jobs`` worker processes; results yielded in input order.

    At most ``IN_FLIGHT_PER_WORKER`` chunks per worker are queued at any time, and ``items``
    is consumed only as fast as results come back, so neither the plan, nor the queue, nor
    the finished-but-not-yet-reported results grow with the number of files. A worker that
    dies (killed, out of memory) raises ``BrokenProcessPool`` instead of hanging.
    """
    from concurrent.futures import ProcessPoolExecutor

    limit = jobs * IN_FLIGHT_PER_WORKER
    pending: Deque[Any] = deque()  # a list of ready results, or a Future of a list
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=_mp_context(), initializer=_worker_signals)
    try:
        for chunk in _chunks(items, size):
            if isinstance(chunk[0], FileResult):
                pending.append(chunk)
            else:
                pending.append(pool.submit(_run_chunk, chunk, opts))
            while len(pending) >= limit:
                yield from _collect(pending.popleft())
        while pending:
            yield from _collect(pending.popleft())
    except BaseException:
        # Ctrl-C, a closed generator, a broken worker: stop the workers now, not after the queue.
        # The queued futures are not cancelled here: the executor's own thread fails them once
        # it sees the workers gone, and on Python 3.11 it raises (a traceback on stderr) when
        # one was cancelled from this thread meanwhile; shutdown() cancels what is left.
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            if process.is_alive():
                process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _worker_signals() -> None:
    """Workers leave Ctrl-C to the main process (which stops them) and end quietly on
    SIGTERM (no traceback); their writes hold both back (:func:`xlate.files.write_atomic`)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _chunks(items: Iterable[Any], size: int) -> Iterator[List[Any]]:
    """Consecutive runs of tasks, at most ``size`` long; a planning failure is its own run."""
    run: List[Any] = []
    for item in items:
        if isinstance(item, FileResult):
            if run:
                yield run
                run = []
            yield [item]
        else:
            run.append(item)
            if len(run) >= size:
                yield run
                run = []
    if run:
        yield run


def _collect(entry: Any) -> List[FileResult]:
    return entry if isinstance(entry, list) else entry.result()


def _mp_context():
    import multiprocessing

    # fork is the cheapest start on Linux and what Python 3.11 uses there; elsewhere the
    # platform default (spawn) works too, only slower to start.
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()

"""Reading inputs and replacing outputs atomically: the file handling of the CLI and of batches.

Light on purpose (no imports beyond ``os`` and ``sys`` until a file is written), because the
single-file command line goes through here.
"""

from __future__ import annotations

import os
import signal
import sys
from contextlib import contextmanager
from typing import IO, Iterator, Optional, Tuple

from .errors import LimitError, XlateError


class ReadError(XlateError):
    """An input cannot be read (missing, a directory, no permission)."""


class WriteError(XlateError):
    """An output cannot be written."""


def read_input(name: str, max_bytes: Optional[int] = None) -> Tuple[bytes, str]:
    """The bytes of file ``name`` (``-`` is stdin) and the name to use in messages.

    With ``max_bytes``, at most that many bytes are read: a larger input (or an endless one,
    such as ``/dev/zero``) raises :class:`LimitError` without being read whole.
    """
    file = "<stdin>" if name == "-" else name
    try:
        if name == "-":
            data = _read(sys.stdin.buffer, max_bytes)
        else:
            with open(name, "rb") as fh:
                data = _read(fh, max_bytes)
    except IsADirectoryError:
        raise ReadError("is a directory", file=name) from None
    except OSError as exc:
        raise ReadError(f"cannot read: {exc.strerror or exc}", file=name) from None
    if max_bytes is not None and len(data) > max_bytes:
        raise LimitError(
            f"input is over the limit of {max_bytes} bytes (max_input_bytes; --limit input=N)", file=file
        )
    return data, file


def _read(fh: IO[bytes], max_bytes: Optional[int]) -> bytes:
    return fh.read() if max_bytes is None else fh.read(max_bytes + 1)


def write_atomic(path: str, data: bytes, *, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` all at once: readers see the old file or the new one.

    SIGINT and SIGTERM are held back while the file is written (their handlers run right
    after), so an interrupted run leaves no temporary file behind either.
    """
    with signals_deferred(), atomic_writer(path, durable=durable) as fh:
        fh.write(data)


_DEFERRED = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM") if hasattr(signal, name))


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold back SIGINT and SIGTERM for the block (POSIX; elsewhere a no-op)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _DEFERRED)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@contextmanager
def atomic_writer(path: str, *, durable: bool = True) -> Iterator[IO[bytes]]:
    """A binary file that replaces ``path`` when the block ends without an exception.

    The data goes to a temporary file in the same directory, gets the old file's mode (or the
    umask's), and is renamed over ``path``; on any failure the temporary file is removed and
    ``path`` is left as it was. ``durable`` also flushes the data to disk (fsync) before the
    rename, so that a power cut cannot leave an empty file behind; batches skip that per
    file (see docs/ci.md), as compilers and ``cp`` do.
    """
    import tempfile

    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".xlate-", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise WriteError(f"cannot write: {exc.strerror or exc}", file=path) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            if durable:
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
            raise WriteError(f"cannot write: {exc.strerror or exc}", file=path) from None
        raise


_UMASK: Optional[int] = None


def _umask() -> int:
    global _UMASK
    if _UMASK is None:
        mask = os.umask(0)
        os.umask(mask)
        _UMASK = mask
    return _UMASK

"""Machine-readable reports: every error and loss as a record with a code, in a versioned schema.

The CLI's ``--log FILE`` and ``--format json`` write a :class:`Report`; provisioning code builds
the same records from the Python API with :func:`message_record` (one error or loss) and
:class:`Report` (a whole run). The schema is documented in docs/ci.md; :data:`SCHEMA_VERSION`
changes only when a field is removed or changes meaning (new fields may be added within a
version).

A report is streamed to temporary files while a run goes on, so a run over 10,000 inputs holds
no more in memory than a run over ten.
"""

from __future__ import annotations

import json
from typing import IO, Any, Dict, Iterator, List, Optional, Union

from .errors import XlateError
from .losses import Loss

SCHEMA_VERSION = 1

#: error class name -> code; an error's code is that of its nearest listed class.
ERROR_CODES: Dict[str, str] = {
    "ReadError": "READ-FAILED",
    "WriteError": "WRITE-FAILED",
    "OutOfDate": "OUT-OF-DATE",
    "OutputConflict": "OUTPUT-CONFLICT",
    "LimitError": "LIMIT-EXCEEDED",
    "UnsafeInputError": "UNSAFE-INPUT",
    "ParseError": "PARSE-ERROR",
    "ValidationError": "INVALID",
    "LossError": "STRICT-LOSS",
    "ConversionError": "CONVERSION-FAILED",
    "FormatError": "UNKNOWN-FORMAT",
    "UsageError": "USAGE",
    "XlateError": "ERROR",
}
INTERNAL_CODE = "INTERNAL"

#: the keys of every message record, in this order
MESSAGE_KEYS = ("severity", "code", "kind", "message", "file", "line", "col", "path", "input")


class OutOfDate(XlateError):
    """Check mode: converting the input would change (or create) its output file."""


class OutputConflict(XlateError):
    """Two inputs would write the same output file, or an output would overwrite its input."""


def error_code(exc: BaseException) -> str:
    """The report code of an exception: by its class, or ``INTERNAL`` for a non-xlate error."""
    if not isinstance(exc, XlateError):
        return INTERNAL_CODE
    for cls in type(exc).__mro__:
        code = ERROR_CODES.get(cls.__name__)
        if code is not None:
            return code
    return ERROR_CODES["XlateError"]  # pragma: no cover - XlateError is always in the MRO


def message_record(
    item: Union[Loss, XlateError], *, input: Optional[str] = None, severity: Optional[str] = None
) -> Dict[str, Any]:
    """One error or loss as a report record (see docs/ci.md for the fields).

    ``severity`` overrides the item's own (``"error"`` for a loss under ``--strict``);
    ``input`` names the input file the message belongs to.
    """
    if isinstance(item, Loss):
        rec = {
            "severity": severity or item.severity, "code": item.code, "kind": "loss",
            "message": item.message, "file": item.file, "line": item.line, "col": item.col,
            "path": item.path,
        }
    elif isinstance(item, XlateError):
        rec = {
            "severity": severity or "error", "code": error_code(item), "kind": type(item).__name__,
            "message": item.message, "file": item.file, "line": item.line, "col": item.col,
            "path": item.path,
        }
    else:
        raise TypeError(f"expected a Loss or an XlateError, not {type(item).__name__}")
    rec["input"] = input if input is not None else rec["file"]
    return rec


def format_record(rec: Dict[str, Any]) -> str:
    """The one-line text form of a record: ``FILE:LINE:COL: SEVERITY: MESSAGE`` (+ ``[CODE]`` for losses)."""
    parts = [p for p in (rec.get("file"), rec.get("line"), rec.get("col")) if p is not None]
    where = "".join(f"{p}:" for p in parts) + (" " if parts else "")
    suffix = f" [{rec['code']}]" if rec.get("kind") == "loss" else ""
    return f"{where}{rec['severity']}: {rec['message']}{suffix}"


class Report:
    """A run's records: messages (errors and losses), per-file results and a summary.

    Records are spooled to temporary files as they are added; :meth:`write` and
    :meth:`to_dict` produce the document::

        {"version": 1, "tool": "xlate X.Y.Z", "command": "convert",
         "messages": [...], "files": [...], "summary": {...}}
    """

    def __init__(self, command: str, tool: Optional[str] = None) -> None:
        if tool is None:
            from . import __version__

            tool = f"xlate {__version__}"
        self.command = command
        self.tool = tool
        self.counts: Dict[str, int] = {}
        self.statuses: Dict[str, int] = {}
        self._messages = _Spool()
        self._files = _Spool()

    def add_message(self, rec: Dict[str, Any]) -> None:
        key = "losses" if rec.get("kind") == "loss" else "errors"
        self.counts[key] = self.counts.get(key, 0) + 1
        self._messages.add(rec)

    def add_file(self, rec: Dict[str, Any]) -> None:
        self.counts["inputs"] = self.counts.get("inputs", 0) + 1
        status = rec["status"]
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self._files.add(rec)

    def add_result(self, result: Any) -> None:
        """A :class:`xlate.batch.FileResult`: its messages, then its ``files`` entry."""
        for rec in result.messages:
            self.add_message(rec)
        self.add_file(result.record())

    def summary(self) -> Dict[str, Any]:
        return {
            "inputs": self.counts.get("inputs", 0),
            "failed": self.statuses.get("failed", 0),
            "errors": self.counts.get("errors", 0),
            "losses": self.counts.get("losses", 0),
            "statuses": dict(sorted(self.statuses.items())),
        }

    def write(self, fh: IO[str], exit_code: Optional[int] = None) -> None:
        """Write the whole report as one JSON document (2-space indented), ending in a newline."""
        head = {"version": SCHEMA_VERSION, "tool": self.tool, "command": self.command}
        fh.write(json.dumps(head, indent=2)[:-2] + ",\n")
        for name, spool in (("messages", self._messages), ("files", self._files)):
            fh.write(f'  "{name}": [')
            for i, rec in enumerate(spool):
                fh.write(("," if i else "") + "\n    " + json.dumps(rec))
            fh.write("\n  ],\n" if len(spool) else "],\n")
        tail: Dict[str, Any] = {"summary": self.summary()}
        if exit_code is not None:
            tail["exit_code"] = exit_code
        body = json.dumps(tail, indent=2)
        fh.write(body[body.index("\n") + 1 :] + "\n")

    def to_dict(self, exit_code: Optional[int] = None) -> Dict[str, Any]:
        doc: Dict[str, Any] = {
            "version": SCHEMA_VERSION, "tool": self.tool, "command": self.command,
            "messages": list(self._messages), "files": list(self._files), "summary": self.summary(),
        }
        if exit_code is not None:
            doc["exit_code"] = exit_code
        return doc

    def close(self) -> None:
        self._messages.close()
        self._files.close()


class _Spool:
    """An append-only list of JSON records kept in a temporary file (in memory while small)."""

    def __init__(self) -> None:
        import tempfile

        self._fh = tempfile.SpooledTemporaryFile(max_size=1 << 20, mode="w+", encoding="utf-8")
        self._count = 0

    def add(self, rec: Dict[str, Any]) -> None:
        self._fh.write(json.dumps(rec) + "\n")
        self._count += 1

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Dict[str, Any]]:
        self._fh.flush()
        self._fh.seek(0)
        for line in self._fh:
            yield json.loads(line)
        self._fh.seek(0, 2)

    def close(self) -> None:
        self._fh.close()


def records_of(items: List[Union[Loss, XlateError]], *, input: Optional[str] = None) -> List[Dict[str, Any]]:
    """:func:`message_record` of each item."""
    return [message_record(item, input=input) for item in items]

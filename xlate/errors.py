"""Typed errors: every user-facing failure is an :class:`XlateError`.

Anything else escaping the library is a bug in xlate, not in the input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Sequence

if TYPE_CHECKING:  # pragma: no cover
    from .losses import Loss


class XlateError(Exception):
    """Base class of all errors xlate reports about its input or its use."""

    def __init__(
        self,
        message: str,
        *,
        file: Optional[str] = None,
        line: Optional[int] = None,
        col: Optional[int] = None,
        path: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.col = col
        self.path = path

    def located(self, file: Optional[str]) -> "XlateError":
        """Attach a file name (keeps an existing one); returns self for chaining."""
        if self.file is None:
            self.file = file
        return self

    def format(self) -> str:
        """One line: ``FILE:LINE:COL: error: MESSAGE`` with whatever position is known."""
        return format_location(self.file, self.line, self.col) + "error: " + self.message

    def to_dict(self) -> dict:
        return {
            "severity": "error",
            "kind": type(self).__name__,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "path": self.path,
        }

    def __str__(self) -> str:
        return self.format()


class ParseError(XlateError):
    """The input is not well-formed in its syntax (XML or S-expression)."""


class LimitError(ParseError):
    """The input exceeds a configured limit (size, depth, ...)."""


class UnsafeInputError(ParseError):
    """The input uses a construct xlate refuses for safety (DTD, entities, ...)."""


class ValidationError(XlateError):
    """The document is well-formed but does not match the schema of its format."""

    def __init__(self, message: str, *, problems: Sequence[XlateError] = (), **kw) -> None:
        super().__init__(message, **kw)
        self.problems = list(problems)


class ConversionError(XlateError):
    """The document cannot be converted to the requested format."""


class LossError(ConversionError):
    """Strict mode: the conversion would lose information."""

    def __init__(self, message: str, *, losses: Sequence["Loss"] = (), **kw) -> None:
        super().__init__(message, **kw)
        self.losses = list(losses)


class FormatError(XlateError):
    """Unknown format name, or the input's format cannot be detected."""


class UsageError(XlateError):
    """The API or CLI was called with arguments that do not fit together."""


def format_location(file: Optional[str], line: Optional[int], col: Optional[int]) -> str:
    parts = [p for p in (file, line, col) if p is not None]
    return "".join(f"{p}:" for p in parts) + (" " if parts else "")

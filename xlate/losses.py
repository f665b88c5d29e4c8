"""The closed catalogue of losses: what a conversion could not carry over.

Every loss has a code from :data:`CATALOGUE`, a severity, the path of what was lost (an XPath
into the input, or an SXP key path) and a sentence saying what exactly. Stylesheets report
losses with ``<xsl:message>xlate:loss|CODE|PATH|DETAIL</xsl:message>``.
"""

from __future__ import annotations

from typing import Dict, Iterable, List, NamedTuple, Optional, Tuple

from .errors import format_location


class LossKind(NamedTuple):
    severity: str  # "warning" or "info"
    summary: str


CATALOGUE: Dict[str, LossKind] = {
    # Writing core XML from Xen XML.
    "XEN-DROPPED": LossKind("warning", "a Xen-only setting has no core equivalent and was dropped"),
    # Reading SEXPR.
    "SXP-REPAIRED": LossKind("warning", "malformed S-expression repaired the way xend/libvirt tolerated"),
    # Writing SEXPR (xen_to_sexpr.xsl).
    "SXP-UNSUPPORTED": LossKind("warning", "a setting has no SEXPR equivalent and was not written"),
    "SXP-XEND-VERSION": LossKind("warning", "the selected xend version cannot express a setting; it was not written"),
    "SXP-NETWORK": LossKind("warning", "a libvirt network needs libvirt to resolve its bridge; no bridge was written"),
    "SXP-IMPLIED": LossKind("info", "a value xend decides by itself (runtime state) was not written"),
    "SXP-ROUNDED": LossKind("info", "a size was rounded up to the whole MiB that SEXPR uses"),
}


class Loss(NamedTuple):
    """One thing a conversion could not carry over (immutable; cheap to create)."""

    code: str
    severity: str
    path: str
    message: str
    file: Optional[str] = None
    line: Optional[int] = None
    col: Optional[int] = None

    def format(self, severity: Optional[str] = None) -> str:
        """One line: ``FILE:LINE:COL: warning: MESSAGE [CODE]`` (``severity`` overrides)."""
        where = format_location(self.file, self.line, self.col)
        return f"{where}{severity or self.severity}: {self.message} [{self.code}]"

    def to_dict(self) -> dict:
        return self._asdict()


class UnknownLossCode(Exception):
    """A programming error: a stylesheet or module used a code missing from the catalogue."""


def make_losses(
    code: str, found: Iterable[Tuple[str, str, Optional[int]]], *, file: Optional[str] = None
) -> List[Loss]:
    """Many losses of one code at once: ``found`` yields (path, detail, line)."""
    kind = CATALOGUE.get(code)
    if kind is None:
        raise UnknownLossCode(code)
    severity = kind.severity
    return [Loss(code, severity, path, _message(path, detail), file, line, None) for path, detail, line in found]


def _message(path: str, detail: str) -> str:
    return f"{path}: {detail}" if path else detail


def make_loss(
    code: str,
    path: str,
    detail: str,
    *,
    file: Optional[str] = None,
    line: Optional[int] = None,
    col: Optional[int] = None,
) -> Loss:
    kind = CATALOGUE.get(code)
    if kind is None:
        raise UnknownLossCode(code)
    return Loss(code, kind.severity, path, _message(path, detail), file, line, col)

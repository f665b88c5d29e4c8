"""Conversion options and the per-conversion context that collects losses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, List, Optional, Tuple

from .limits import DEFAULT as DEFAULT_LIMITS
from .limits import Limits
from .losses import Loss, make_loss, make_losses


@dataclass(frozen=True)
class Options:
    """What a conversion may do.

    strict:        any loss raises :class:`xlate.errors.LossError` instead of a warning.
    keep_xen:      writing core keeps Xen-only settings inside ``<metadata>`` (restorable)
                   instead of dropping them with a loss.
    xend_version:  the xend config dialect for SEXPR (1 = 3.0.2, 2 = 3.0.3, 3 = 3.0.4,
                   4 = 3.1.0); ``None`` means the newest libvirt behaviour.
    pretty:        indent the output.
    limits:        bounds on the input (size, nesting, atom and attribute lengths, devices);
                   see :class:`xlate.limits.Limits` for the defaults.
    """

    strict: bool = False
    keep_xen: bool = False
    xend_version: Optional[int] = None
    pretty: bool = True
    limits: Limits = DEFAULT_LIMITS  # immutable: one shared instance


DEFAULT_OPTIONS = Options()  # immutable: shared by every Context made without options


@dataclass
class Context:
    """State of one conversion: its options, the input's name, the losses so far."""

    options: Options = field(default_factory=lambda: DEFAULT_OPTIONS)
    file: Optional[str] = None
    losses: List[Loss] = field(default_factory=list)

    def loss(
        self,
        code: str,
        path: str,
        detail: str,
        line: Optional[int] = None,
        col: Optional[int] = None,
    ) -> None:
        self.losses.append(make_loss(code, path, detail, file=self.file, line=line, col=col))

    def losses_of(self, code: str, found: Iterable[Tuple[str, str, Optional[int]]]) -> None:
        """Many losses of one code: ``found`` yields (path, detail, line)."""
        self.losses.extend(make_losses(code, found, file=self.file))

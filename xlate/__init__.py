"""xlate: translate virtual-machine configurations between libvirt-style domain XML ("core"),
Xen XML (core plus the ``xen:`` namespace) and xend S-expressions.

>>> import xlate
>>> result = xlate.convert(open("guest.sexpr", "rb").read(), to="core")
>>> result.output, result.losses
"""

from .api import Result, convert, detect, formats, read_hub, validate
from .context import Options
from .errors import (
    ConversionError,
    FormatError,
    LimitError,
    LossError,
    ParseError,
    UnsafeInputError,
    UsageError,
    ValidationError,
    XlateError,
)
from .limits import Limits
from .losses import CATALOGUE, Loss

__version__ = "0.1.0"

__all__ = [
    "CATALOGUE",
    "ConversionError",
    "FormatError",
    "LimitError",
    "Limits",
    "Loss",
    "LossError",
    "Options",
    "ParseError",
    "Result",
    "UnsafeInputError",
    "UsageError",
    "ValidationError",
    "XlateError",
    "convert",
    "detect",
    "formats",
    "read_hub",
    "validate",
]

"""``python -m xlate``: the same as the ``xlate`` command."""

import sys

from .cli import main

sys.exit(main())

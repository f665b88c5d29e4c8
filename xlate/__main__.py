"""``python -m xlate``: the same as the ``xlate`` command."""

import sys

from .cli import main

if __name__ == "__main__":  # not when a spawned batch worker imports this module
    sys.exit(main())

"""``python -m xlate``: the same as the ``xlate`` command."""

import sys

try:
    from .cli import main
except KeyboardInterrupt:  # Ctrl-C while starting up: no traceback either
    sys.stderr.write("xlate: interrupted\n")
    sys.exit(130)

if __name__ == "__main__":  # not when a spawned batch worker imports this module
    sys.exit(main())

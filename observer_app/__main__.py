"""``python -m observer_app`` is the same as the ``observer-app`` command."""

import sys

from observer_app.cli import main

if __name__ == "__main__":
    sys.exit(main())

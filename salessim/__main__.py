"""``python -m salessim`` runs the command line."""

import sys

from salessim.cli import main

sys.exit(main())

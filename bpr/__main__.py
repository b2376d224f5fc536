"""``python -m bpr`` runs the command line."""

import sys

from bpr.cli import main

sys.exit(main())

"""``python -m mils_core`` runs the ``mils`` command line."""

from mils_core.cli import main

raise SystemExit(main())

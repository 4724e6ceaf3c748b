"""mils-eval test setup: ``eval_helpers`` importable (the test kit keeps the hub off and the cache private).

The repository runs pytest with ``--import-mode=importlib``, which does not put test folders
on ``sys.path``; the helper module has a name unique to this plugin, so adding this folder
cannot shadow another plugin's helpers.
"""

from __future__ import annotations

import sys
from pathlib import Path

if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))

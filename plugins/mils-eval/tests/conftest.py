"""mils-eval test setup: offline, a private cache folder per test, and ``eval_helpers`` importable.

The repository runs pytest with ``--import-mode=importlib``, which does not put test folders
on ``sys.path``; the helper module has a name unique to this plugin, so adding this folder
cannot shadow another plugin's helpers.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
if str(Path(__file__).parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MILS_CACHE_DIR", str(tmp_path / "cache"))

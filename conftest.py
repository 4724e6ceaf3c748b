"""Repository-wide pytest setup: the mils test kit, offline hub, an isolated cache per test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["mils_core.testing.pytest_plugin"]

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(autouse=True)
def _isolated_mils_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test gets its own pool-embedding cache folder."""
    monkeypatch.setenv("MILS_CACHE_DIR", str(tmp_path / "mils-cache"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip ``gpu`` tests when no CUDA GPU is visible."""
    try:
        import torch

        has_gpu = torch.cuda.is_available()
    except ImportError:
        has_gpu = False
    if has_gpu:
        return
    skip = pytest.mark.skip(reason="needs a CUDA GPU")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)

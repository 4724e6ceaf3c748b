"""Shared helpers for the core's tests (no first-party plugin is imported here)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from mils_core.builtin.vocabulary import targets
from mils_core.config import Config, config_from_dict

pytest_plugins = ["mils_core.testing.pytest_plugin"]

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MILS_CACHE_DIR", str(tmp_path / "cache"))


def demo_config(tmp_path: Path, n: int = 12, iterations: int = 3, **sections: Any) -> Config:
    """A text-target config over ``n`` deterministic targets written into ``tmp_path``."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "targets.txt").write_text("\n".join(targets(n)) + "\n")
    raw: dict[str, Any] = {
        "run": {"task": "text-target", "samples": "targets.txt", "output": "out", "seed": 0},
        "task": {"pool_size": 300},
        "generator": {"name": "mutate"},
        "scorer": {"name": "word-overlap"},
        "stop": [{"name": "max-iterations", "n": iterations}],
        "loop": {"top_k": 10, "n_new": 10, "batch_samples": 4},
    }
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(raw.get(key), dict):
            raw[key] = {**raw[key], **value}
        else:
            raw[key] = value
    return config_from_dict(raw, base_dir=tmp_path)

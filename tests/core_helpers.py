"""Helpers shared by the core's tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mils_core.builtin.vocabulary import targets
from mils_core.config import Config, config_from_dict


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

"""The scale-out serving pattern: one OpenAI-compatible server per node, used by every Ray actor.

Each actor's ``openai`` generator bounds its own requests (``max_concurrency``), so the server
never sees more than workers × max_concurrency at once.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mils_core.builtin.vocabulary import targets
from mils_core.config import config_from_dict
from mils_core.plugins import make_plugin_manager
from mils_core.runner import execute
from mils_llm.testing_server import FakeChatServer

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.ray  # Ray starts in this process: run apart from the forking tests


@pytest.mark.slow
def test_actors_share_one_server_with_bounded_concurrency(tmp_path: Path) -> None:
    (tmp_path / "targets.txt").write_text("\n".join(targets(24)) + "\n")
    ray.init(num_cpus=2, namespace="mils", include_dashboard=False, log_to_driver=False, configure_logging=False)
    try:
        with FakeChatServer(delay_s=0.05) as server:
            raw: dict[str, Any] = {
                "run": {"task": "text-target", "samples": "targets.txt", "output": "out", "executor": "ray"},
                "task": {"pool_size": 50},
                "generator": {"name": "openai", "model": "fake-model", "base_url": server.base_url,
                              "max_concurrency": 2},
                "scorer": {"name": "word-overlap"},
                "stop": [{"name": "max-iterations", "n": 2}],
                "loop": {"batch_samples": 4, "n_new": 3},
                "ray": {"num_workers": 2, "cpus_per_worker": 0.5, "chunk_size": 4},
            }
            summary = execute(config_from_dict(raw, base_dir=tmp_path), make_plugin_manager(), progress=False)
    finally:
        ray.shutdown()
    assert summary["ok"] == 24 and summary["executor"]["workers"] == 2
    assert server.served >= 24 * 2  # two iterations of every sample went through the one server
    assert 1 <= server.max_in_flight <= 2 * 2
    rows = [json.loads(line) for line in (tmp_path / "out" / "results.jsonl").read_text().splitlines()]
    assert sorted(r["id"] for r in rows) == sorted({r["id"] for r in rows}) and all(r["iterations"] == 2 for r in rows)

"""executor = "ray": same records as one process, worker deaths survived, driver kills resumed.

A local Ray (2 CPUs) is started once for the module; every run uses the text-target task with
the fixed-cost components of the test kit (no models).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mils_core.builtin.vocabulary import targets
from mils_core.config import config_from_dict
from mils_core.errors import ConfigError
from mils_core.plugins import make_plugin_manager
from mils_core.runner import execute
from mils_core.testing.fakes import FakeScorer

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.ray  # Ray starts in this process: run apart from the forking tests

N = 300
COMPARED = ("status", "best_text", "best_score", "initial_best_text", "history", "top", "iterations", "stop_reason")


def raw_config(folder: Path, *, executor: str = "local", output: str = "out", seconds_per_prompt: float = 0.0,
               n: int = N, **ray_options: Any) -> dict[str, Any]:
    folder.mkdir(parents=True, exist_ok=True)
    targets_file = folder / "targets.txt"
    if not targets_file.exists():
        targets_file.write_text("\n".join(targets(n)) + "\n")
    return {
        "run": {"task": "text-target", "samples": "targets.txt", "output": output, "seed": 3, "executor": executor,
                "cache_dir": str(folder / "cache")},
        "task": {"pool_size": 200},
        "generator": {"name": "fixed-cost", "seconds_per_prompt": seconds_per_prompt},
        "scorer": {"name": "fixed-cost"},
        "stop": [{"name": "max-iterations", "n": 3}],
        "loop": {"top_k": 6, "n_new": 8, "batch_samples": 8},
        "ray": {"plugins": ["mils_core.testing.fixed_cost"], "num_workers": 2, "cpus_per_worker": 0.5, **ray_options},
    }


def records(folder: Path) -> dict[str, dict[str, Any]]:
    lines = (folder / "results.jsonl").read_text().splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)), "a sample was written twice"
    return {r["id"]: {k: r.get(k) for k in COMPARED} for r in rows}


def run(raw: dict[str, Any], folder: Path) -> dict[str, Any]:
    pm = make_plugin_manager()
    return execute(config_from_dict(raw, base_dir=folder), pm, progress=False)


@pytest.fixture(scope="module")
def local_ray() -> Any:
    ray.init(num_cpus=2, namespace="mils", include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The single-process run's records."""
    folder = tmp_path_factory.mktemp("single")
    from mils_core.ray_executor import register_plugin_modules

    pm = make_plugin_manager()
    register_plugin_modules(pm, ["mils_core.testing.fixed_cost"])
    execute(config_from_dict(raw_config(folder), base_dir=folder), pm, progress=False)
    return records(folder / "out")


# ------------------------------------------------------------------ no cluster needed


def test_unknown_executor_and_ray_options_are_one_line_errors(tmp_path: Path) -> None:
    raw = raw_config(tmp_path, executor="slurm")
    with pytest.raises(ConfigError, match="executor"):
        config_from_dict(raw, base_dir=tmp_path)
    raw = raw_config(tmp_path, executor="ray", num_gpu=1)
    with pytest.raises(ConfigError, match=r"\[ray\].*num_gpu.*num_workers"):
        config_from_dict(raw, base_dir=tmp_path)


def test_missing_ray_says_what_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ConfigError, match=r"pip install 'mils-core\[ray\]'"):
        run(raw_config(tmp_path, executor="ray"), tmp_path)


def test_pool_export_import_skips_the_encode() -> None:
    pool = [f"a text number {i}" for i in range(20)]
    first, second = FakeScorer(), FakeScorer()
    first.prepare_pool(pool)
    second.import_pool(first.export_pool())
    second.prepare_pool(pool)
    assert second.stats()["pool_encodes"] == 0 and second.stats()["pool_imports"] == 1
    np.testing.assert_array_equal(first.score_matrix([first.prepare_targets(["x"])[0]], pool),
                                  second.score_matrix([second.prepare_targets(["x"])[0]], pool))
    with pytest.raises(ValueError, match="cannot be used"):
        FakeScorer(FakeScorer.Options(dim=8)).import_pool(first.export_pool())


# ------------------------------------------------------------------ local Ray


@pytest.mark.slow
def test_two_actors_give_the_single_process_records(local_ray: Any, reference: dict[str, Any], tmp_path: Path) -> None:
    summary = run(raw_config(tmp_path, executor="ray"), tmp_path)
    got = records(tmp_path / "out")
    assert summary["ok"] == N and got == reference
    executor = summary["executor"]
    assert executor["name"] == "ray" and executor["workers"] == 2 and executor["worker_deaths"] == 0
    stats = summary["scorer_stats"]
    assert stats["pool_builds"] == 1 and stats["pool_imports"] == 1, stats  # once per run, shipped to the other
    again = run(raw_config(tmp_path, executor="ray"), tmp_path)
    assert again["skipped"] == N and again["ok"] == 0


@pytest.mark.slow
def test_a_killed_actor_is_replaced_and_its_samples_rerun(local_ray: Any, reference: dict[str, Any],
                                                         tmp_path: Path) -> None:
    raw = raw_config(tmp_path, executor="ray", seconds_per_prompt=0.004, chunk_size=4)
    out: dict[str, Any] = {}
    driver = threading.Thread(target=lambda: out.update(run(raw, tmp_path)))
    driver.start()
    results = tmp_path / "out" / "results.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not results.exists() or len(results.read_text().splitlines()) < 40):
        time.sleep(0.05)
    victim = next(n for n in ray.util.list_named_actors() if n.startswith("mils-worker-0-"))
    ray.kill(ray.get_actor(victim))
    driver.join(timeout=300)
    assert not driver.is_alive()
    assert out["ok"] == N
    assert out["executor"]["worker_deaths"] == 1 and out["executor"]["retried_samples"] >= 1
    assert out["executor"]["workers_started"] == 3
    assert records(tmp_path / "out") == reference


@pytest.mark.slow
def test_sigkilled_driver_resumes_without_duplicates(local_ray: Any, reference: dict[str, Any], tmp_path: Path) -> None:
    import tomli_w

    raw = raw_config(tmp_path, executor="local", seconds_per_prompt=0.004, chunk_size=4)
    config = tmp_path / "run.toml"
    config.write_text(tomli_w.dumps(raw))
    command = [sys.executable, "-m", "mils_core", "run", str(config), "--ray", "auto", "--no-progress"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    results = tmp_path / "out" / "results.jsonl"
    driver = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not results.exists() or len(results.read_text().splitlines()) < 60):
        assert driver.poll() is None, driver.stderr.read().decode() if driver.stderr else ""
        time.sleep(0.05)
    os.kill(driver.pid, signal.SIGKILL)
    driver.wait()
    partial = len(results.read_text().splitlines())
    assert 60 <= partial < N
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"{partial} already done" in done.stdout
    assert records(tmp_path / "out") == reference


@pytest.mark.parametrize(("resources", "options", "expected"), [
    ({"CPU": 64.0, "GPU": 8.0}, {}, (8, 1.0)),                        # one actor per GPU by default
    ({"CPU": 64.0, "GPU": 8.0}, {"gpus_per_worker": 2}, (4, 2.0)),
    ({"CPU": 64.0, "GPU": 8.0}, {"num_workers": 3}, (3, 1.0)),
    ({"CPU": 2.0}, {}, (2, 0.0)),                                     # no GPUs: one per cpus_per_worker CPUs
    ({"CPU": 16.0}, {"cpus_per_worker": 4}, (4, 0.0)),
])
def test_actor_count_follows_the_cluster(resources: dict[str, float], options: dict[str, Any],
                                         expected: tuple[int, float]) -> None:
    from mils_core.config import RaySection
    from mils_core.ray_executor import _width

    class Cluster:
        @staticmethod
        def cluster_resources() -> dict[str, float]:
            return resources

    assert _width(Cluster(), RaySection(**options)) == expected

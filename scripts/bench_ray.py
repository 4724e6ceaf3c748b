"""Scale-out benchmark: samples/hour in one process vs 1 and 2 Ray actors, and the driver's cost per record.

The generator and scorer have a fixed cost (``mils_core.testing.fixed_cost``: a sleep per prompt
and per text), so the figures measure the executor, not a model. Usage:

    .venv/bin/python scripts/bench_ray.py [--samples 200] [--seconds-per-prompt 0.05] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from mils_core.builtin.vocabulary import targets
from mils_core.config import config_from_dict
from mils_core.plugins import make_plugin_manager
from mils_core.ray_executor import register_plugin_modules
from mils_core.runner import execute

PLUGIN = "mils_core.testing.fixed_cost"


def config(folder: Path, n: int, seconds: float, executor: str, workers: int) -> dict[str, Any]:
    (folder / "targets.txt").write_text("\n".join(targets(n)) + "\n")
    return {
        "run": {"task": "text-target", "samples": "targets.txt", "output": "out", "executor": executor,
                "cache_dir": str(folder / "cache")},
        "task": {"pool_size": 200},
        "generator": {"name": "fixed-cost", "seconds_per_prompt": seconds},
        "scorer": {"name": "fixed-cost"},
        "stop": [{"name": "max-iterations", "n": 3}],
        "loop": {"top_k": 6, "n_new": 8, "batch_samples": 8},
        "ray": {"plugins": [PLUGIN], "num_workers": workers, "cpus_per_worker": 0.5, "chunk_size": 8},
    }


def measure(name: str, n: int, seconds: float, executor: str, workers: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pm = make_plugin_manager()
        register_plugin_modules(pm, [PLUGIN])
        t0 = time.perf_counter()
        summary = execute(config_from_dict(config(folder, n, seconds, executor, workers), base_dir=folder), pm,
                          progress=False)
        wall = time.perf_counter() - t0
    row = {"variant": name, "samples": summary["ok"], "wall_s": round(wall, 2),
           "samples_per_hour": round(3600 * summary["ok"] / wall)}
    if summary.get("executor"):
        row["driver_ms_per_record"] = summary["executor"]["driver_ms_per_record"]
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--seconds-per-prompt", type=float, default=0.05)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    import ray

    ray.init(num_cpus=2, namespace="mils", include_dashboard=False, log_to_driver=False, configure_logging=False)
    rows = [measure("one process", args.samples, args.seconds_per_prompt, "local", 1)]
    rows.append(measure("ray, 1 actor", args.samples, args.seconds_per_prompt, "ray", 1))
    rows.append(measure("ray, 2 actors", args.samples, args.seconds_per_prompt, "ray", 2))
    ray.shutdown()
    base = rows[0]["samples_per_hour"]
    for row in rows:
        row["vs_one_process"] = round(row["samples_per_hour"] / base, 2)
        print(json.dumps(row), file=sys.stdout)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

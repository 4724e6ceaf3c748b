"""Pipelines of runs that feed runs, the merge task, and the chaining datasets (no models)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from mils_core.builtin.chaining import Combinations, RunRecords
from mils_core.builtin.merge import MergeCoverage, MergeJoins, MergeTask
from mils_core.builtin.vocabulary import targets
from mils_core.components import Sample
from mils_core.errors import ConfigError, SampleError
from mils_core.pipeline import load_pipeline, pipeline_from_dict, run_pipeline
from mils_core.plugins import make_plugin_manager

A = ["a small dog runs on the beach", "an old man reads a book"]
B = ["rain falls on the street", "a bell rings in the distance"]


def stage(name: str, task_name: str, **sections: Any) -> dict[str, Any]:
    table: dict[str, Any] = {"name": name, "run": {"task": task_name, **sections.pop("run", {})}}
    table.update(sections)
    return table


def three_stages(folder: Path, a: list[str] = A, b: list[str] = B, iterations: int = 3) -> dict[str, Any]:
    (folder / "a.txt").write_text("\n".join(a) + "\n")
    (folder / "b.txt").write_text("\n".join(b) + "\n")
    rows = [{"id": f"combo-{i}", "a": x, "b": y} for i, (x, y) in enumerate(zip(a, b, strict=False))]
    (folder / "rows.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    search = {"generator": {"name": "mutate"}, "stop": [{"name": "max-iterations", "n": iterations}],
              "loop": {"top_k": 6, "n_new": 8}}
    return {
        "pipeline": {"output": "runs/chain", "seed": 1},
        "stage": [
            stage("a", "text-target", run={"samples": "a.txt"}, task={"pool_size": 300}, **search),
            stage("b", "text-target", run={"samples": "b.txt"}, task={"pool_size": 300}, **search),
            stage("merge", "merge", dataset={"name": "combinations", "rows": "rows.jsonl",
                                             "stages": {"a": "a", "b": "b"}}, **search),
        ],
    }


def records(folder: Path) -> dict[str, dict[str, Any]]:
    rows = [json.loads(line) for line in (folder / "results.jsonl").read_text().splitlines() if line.strip()]
    assert len(rows) == len({r["id"] for r in rows}), "a sample was written twice"
    return {r["id"]: r for r in rows}


def answers(folder: Path) -> dict[str, Any]:
    return {k: (r["status"], r.get("best_text"), r.get("best_score")) for k, r in records(folder).items()}


# ---------------------------------------------------------------- merge task parts


def test_merge_coverage_prefers_one_scene_that_keeps_every_input() -> None:
    scorer = MergeCoverage()
    (handle,) = scorer.prepare_targets([("a photo of a dog", "rain falling")])
    texts = ["a photo of a dog", "a photo of a dog and rain falling", "a photo of a dog standing in falling rain",
             "a photo of a dog standing in falling rain near a red car and a tall tree"]
    one, pasted, scene, padded = scorer.score([handle], [texts])[0]
    assert one < pasted < scene  # half the inputs < both pasted side by side < one scene with both
    assert padded < scene  # adding things no input had costs
    assert scorer.score([handle], [["a photo of a dog dog in falling rain"]])[0][0] < 1.0  # so do repeats
    assert scorer.score([handle], [["a photo of a dog in falling rain"]])[0][0] == pytest.approx(1.0)


def test_merge_pool_and_target() -> None:
    sample = Sample(id="x", source=("a dog.", "rain falling"))
    pool = MergeJoins().for_sample(sample)
    assert pool is not None and "a dog and rain falling" in pool and "rain falling, with a dog" in pool
    assert MergeTask().load_target(sample) == ("a dog.", "rain falling")
    with pytest.raises(SampleError, match="no texts"):
        MergeTask().load_target(Sample(id="y", source=("", " ")))


# ---------------------------------------------------------------- pipelines


def test_three_stage_pipeline_merges_the_answers(tmp_path: Path) -> None:
    pipeline = pipeline_from_dict(three_stages(tmp_path), base_dir=tmp_path)
    summaries = run_pipeline(pipeline, make_plugin_manager(), progress=False)
    assert [s["ok"] for s in summaries.values()] == [2, 2, 2]
    out = tmp_path / "runs" / "chain"
    a, b, merged = records(out / "a"), records(out / "b"), records(out / "merge")
    for i in range(2):
        row = merged[f"combo-{i}"]
        assert row["meta"]["inputs"] == {"a": A[i], "b": B[i]}
        first = next(r for r in a.values() if r["source"] == A[i])
        second = next(r for r in b.values() if r["source"] == B[i])
        # the merge stage searched from the joins of the two earlier answers, and beat them
        start = row["initial_best_text"]
        assert first["best_text"] in start and second["best_text"] in start and start != first["best_text"]
        assert row["best_score"] > row["initial_best_score"]
    index = json.loads((out / "pipeline.json").read_text())
    assert [s["name"] for s in index["stages"]] == ["a", "b", "merge"]
    again = run_pipeline(pipeline, make_plugin_manager(), progress=False)
    assert [s["skipped"] for s in again.values()] == [2, 2, 2]


def test_a_failed_or_missing_input_fails_only_its_combination(tmp_path: Path) -> None:
    raw = three_stages(tmp_path)
    (tmp_path / "a.jsonl").write_text('{"id": "good", "text": "a small dog runs on the beach"}\nnot json\n')
    raw["stage"][0]["run"]["samples"] = "a.jsonl"
    (tmp_path / "rows.csv").write_text("id,a,b\nfine,good,rain falls on the street\nbroken,line-2,a bell rings in the distance\n"
                                       "absent,nobody,rain falls on the street\n")
    raw["stage"][2]["dataset"]["rows"] = "rows.csv"
    run_pipeline(pipeline_from_dict(raw, base_dir=tmp_path), make_plugin_manager(), progress=False)
    merged = records(tmp_path / "runs" / "chain" / "merge")
    assert merged["fine"]["status"] == "ok"
    assert merged["broken"]["status"] == "failed" and "a input 'line-2' failed in a" in merged["broken"]["error"]
    assert merged["absent"]["status"] == "failed" and "has no record in a" in merged["absent"]["error"]


def test_run_records_feeds_a_run_from_another(tmp_path: Path) -> None:
    raw = three_stages(tmp_path)
    raw["stage"][1] = stage("again", "text-target", dataset={"name": "run-records", "stage": "a"},
                            generator={"name": "mutate"}, stop=[{"name": "max-iterations", "n": 1}])
    del raw["stage"][2]
    run_pipeline(pipeline_from_dict(raw, base_dir=tmp_path), make_plugin_manager(), progress=False)
    first, second = records(tmp_path / "runs/chain/a"), records(tmp_path / "runs/chain/again")
    assert {k: r["best_text"] for k, r in first.items()} == {k: r["source"] for k, r in second.items()}
    samples = list(RunRecords(RunRecords.Options(run=str(tmp_path / "runs/chain/a"))).samples())
    assert all(s.meta["from_run"].endswith("a") and s.meta["input"] in A for s in samples)


@pytest.mark.parametrize(("change", "message"), [
    (lambda r: r["stage"][0].update(name="a b"), "needs a name"),
    (lambda r: r["stage"][1].update(name="a"), "used twice"),
    (lambda r: r["stage"][2]["dataset"]["stages"].update(a="later"), "not an earlier stage"),
    (lambda r: r["stage"][0]["run"].update(output="x"), "drop \\[stage.run\\] output"),
    (lambda r: r.update(loop={}), "only \\[pipeline\\] and \\[\\[stage\\]\\]"),
    (lambda r: r["stage"][0].update(loop={"top_kk": 3}), "\\[\\[stage\\]\\] 'a'.*top_kk"),
])
def test_malformed_pipelines_are_one_line_errors(tmp_path: Path, change: Any, message: str) -> None:
    raw = three_stages(tmp_path)
    change(raw)
    with pytest.raises(ConfigError, match=message):
        pipeline_from_dict(raw, base_dir=tmp_path)


def test_overrides_reach_one_stage_or_all(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text(tomli_w.dumps(three_stages(tmp_path)))
    pipeline = load_pipeline(path, ["merge.loop.n_new=3", "loop.top_k=4"])
    configs = dict(pipeline.stages)
    assert configs["merge"].loop.n_new == 3 and configs["a"].loop.n_new == 8
    assert {c.loop.top_k for c in configs.values()} == {4}


def test_combinations_needs_its_table(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="rows table"):
        Combinations(Combinations.Options(rows=str(tmp_path / "none.csv"))).check()


@pytest.mark.slow
def test_kill_during_stage_two_resumes_there(tmp_path: Path) -> None:
    many = targets(240)
    raw = three_stages(tmp_path, a=A, b=many, iterations=6)
    path = tmp_path / "p.toml"
    path.write_text(tomli_w.dumps(raw))
    command = [sys.executable, "-m", "mils_core", "run", str(path), "--no-progress"]
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    stage_b = tmp_path / "runs/chain/b/results.jsonl"
    driver = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not stage_b.exists() or len(stage_b.read_text().splitlines()) < 30):
        assert driver.poll() is None
        time.sleep(0.02)
    os.kill(driver.pid, signal.SIGKILL)
    driver.wait()
    stage_a = tmp_path / "runs/chain/a/results.jsonl"
    before = (stage_a.stat().st_mtime_ns, stage_a.read_bytes())
    partial = len(stage_b.read_text().splitlines())
    assert partial < len(many)
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "a: 0 ok, 0 failed, 2 already done" in done.stdout and f"{partial} already done" in done.stdout
    assert (stage_a.stat().st_mtime_ns, stage_a.read_bytes()) == before  # stage 1 was not redone
    # the same pipeline, uninterrupted, in another folder gives the same answers
    raw["pipeline"]["output"] = "runs/clean"
    run_pipeline(pipeline_from_dict(raw, base_dir=tmp_path), make_plugin_manager(), progress=False)
    for name in ("a", "b", "merge"):
        assert answers(tmp_path / "runs/chain" / name) == answers(tmp_path / "runs/clean" / name)


def test_stages_share_components_with_the_same_identity(tmp_path: Path) -> None:
    from mils_core.resolve import resolve_components

    pipeline = pipeline_from_dict(three_stages(tmp_path), base_dir=tmp_path)
    configs = dict(pipeline.stages)
    shared: dict[str, Any] = {}
    pm = make_plugin_manager()
    a = resolve_components(configs["a"], pm, reuse=shared)
    b = resolve_components(configs["b"], pm, reuse=shared)
    merge = resolve_components(configs["merge"], pm, reuse=shared)
    assert a.generator is b.generator is merge.generator  # the same mutate options: one instance
    assert a.scorer is b.scorer and merge.scorer is not a.scorer  # word-overlap twice; merge-coverage differs
    assert a.task is not b.task  # tasks are never shared
    other = resolve_components(configs["a"], pm)
    assert other.generator is not a.generator  # without reuse, fresh components

"""t2i-enhancement end to end on a tiny SDXL pipeline with a scorer that prefers bright images."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from mils_t2i.testing import t2i_test_plugin
from PIL import Image

from mils_core.cli import build_parser
from mils_core.config import config_from_dict
from mils_core.plugins import MilsPluginManager
from mils_core.resolve import resolve_components
from mils_core.results import read_records
from mils_core.runner import execute

pytestmark = pytest.mark.slow

PROMPTS = ["a lighthouse on a cliff", "a bowl of soup", ""]


def config(tmp_path: Path, sdxl_dir: Path, tiny_options: Any, **loop: Any) -> dict[str, Any]:
    return {
        "run": {"task": "t2i-enhancement", "samples": PROMPTS, "output": str(tmp_path / "run")},
        "renderer": {"name": "sdxl", **tiny_options(sdxl_dir, final_size=48, batch_size=16)},
        "scorer": {"name": "t2i-brightness"},
        "generator": {"name": "t2i-rewriter"},
        "loop": {"top_k": 3, "n_new": 6, "batch_samples": 4, **loop},
        "stop": [{"name": "max-iterations", "n": 2}],
    }


def run(pm: MilsPluginManager, raw: dict[str, Any], tmp_path: Path, components: Any = None) -> tuple[list[dict[str, Any]], Any, Any]:
    cfg = config_from_dict(raw, base_dir=tmp_path)
    components = components or resolve_components(cfg, pm)
    summary = execute(cfg, pm, progress=False, components=components)
    return read_records(cfg.output_dir()), components, summary


@pytest.fixture
def pm(mils_plugin_manager: MilsPluginManager, mils_register: Any) -> MilsPluginManager:
    mils_register(t2i_test_plugin)
    return mils_plugin_manager


def test_the_loop_improves_on_the_prompt_renders_once_and_resumes_without_renders(
        pm: MilsPluginManager, tmp_path: Path, sdxl_dir: Path, tiny_options: Any) -> None:
    raw = config(tmp_path, sdxl_dir, tiny_options)
    records, components, summary = run(pm, raw, tmp_path)
    renderer = components.renderer
    calls: list[tuple[str, int]] = []
    by = {r["source"]: r for r in records}
    # the empty prompt fails alone, with a one-line reason
    assert by[""]["status"] == "failed" and "empty prompt" in by[""]["error"]
    ok = [by[p] for p in PROMPTS if p]
    assert all(r["status"] == "ok" for r in ok)
    for r in ok:
        assert r["initial_best_text"] == r["source"]  # the user's prompt is the initial pool
        assert r["best_score"] >= r["initial_best_score"]
        assert isinstance(r["meta"]["render_seed"], int)
    assert any(r["best_score"] > r["initial_best_score"] for r in ok), "the loop never beat the original prompt"
    seeds = {r["meta"]["render_seed"] for r in ok}
    assert len(seeds) == 2  # one seed per sample
    # every (prompt, seed) rendered once: renders == distinct candidates per sample
    stats = summary["render_stats"]
    candidates = sum(r["counters"]["candidates_scored"] for r in ok)
    assert stats["renders"] == candidates == renderer.stats()["images"] - renderer.stats()["final_images"]
    # artifacts: written atomically into the run folder, referenced from the records
    for r in ok:
        arts = r["artifacts"]
        assert {"best", "final", "initial-final"} <= set(arts)
        best = Image.open(tmp_path / "run" / arts["best"])
        final = Image.open(tmp_path / "run" / arts["final"])
        assert best.size == (32, 32) and final.size == (48, 48)
        assert (tmp_path / "run" / arts["initial-final"]).is_file()
        assert not list((tmp_path / "run" / arts["best"]).parent.glob(".*tmp*"))
        assert r["timings"]["final_render"] > 0
    # resume: nothing is rendered again
    original = renderer.render_batch

    def counting(texts: list[str], seeds: list[int], conditions: Any) -> list[Any]:
        calls.extend(zip(texts, seeds, strict=True))
        return original(texts, seeds, conditions)

    renderer.render_batch = counting
    again, _, summary2 = run(pm, raw, tmp_path, components)
    assert calls == [] and summary2["skipped"] == 3
    assert {r["id"]: r.get("artifacts") for r in again} == {r["id"]: r.get("artifacts") for r in records}


def test_nan_images_are_dropped_and_counted(pm: MilsPluginManager, tmp_path: Path, sdxl_dir: Path,
                                            tiny_options: Any) -> None:
    raw = config(tmp_path, sdxl_dir, tiny_options)
    raw["run"]["samples"] = PROMPTS[:1]
    cfg = config_from_dict(raw, base_dir=tmp_path)
    components = resolve_components(cfg, pm)
    renderer = components.renderer
    renderer.ensure_loaded()
    pipe = renderer._pipe

    class Overflowing:
        """The real pipeline, with the images of prompts mentioning snow turned NaN (an fp16 overflow)."""

        def __call__(self, **kwargs: Any) -> Any:
            out = pipe(**kwargs)
            for i, text in enumerate(kwargs["prompt"]):
                if "snow" in text or "night" in text:
                    out.images[i] = np.full_like(out.images[i], np.nan)
            return out

    renderer._pipe = Overflowing()
    execute(cfg, pm, progress=False, components=components)
    [record] = read_records(cfg.output_dir())
    assert record["status"] == "ok"
    assert record["counters"]["nan_dropped"] == renderer.stats()["nan_images"] > 0
    assert "snow" not in record["best_text"] and "night" not in record["best_text"]


def test_mils_enhance_prints_json_with_both_images(pm: MilsPluginManager, tmp_path: Path, sdxl_dir: Path,
                                                   tiny_options: Any, capsys: pytest.CaptureFixture[str]) -> None:
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("a red kite\n", encoding="utf-8")
    sets = [f"renderer.{k}={json.dumps(v)}" for k, v in tiny_options(sdxl_dir, final_size=40).items() if k != "model"]
    argv = ["enhance", "a green hill", str(prompts), "--renderer", "sdxl", "--model", str(sdxl_dir), "--scorer",
            "t2i-brightness", "--generator", "t2i-rewriter", "--output", str(tmp_path / "out"), "--json",
            "--set", "loop.n_new=4", "--set", "loop.top_k=2", "--iterations", "1",
            *[a for s in sets for a in ("--set", s)]]
    args = build_parser(pm).parse_args(argv)
    assert args.handler(args, pm) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    assert [r["prompt"] for r in rows] == ["a green hill", "a red kite"]
    for row in rows:
        assert row["status"] == "ok" and row["enhanced_prompt"]
        assert Image.open(row["original_image"]).size == Image.open(row["enhanced_image"]).size == (40, 40)
        assert isinstance(row["render_seed"], int)

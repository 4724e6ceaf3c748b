"""The renderer kind: texts rendered once, batched with OOM back-off, artifacts kept, resume renders nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mils_core.config import config_from_dict
from mils_core.plugins import make_plugin_manager
from mils_core.resolve import resolve_components
from mils_core.results import read_records
from mils_core.runner import execute
from mils_core.testing.render_fakes import FakeRenderer, render_fakes_plugin, word_vector

TARGETS = ["a red fox jumps over a fence", "two cats sleep on a sofa", "a boat on a calm lake"]


def config(tmp_path: Path, renderer: str = "fake-render", *, samples: list[str] = TARGETS, **loop: Any) -> dict[str, Any]:
    return {
        "run": {"task": "text-target", "samples": samples, "output": str(tmp_path / "run")},
        "task": {"pool_size": 40},
        "renderer": {"name": renderer, "batch_size": 8},
        "scorer": {"name": "fake-image-scorer"},
        "stop": [{"name": "max-iterations", "n": 3}],
        "loop": {"top_k": 5, "n_new": 6, **loop},
    }


def run(tmp_path: Path, raw: dict[str, Any]) -> tuple[list[dict[str, Any]], Any]:
    pm = make_plugin_manager(plugins=[render_fakes_plugin])
    cfg = config_from_dict(raw, base_dir=tmp_path)
    components = resolve_components(cfg, pm)
    summary = execute(cfg, pm, progress=False, components=components)
    return read_records(cfg.output_dir()), (components, summary)


def test_every_text_is_rendered_once_and_the_best_artifact_is_kept(tmp_path: Path) -> None:
    records, (components, summary) = run(tmp_path, config(tmp_path))
    renderer = components.renderer
    assert isinstance(renderer, FakeRenderer)
    assert len(records) == 3 and all(r["status"] == "ok" for r in records)
    # an unconditioned render is shared by samples: no text is ever rendered twice
    assert len(renderer.rendered) == len(set(renderer.rendered))
    assert summary["render_stats"]["renders"] == len(renderer.rendered)
    assert summary["render_stats"]["render_cache_hits"] > 0  # the 40 pool texts, shared by 3 samples
    assert max(renderer.batches) <= 8
    for record in records:
        path = tmp_path / "run" / record["artifacts"]["best"]
        saved = np.load(path, allow_pickle=False)
        np.testing.assert_allclose(saved.reshape(-1), word_vector(record["best_text"]), rtol=1e-6)
        assert not list(path.parent.glob(".*tmp*"))  # written atomically: no temporary file left
    # the records' scores are the scores of the saved artifacts
    for record, target in zip(sorted(records, key=lambda r: TARGETS.index(r["source"])), TARGETS, strict=True):
        saved = np.load(tmp_path / "run" / record["artifacts"]["best"]).reshape(-1)
        assert record["best_score"] == pytest.approx(float(saved @ word_vector(target) / np.linalg.norm(saved)), abs=1e-5)


def test_resume_renders_nothing_for_finished_samples(tmp_path: Path) -> None:
    raw = config(tmp_path)
    first, _ = run(tmp_path, raw)
    again, (components, summary) = run(tmp_path, raw)
    assert components.renderer.rendered == []
    assert summary["skipped"] == 3
    assert {r["id"]: r["artifacts"] for r in first} == {r["id"]: r["artifacts"] for r in again}


def test_iteration_artifacts_when_asked(tmp_path: Path) -> None:
    records, _ = run(tmp_path, config(tmp_path, save_iteration_artifacts=True))
    for record in records:
        names = set(record["artifacts"])
        assert "best" in names
        assert names - {"best"} <= {f"iteration-{i}" for i in range(1, 4)}
        assert names - {"best"}, "at least the first iteration's best is kept"
        for rel in record["artifacts"].values():
            assert (tmp_path / "run" / rel).is_file()


def test_a_conditioned_renderer_renders_per_sample(tmp_path: Path) -> None:
    samples = ["a red fox", "a red fox in snow"]
    records, (components, _) = run(tmp_path, config(tmp_path, "fake-edit", samples=samples))
    renderer = components.renderer
    assert all(r["status"] == "ok" for r in records)
    # the same pool texts are rendered once per sample (the render depends on the sample) ...
    pool_texts = [t for t in renderer.rendered if renderer.rendered.count(t) == 2]
    assert pool_texts
    # ... and never twice for one sample: at most once per sample
    assert max(renderer.rendered.count(t) for t in renderer.rendered) <= 2


def test_a_failing_render_fails_its_sample_alone(tmp_path: Path) -> None:
    raw = config(tmp_path, "fake-edit", samples=["a red fox", "a poison apple", "a blue boat"])
    raw["renderer"]["fail_on"] = "poison"
    records, _ = run(tmp_path, raw)
    by_source = {r["source"]: r for r in records}
    assert by_source["a poison apple"]["status"] == "failed"
    error = by_source["a poison apple"]["error"]
    assert "\n" not in error and "cannot edit a target that mentions 'poison'" in error and "FakeEditor" in error
    assert by_source["a red fox"]["status"] == by_source["a blue boat"]["status"] == "ok"


def test_out_of_memory_halves_the_render_batch(tmp_path: Path) -> None:
    raw = config(tmp_path)
    raw["renderer"]["oom_above"] = 2
    records, (components, _) = run(tmp_path, raw)
    assert all(r["status"] == "ok" for r in records)
    assert max(components.renderer.batches) <= 2


def test_a_run_without_a_renderer_scores_texts(tmp_path: Path) -> None:
    raw = config(tmp_path)
    del raw["renderer"]
    raw["scorer"] = {"name": "word-overlap"}
    records, (components, summary) = run(tmp_path, raw)
    assert components.renderer is None and "render_stats" not in summary or not summary["render_stats"]
    assert all("artifacts" not in r for r in records)


def test_the_cache_spans_calls(tmp_path: Path) -> None:
    """One sample at a time: each sample's pool is its own render call, yet no pool text renders twice."""
    records, (components, summary) = run(tmp_path, config(tmp_path, batch_samples=1))
    rendered = components.renderer.rendered
    assert len(records) == 3
    assert len(rendered) == len(set(rendered))
    assert summary["render_stats"]["render_cache_hits"] >= 2 * 40


class _SeededRenderer(FakeRenderer):
    """A fake renderer with one noise seed per sample; it records the seed of every render."""

    seed_per_sample = True

    def render_batch(self, texts: list[str], seeds: list[int], conditions: Any) -> list[Any]:
        self.seeds = [*getattr(self, "seeds", []), *zip(texts, seeds, strict=True)]
        return super().render_batch(texts, seeds, conditions)


class _SeededPlugin:
    from mils_core.hookspecs import hookimpl

    @hookimpl
    def mils_register_renderers(self, register: Any) -> None:
        from mils_core.testing.render_fakes import FakeRenderOptions

        register("fake-seeded", _SeededRenderer, options=FakeRenderOptions, description="per-sample seeds (tests)")


def test_a_per_sample_seed_is_shared_by_the_samples_candidates_and_recorded(tmp_path: Path) -> None:
    pm = make_plugin_manager(plugins=[render_fakes_plugin, _SeededPlugin()])
    cfg = config_from_dict(config(tmp_path, "fake-seeded", samples=TARGETS[:2]), base_dir=tmp_path)
    components = resolve_components(cfg, pm)
    execute(cfg, pm, progress=False, components=components)
    records = read_records(cfg.output_dir())
    seeds = {r["source"]: r["meta"]["render_seed"] for r in records}
    assert len(set(seeds.values())) == 2 and all(0 <= s < 2**31 for s in seeds.values())
    rendered = components.renderer.seeds
    assert {s for _, s in rendered} == set(seeds.values())  # every render used its sample's seed
    assert len(rendered) == len(set(rendered))  # no (text, seed) rendered twice
    # the shared pool is rendered once per sample (its noise differs), never twice for one sample
    assert max(sum(1 for t, _ in rendered if t == text) for text, _ in rendered) == 2
    again = make_plugin_manager(plugins=[render_fakes_plugin, _SeededPlugin()])
    cfg2 = config_from_dict(config(tmp_path / "b", "fake-seeded", samples=TARGETS[:2]), base_dir=tmp_path)
    execute(cfg2, again, progress=False)
    assert {r["source"]: r["meta"]["render_seed"] for r in read_records(cfg2.output_dir())} == seeds  # stable

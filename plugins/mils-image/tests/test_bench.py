"""``mils bench --task image-captioning``: the core's bench finds this package's presets and its
bundled example images (package data, not a repository path), and measures an image workload."""

from __future__ import annotations

import json
import random
from importlib import resources
from pathlib import Path

import pytest

from mils_core.bench import WARM, base_config, bench, bench_samples
from mils_core.cli import build_parser, main
from mils_core.components import Prompt
from mils_core.hookspecs import hookimpl
from mils_core.plugins import make_plugin_manager
from mils_core.testing.fakes import FakeGenerator, FakeScorer

PACKAGE_EXAMPLES = Path(str(resources.files("mils_image") / "data" / "examples"))


def respond(prompt: Prompt) -> str:
    rng = random.Random(prompt.seed)
    words = "a cat dog on the sofa grey tabby sleeping photo of".split()
    return "\n".join(f"{i + 1}. " + " ".join(rng.choice(words) for _ in range(6)) for i in range(prompt.n_new))


class Fakes:
    @hookimpl
    def mils_register_generators(self, register):  # type: ignore[no-untyped-def]
        register("fake-words", lambda o: FakeGenerator(respond=respond))

    @hookimpl
    def mils_register_scorers(self, register):  # type: ignore[no-untyped-def]
        register("fake-embed", FakeScorer, options=FakeScorer.Options)


def test_bench_defaults_to_this_task_its_first_preset_and_bundled_images(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)  # nothing is found relative to the working folder or the repository
    pm = make_plugin_manager()
    args = build_parser(pm).parse_args(["bench"])
    assert args.task == "image-captioning" and args.preset is None and args.samples is None
    samples = bench_samples(pm, args.task, args.samples)
    assert isinstance(samples, list) and len(samples) == 8
    assert all(Path(s).parent == PACKAGE_EXAMPLES.resolve() and Path(s).suffix == ".jpg" for s in samples)
    preset, raw = base_config(pm, task=args.task, preset=args.preset, samples=samples)
    assert preset == "offline" and raw["scorer"]["name"] == "imagenet-bridge"
    assert raw["run"] == {"task": "image-captioning", "samples": samples, "seed": 0}


def test_bench_images_with_fake_models(tmp_path: Path) -> None:
    pm = make_plugin_manager(plugins=[Fakes()])
    report = bench(pm, task="image-captioning", preset="offline", iterations=2, ablate=["pool-cache", "list-stop"],
                   overrides=["loop.pool_size=400"], workdir=tmp_path, generator="fake-words", scorer="fake-embed")
    rows = {r["variant"]: r for r in report["variants"]}
    assert list(rows) == ["full", WARM, "no-pool-cache"]
    assert "fake-words" in report["skipped"]["list-stop"]  # a generator without the list stop: noted, not run
    assert rows["full"]["samples"] == 8 and rows["full"]["target_encodes_per_sample"] == 1  # each image once
    assert rows["full"]["pool_encodes_per_sample"] == 50 and rows["no-pool-cache"]["pool_encodes_per_sample"] == 400
    assert rows[WARM]["pool_encodes_per_sample"] == 0


@pytest.mark.slow
def test_bench_offline_preset_real_models(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    image = str(PACKAGE_EXAMPLES / "chelsea.jpg")
    assert main(["bench", "--task", "image-captioning", "--samples", image, "--iterations", "1",
                 "--set", "loop.pool_size=300", "--set", "loop.n_new=4", "--set", "loop.prompts_per_sample=1",
                 "--set", "generator.max_new_tokens=40"]) == 0
    report = json.loads((tmp_path / "bench.json").read_text())
    assert report["complete"] and report["preset"] == "offline" and report["samples"] == [image]
    full = report["variants"][0]
    assert full["samples"] == 1 and full["failed"] == 0 and full["tokens_per_sample"]["completion"] > 0
    assert report["components"]["generator"]["name"] == "transformers"
    assert "task image-captioning, preset offline, 1 samples" in capsys.readouterr().out

"""The t2i-enhancement task, its prompt style and pool, and the drawbench reader (no models)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from mils_t2i.drawbench import DrawBench, DrawBenchOptions
from mils_t2i.presets import PRESETS
from mils_t2i.task import RewriteList, T2iEnhancement, UserPrompt, prompt_samples

from mils_core.components import Sample, ScoredText
from mils_core.errors import ConfigError, SampleError
from mils_core.testing.contracts import PromptStyleContract, TaskContract

DRAWBENCH = "Prompts,Category\nA red colored car.,Colors\nA black colored dog.,Colors\nTwo cats and one dog.,Counting\n,Counting\n"


class TestTaskContract(TaskContract):
    @pytest.fixture
    def task(self) -> T2iEnhancement:
        return T2iEnhancement()

    @pytest.fixture
    def sample_source(self) -> Any:
        return ["a red car", "a blue boat"]


class TestPromptStyleContract(PromptStyleContract):
    @pytest.fixture
    def prompt_style(self) -> RewriteList:
        return RewriteList()


def test_samples_from_literal_prompts_files_and_manifests(tmp_path: Path) -> None:
    (tmp_path / "p.txt").write_text("a red car\n\n  a  blue   boat \n", encoding="utf-8")
    (tmp_path / "d.csv").write_text(DRAWBENCH, encoding="utf-8")
    (tmp_path / "m.jsonl").write_text(json.dumps({"id": "x1", "prompt": "a cat"}) + "\nnot json\n", encoding="utf-8")
    txt = prompt_samples(str(tmp_path / "p.txt"))
    assert [s.source for s in txt] == ["a red car", "a blue boat"]
    csv_samples = prompt_samples(str(tmp_path / "d.csv"))
    assert [s.source for s in csv_samples][:3] == ["A red colored car.", "A black colored dog.", "Two cats and one dog."]
    assert csv_samples[0].meta["category"] == "Colors"
    jsonl = prompt_samples(str(tmp_path / "m.jsonl"))
    assert jsonl[0].id == "x1" and jsonl[0].source == "a cat" and jsonl[1].meta["error"]
    literal = prompt_samples(["a red car", "a red car", str(tmp_path / "p.txt")])
    assert len({s.id for s in literal}) == 4  # a repeated prompt gets its own id
    assert literal[0].id == prompt_samples("a red car")[0].id  # stable: the same prompt, the same id (and seed)
    with pytest.raises(ConfigError, match="does not exist"):
        prompt_samples(str(tmp_path / "missing.txt"))
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="prompt column"):
        prompt_samples(str(tmp_path / "bad.csv"))


def test_the_target_is_the_prompt_and_an_empty_prompt_fails(tmp_path: Path) -> None:
    task = T2iEnhancement()
    [sample] = prompt_samples("  a red   car ")
    assert task.load_target(sample) == "a red car"
    with pytest.raises(SampleError, match="empty prompt"):
        task.load_target(prompt_samples("")[0])
    (tmp_path / "d.csv").write_text(DRAWBENCH, encoding="utf-8")
    with pytest.raises(SampleError, match="empty prompt"):
        task.load_target(prompt_samples(str(tmp_path / "d.csv"))[3])


def test_the_initial_pool_is_the_users_prompt() -> None:
    pool = UserPrompt()
    assert list(pool.texts()) == []
    assert pool.for_sample(Sample("s", "a red car")) == ["a red car"]


def test_the_llm_prompt_keeps_the_users_intent_and_parses_rewrites() -> None:
    style = RewriteList()
    prompt = style.build(Sample("s", "a red car"), [ScoredText("a red car, photo", 0.25)], 5, 0)
    text = prompt.messages[-1].content
    assert '"a red car"' in text and "0.2500: a red car, photo" in text and "Keep every element" in text
    assert style.parse("1. a shiny red car on a road\n2. red car") == ["a shiny red car on a road", "red car"]


def test_paper_defaults_and_presets() -> None:
    assert (T2iEnhancement.default_iterations, T2iEnhancement.default_n_new, T2iEnhancement.default_top_k) == (19, 50, 20)
    paper = PRESETS["paper"]
    assert paper["renderer"]["width"] == paper["renderer"]["height"] == 256
    assert paper["stop"] == [{"name": "max-iterations", "n": 19}]
    assert paper["loop"]["n_new"] == 50 and paper["loop"]["top_k"] == 20
    for preset in PRESETS.values():
        assert preset["scorer"]["model"] == "yuvalkirstain/PickScore_v1"
        assert preset["scorer"]["candidates"] == "image"


def test_drawbench_reader(tmp_path: Path) -> None:
    missing = DrawBench(DrawBenchOptions(path=str(tmp_path / "drawbench.csv")))
    with pytest.raises(ConfigError, match="not found; download DrawBench"):
        missing.check()
    (tmp_path / "wrong.csv").write_text("text\nx\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="no 'Prompts' column"):
        DrawBench(DrawBenchOptions(path=str(tmp_path / "wrong.csv"))).check()
    (tmp_path / "drawbench.csv").write_text(DRAWBENCH, encoding="utf-8")
    reader = DrawBench(DrawBenchOptions(path=str(tmp_path / "drawbench.csv"), category="colors"))
    reader.check()
    assert [s.source for s in reader.samples()] == ["A red colored car.", "A black colored dog."]
    assert len(list(DrawBench(DrawBenchOptions(path=str(tmp_path / "drawbench.csv"), limit=2)).samples())) == 2

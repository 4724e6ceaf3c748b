"""The test kit's helpers hold plugins to the standard: they fail when a plugin does not meet it."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import attrs
import pytest

from mils_core.builtin.stopping import Plateau, TargetScore
from mils_core.builtin.text_target import GuessList
from mils_core.components import Dataset, Generation, Message, Prompt, Sample, SampleProgress, ScoredText, StoppingRule
from mils_core.config import default_cache_dir
from mils_core.errors import ConfigError, ModelUnavailableError
from mils_core.testing.contracts import (
    DatasetContract,
    GeneratorContract,
    PromptStyleContract,
    StoppingRuleContract,
    echoes_shown,
    unavailable_model_message,
)
from mils_core.testing.fakes import FakeGenerator
from mils_core.testing.helpers import assert_import_is_light


class Unavailable(FakeGenerator):
    def __init__(self, message: str = "model 'x' is not available offline; pass a local folder", delay: float = 0.0):
        super().__init__()
        self.message, self.delay = message, delay

    def load(self) -> None:
        time.sleep(self.delay)
        raise ModelUnavailableError(self.message)


def test_returns_the_one_line_message() -> None:
    assert "local folder" in unavailable_model_message(Unavailable())


def test_a_multi_line_message_fails() -> None:
    with pytest.raises(AssertionError, match="not one line"):
        unavailable_model_message(Unavailable("model 'x'\nis not available"))


def test_a_slow_failure_fails() -> None:
    with pytest.raises(AssertionError, match="took"):
        unavailable_model_message(Unavailable(delay=0.05), within_s=0.01)


def test_a_model_that_loads_fails() -> None:
    with pytest.raises(pytest.fail.Exception):
        unavailable_model_message(FakeGenerator())


# --------------------------------------------------------------------------- the contracts bite
# Each contract check is run here on a component that breaks it, and must fail.

def _fails(check: Any, *args: Any, match: str | None = None) -> None:
    with pytest.raises(AssertionError, match=match):
        check(*args)


class Reversed(FakeGenerator):
    def generate(self, prompts: Sequence[Prompt]) -> list[Generation]:
        return super().generate(list(prompts)[::-1])  # the answers come back in reverse order


class SwappedTexts(FakeGenerator):
    """Token counts right, reply texts rotated: only a reply-to-prompt check sees it."""

    def generate(self, prompts: Sequence[Prompt]) -> list[Generation]:
        out = super().generate(prompts)
        texts = [g.text for g in out]
        return [attrs.evolve(g, text=texts[(i + 1) % len(out)]) for i, g in enumerate(out)]


class BatchTokens(FakeGenerator):
    """Reports the whole batch's prompt tokens on every reply."""

    def generate(self, prompts: Sequence[Prompt]) -> list[Generation]:
        out = super().generate(prompts)
        total = sum(g.prompt_tokens for g in out)
        return [attrs.evolve(g, prompt_tokens=total) for g in out]


def test_generator_order_contract() -> None:
    contract = GeneratorContract()
    contract.test_one_generation_per_prompt_in_order(FakeGenerator(), None)
    contract.test_one_generation_per_prompt_in_order(FakeGenerator(), echoes_shown)
    _fails(contract.test_one_generation_per_prompt_in_order, Reversed(), None, match="out of order")
    _fails(contract.test_one_generation_per_prompt_in_order, BatchTokens(), None, match="out of order")
    contract.test_one_generation_per_prompt_in_order(SwappedTexts(), None)  # what a real LLM allows to check
    _fails(contract.test_one_generation_per_prompt_in_order, SwappedTexts(), echoes_shown, match="fits prompts")


def _task_with(lines: Any) -> GuessList:
    class Shown(GuessList):
        def build(self, sample: Sample, shown: Sequence[ScoredText], n_new: int, seed: int) -> Prompt:
            user = lines(list(shown), n_new)
            return Prompt((Message("system", "Guess."), Message("user", user)), tuple(shown), n_new, seed)

    return Shown()


def test_task_prompt_contract() -> None:
    contract, source = PromptStyleContract(), Sample("s", "a dog runs on the beach")
    contract.test_prompt_lists_the_shown_texts(GuessList(), source)
    good = _task_with(lambda shown, n: "\n".join(f"{s.score:.3f}: {s.text}" for s in shown) + f"\nWrite {n} more.")
    contract.test_prompt_lists_the_shown_texts(good, source)
    percent = _task_with(lambda shown, n: "\n".join(f"- {s.text} ({100 * s.score:.0f}%)" for s in shown) + f"\n{n} more")
    contract.test_prompt_lists_the_shown_texts(percent, source)
    worst_first = _task_with(lambda shown, n: "\n".join(f"{s.score:.2f}: {s.text}" for s in shown[::-1]) + f"\n{n} more")
    contract.test_prompt_lists_the_shown_texts(worst_first, source)
    broken = {
        "no scores": lambda shown, n: "\n".join(s.text for s in shown) + f"\nWrite {n} more.",
        "scores swapped": lambda shown, n: "\n".join(f"{shown[1 - i if i < 2 else i].score:.2f}: {s.text}"
                                                     for i, s in enumerate(shown)) + f"\nWrite {n} more.",
        "scrambled": lambda shown, n: "\n".join(f"{s.score:.2f}: {s.text}" for s in sorted(shown, key=lambda s: s.text))
        + f"\nWrite {n} more.",
        "fixed count": lambda shown, n: "\n".join(f"{s.score:.2f}: {s.text}" for s in shown) + "\nWrite 7 more.",
        "a text left out": lambda shown, n: "\n".join(f"{s.score:.2f}: {s.text}" for s in shown[:2]) + f"\nWrite {n}.",
    }
    for name, lines in broken.items():
        with pytest.raises(AssertionError):
            contract.test_prompt_lists_the_shown_texts(_task_with(lines), source)
            pytest.fail(f"the task prompt contract passed a task with {name}")  # pragma: no cover


class Forgetful(Plateau):
    """Ignores higher_is_better (treats every search as higher-is-better)."""

    def should_stop(self, progress: SampleProgress) -> bool:
        return super().should_stop(attrs.evolve(progress, higher_is_better=True))


class Counting(StoppingRule[Any]):
    """Keeps state across calls (fires on every third call)."""

    calls = 0

    def should_stop(self, progress: SampleProgress) -> bool:
        self.calls += 1
        return self.calls % 3 == 0


class Never(StoppingRule[Any]):
    def should_stop(self, progress: SampleProgress) -> bool:
        return False


class NumpyAnswer(StoppingRule[Any]):
    def should_stop(self, progress: SampleProgress) -> bool:
        import numpy as np

        return np.bool_(progress.iteration >= 3)  # type: ignore[return-value]


class AbsoluteLoss(TargetScore):
    """Stops at the target score whatever the orientation."""

    def should_stop(self, progress: SampleProgress) -> bool:
        return bool(progress.history) and progress.history[-1] >= self.options.score


def test_stopping_rule_contract() -> None:
    contract = StoppingRuleContract()
    contract.test_answers_depend_on_the_progress_alone(Plateau())
    contract.test_respects_higher_is_better(Plateau(), 0.0)
    contract.test_respects_higher_is_better(TargetScore(TargetScore.Options(score=0.9)), 0.9)
    _fails(contract.test_respects_higher_is_better, Forgetful(), 0.0, match="higher_is_better ignored")
    _fails(contract.test_respects_higher_is_better, AbsoluteLoss(TargetScore.Options(score=0.9)), 0.9)
    _fails(contract.test_answers_depend_on_the_progress_alone, Counting(), match="second time|earlier calls")
    _fails(contract.test_answers_depend_on_the_progress_alone, NumpyAnswer(), match="returned")
    _fails(contract.test_stops_a_stalled_search, Never(), 0.5, match="never stopped")
    _fails(contract.test_stops_a_stalled_search, TargetScore(TargetScore.Options(score=0.9)), 0.5)


@attrs.frozen
class LinesOptions:
    path: str = ""


class Lines(Dataset[LinesOptions]):
    Options = LinesOptions
    path_options: ClassVar[tuple[str, ...]] = ("path",)

    def check(self) -> None:
        if not Path(self.options.path).is_file():
            raise ConfigError(f"lines: {self.options.path!r} not found; pass path = '<a text file>'")

    def samples(self) -> Iterator[Sample]:
        for i, line in enumerate(Path(self.options.path).read_text().splitlines()):
            yield Sample(f"s{i}", line, {"references": [line]})


class Vague(Lines):
    def check(self) -> None:
        if not Path(self.options.path).is_file():
            raise ConfigError("the dataset file is missing")


class Duplicates(Lines):
    def samples(self) -> Iterator[Sample]:
        for s in super().samples():
            yield attrs.evolve(s, id="same")


class Shuffled(Lines):
    """Starts each pass one sample later (a reader whose order depends on earlier calls)."""

    passes = 0

    def samples(self) -> Iterator[Sample]:
        samples = list(super().samples())
        self.passes += 1
        yield from samples[self.passes:] + samples[:self.passes]


class StringRefs(Lines):
    def samples(self) -> Iterator[Sample]:
        for s in super().samples():
            yield attrs.evolve(s, meta={"references": s.source})


class NoPathOptions(Lines):
    path_options = ()


def test_dataset_contract(tmp_path: Path) -> None:
    data = tmp_path / "lines.txt"
    data.write_text("a dog runs\nthe cat sleeps\na bird sings\nthe goat climbs\nan owl hoots\nthe fox hides\n")
    contract, options = DatasetContract(), LinesOptions(str(data))
    contract.test_samples_are_well_formed(Lines(options))
    contract.test_order_is_stable(Lines(options))
    contract.test_check_names_a_missing_path(Lines(options), tmp_path)
    _fails(contract.test_check_names_a_missing_path, Vague(options), tmp_path, match="does not name it")
    _fails(contract.test_check_names_a_missing_path, NoPathOptions(options), tmp_path, match="declares no path_options")
    _fails(contract.test_samples_are_well_formed, Duplicates(options), match="duplicate sample ids")
    _fails(contract.test_samples_are_well_formed, StringRefs(options), match="must be a list")
    _fails(contract.test_order_is_stable, Shuffled(options), match="another order")


# --------------------------------------------------------------------------- light imports


def test_assert_import_is_light(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "light_mod.py").write_text("import importlib.util\nHAS = importlib.util.find_spec('email') is not None\n")
    (tmp_path / "heavy_mod.py").write_text("import json\n\nimport email.message\n")
    (tmp_path / "optional_mod.py").write_text("try:\n    import not_installed_heavy_xyz\nexcept ImportError:\n    pass\n")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    assert_import_is_light("light_mod", forbidden=("email",))
    with pytest.raises(AssertionError, match=r"imports email(?s:.*)heavy_mod\.py\", line 3"):
        assert_import_is_light("heavy_mod", forbidden=("email", "xml"))
    with pytest.raises(AssertionError, match="imports not_installed_heavy_xyz"):
        assert_import_is_light("optional_mod", forbidden=("not_installed_heavy_xyz",))
    with pytest.raises(AssertionError, match="failed"):
        assert_import_is_light("no_such_module_xyz", forbidden=("email",))


# --------------------------------------------------------------------------- mils_run


def test_mils_run_takes_a_dict_toml_text_and_overrides(tmp_path: Path, mils_run: Any) -> None:
    raw = {"run": {"task": "text-target", "samples": ["a red car", "a blue boat"], "output": "a"},
           "task": {"pool_size": 30}, "stop": [{"name": "max-iterations", "n": 2}], "loop": {"top_k": 4, "n_new": 4}}
    records = mils_run(raw)
    assert sorted(records.by_id) == ["000000", "000001"] and all(r["status"] == "ok" for r in records)
    assert records.summary["ok"] == 2 and records.output == tmp_path / "a"
    text = ('[run]\ntask = "text-target"\nsamples = ["a red car"]\noutput = "b"\n[task]\npool_size = 30\n'
            '[[stop]]\nname = "max-iterations"\nn = 2\n')
    again = mils_run(text, overrides=["stop.0.n=1"])
    assert [r["iterations"] for r in again] == [1] and again.output == tmp_path / "b"


# --------------------------------------------------------------------------- hermetic tests


def test_each_test_has_a_private_cache_and_no_hub(tmp_path: Path, mils_isolated_environment: Path) -> None:
    assert mils_isolated_environment == tmp_path / "mils-cache" == default_cache_dir()
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    constants = pytest.importorskip("huggingface_hub.constants")
    assert constants.HF_HUB_OFFLINE  # set before huggingface_hub was first imported

"""Contract test classes every plugin package subclasses.

Subclass one in a plugin's tests and provide the fixtures it names::

    from mils_core.testing.contracts import ScorerContract

    class TestMyScorer(ScorerContract):
        @pytest.fixture
        def scorer(self): ...
        @pytest.fixture
        def targets(self): ...        # two or more raw targets the scorer accepts
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import pytest

from mils_core.components import Generation, Generator, Message, Prompt, Sample, ScoredText, Scorer, Task
from mils_core.embedding import EmbeddingScorer
from mils_core.errors import ModelUnavailableError

CANDIDATES = ["a dog on a beach", "a plate of food on a table", "a city street at night", "a dog on a beach"]


def make_prompt(n_new: int = 3, seed: int = 0) -> Prompt:
    """A small, generic prompt asking for ``n_new`` numbered texts."""
    shown = (ScoredText("a photo of a dog", 0.3), ScoredText("a cat on a sofa", 0.2))
    user = "Scores (higher is better):\n" + "\n".join(f"{s.score:.2f}: {s.text}" for s in shown)
    user += f"\nWrite {n_new} new short descriptions, one per line, numbered."
    return Prompt((Message("system", "Reply with a numbered list."), Message("user", user)), shown, n_new, seed)


def unavailable_model_message(component: Generator[Any] | Scorer[Any], *, within_s: float = 10.0) -> str:
    """Load ``component``, expecting the model to be unavailable (offline, unreachable hub, ...).

    Asserts it raises :class:`ModelUnavailableError` within ``within_s`` seconds (no retry storm)
    with a one-line message, and returns that message for further checks (the model's name, how
    to pass a local copy).
    """
    start = time.perf_counter()
    with pytest.raises(ModelUnavailableError) as excinfo:
        component.ensure_loaded()
    elapsed = time.perf_counter() - start
    assert elapsed < within_s, f"took {elapsed:.1f} s to say the model is unavailable"
    message = str(excinfo.value)
    assert message and "\n" not in message, f"not one line: {message!r}"
    return message


class GeneratorContract:
    """What every generator must do. Fixture: ``generator`` (an instance, not yet loaded)."""

    def test_one_generation_per_prompt_in_order(self, generator: Generator[Any]) -> None:
        generator.ensure_loaded()
        prompts = [make_prompt(2, seed=1), make_prompt(3, seed=2), make_prompt(1, seed=3)]
        out = generator.generate(prompts)
        assert len(out) == len(prompts)
        for gen in out:
            assert isinstance(gen, Generation)
            assert isinstance(gen.text, str)
            assert gen.prompt_tokens >= 0 and gen.completion_tokens >= 0 and gen.seconds >= 0
            assert gen.error is None, gen.error
        assert any(gen.text.strip() for gen in out)

    def test_accounts_for_tokens(self, generator: Generator[Any]) -> None:
        generator.ensure_loaded()
        gen = generator.generate([make_prompt(2)])[0]
        assert gen.prompt_tokens > 0
        assert gen.completion_tokens > 0

    def test_empty_batch(self, generator: Generator[Any]) -> None:
        generator.ensure_loaded()
        assert generator.generate([]) == []

    def test_identity_is_stable(self, generator: Generator[Any]) -> None:
        assert isinstance(generator.identity(), str)
        assert generator.identity() == generator.identity()


class ScorerContract:
    """What every scorer must do. Fixtures: ``scorer`` and ``targets`` (two or more raw targets)."""

    def test_scores_have_the_right_shape_and_are_finite(self, scorer: Scorer[Any], targets: list[Any]) -> None:
        scorer.ensure_loaded()
        handles = scorer.prepare_targets(targets)
        assert len(handles) == len(targets)
        texts = [CANDIDATES[: i + 1] for i in range(len(targets))]
        scores = scorer.score(handles, texts)
        assert [len(s) for s in scores] == [len(t) for t in texts]
        for row in scores:
            for value in row:
                assert all(math.isfinite(v) for v in (value if isinstance(value, tuple) else (value,)))

    def test_matrix_agrees_with_score(self, scorer: Scorer[Any], targets: list[Any]) -> None:
        scorer.ensure_loaded()
        handles = scorer.prepare_targets(targets)
        matrix = scorer.score_matrix(handles, CANDIDATES)
        assert matrix.shape == (len(targets), len(CANDIDATES))
        direct = scorer.score(handles, [CANDIDATES] * len(handles))
        expected = np.array([[scorer.scalarize(v) for v in row] for row in direct])
        np.testing.assert_allclose(matrix, expected, rtol=1e-4, atol=1e-5)

    def test_deterministic(self, scorer: Scorer[Any], targets: list[Any]) -> None:
        scorer.ensure_loaded()
        a = scorer.score(scorer.prepare_targets(targets), [CANDIDATES] * len(targets))
        b = scorer.score(scorer.prepare_targets(targets), [CANDIDATES] * len(targets))
        np.testing.assert_allclose(np.array(a, dtype=float), np.array(b, dtype=float), rtol=1e-4, atol=1e-5)

    def test_same_text_scores_the_same_within_a_call(self, scorer: Scorer[Any], targets: list[Any]) -> None:
        scorer.ensure_loaded()
        row = scorer.score(scorer.prepare_targets(targets[:1]), [CANDIDATES])[0]
        assert scorer.scalarize(row[0]) == pytest.approx(scorer.scalarize(row[3]), rel=1e-4, abs=1e-5)

    def test_embedding_scorers_never_encode_a_text_twice(self, scorer: Scorer[Any], targets: list[Any]) -> None:
        if not isinstance(scorer, EmbeddingScorer):
            pytest.skip("not an embedding scorer")
        scorer.ensure_loaded()
        handles = scorer.prepare_targets(targets)
        before = scorer.stats()["text_encodes"]
        scorer.score(handles, [CANDIDATES] * len(handles))
        first = scorer.stats()["text_encodes"] - before
        assert first == len(set(CANDIDATES))
        scorer.score(handles, [CANDIDATES] * len(handles))
        assert scorer.stats()["text_encodes"] - before == first


class TaskContract:
    """What every task must do. Fixtures: ``task`` and ``sample_source`` (what [run] samples holds)."""

    def test_samples_have_unique_ids_and_load(self, task: Task[Any], sample_source: Any) -> None:
        samples = list(task.samples(sample_source))
        assert samples, "the sample source yielded no samples"
        assert all(isinstance(s, Sample) for s in samples)
        assert len({s.id for s in samples}) == len(samples)
        assert task.load_target(samples[0]) is not None

    def test_initial_pool(self, task: Task[Any]) -> None:
        pool = list(task.initial_pool())
        assert pool and all(isinstance(t, str) and t.strip() for t in pool)
        assert len(set(pool)) == len(pool)

    def test_prompt_lists_the_shown_texts(self, task: Task[Any], sample_source: Any) -> None:
        sample = next(iter(task.samples(sample_source)))
        shown = [ScoredText("first shown text", 0.5), ScoredText("second shown text", 0.25)]
        prompt = task.build_prompt(sample, shown, 7, seed=0)
        body = "\n".join(m.content for m in prompt.messages)
        assert "first shown text" in body and "second shown text" in body
        assert "7" in body
        assert prompt.n_new == 7 and tuple(prompt.shown) == tuple(shown)

    def test_parses_a_numbered_reply(self, task: Task[Any]) -> None:
        reply = "Here are new ones:\n1. a red bicycle by a wall\n2) two dogs in the snow\n\n- a bowl of soup"
        assert task.parse_reply(reply) == ["a red bicycle by a wall", "two dogs in the snow", "a bowl of soup"]

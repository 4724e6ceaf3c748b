"""Contract test classes every plugin package subclasses.

Subclass one in a plugin's tests and provide the fixtures it names::

    from mils_core.testing.contracts import ScorerContract

    class TestMyScorer(ScorerContract):
        @pytest.fixture
        def scorer(self): ...
        @pytest.fixture
        def targets(self): ...        # two or more raw targets the scorer accepts

Contracts: :class:`GeneratorContract`, :class:`ScorerContract`, :class:`TaskContract`,
:class:`PromptStyleContract`, :class:`PoolContract`, :class:`RendererContract`,
:class:`StoppingRuleContract`, :class:`DatasetContract`. Optional fixtures (defined here with a
default) may be overridden by the subclass to switch on stronger checks.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pytest

from mils_core import components as _components
from mils_core.components import (
    Dataset,
    Generation,
    Generator,
    Message,
    PoolSource,
    Prompt,
    PromptStyle,
    Renderer,
    Sample,
    SampleProgress,
    ScoredText,
    Scorer,
    StoppingRule,
    Task,
)
from mils_core.embedding import EmbeddingScorer
from mils_core.errors import ConfigError, ModelUnavailableError
from mils_core.parsing import parse_candidates

CANDIDATES = ["a dog on a beach", "a plate of food on a table", "a city street at night", "a dog on a beach"]


def make_prompt(n_new: int = 3, seed: int = 0, shown: Sequence[ScoredText] | None = None) -> Prompt:
    """A small, generic prompt asking for ``n_new`` numbered texts, listing ``shown`` (best first)."""
    if shown is None:
        shown = (ScoredText("a photo of a dog", 0.3), ScoredText("a cat on a sofa", 0.2))
    user = "Scores (higher is better):\n" + "\n".join(f"{s.score:.2f}: {s.text}" for s in shown)
    user += f"\nWrite {n_new} new short descriptions, one per line, numbered."
    return Prompt((Message("system", "Reply with a numbered list."), Message("user", user)), tuple(shown), n_new, seed)


#: Texts for prompts of clearly different lengths (no two prompts share a text).
_ORDER_TEXTS = (
    "a brown dog runs on a sandy beach", "a red bicycle leans on a brick wall", "a bowl of hot soup on a table",
    "two children fly a kite in a park", "an old lighthouse on a rocky coast", "a cat sleeps on a wooden chair",
    "a train crosses a long stone bridge", "fresh bread in a bakery window", "a sailboat on a calm blue lake",
    "a snowy mountain under a clear sky", "a busy market street at noon", "a green parrot on a branch",
    "a man reads a newspaper on a bench", "a plate of pasta with tomato sauce", "a yellow taxi in the rain",
    "horses graze in a foggy field", "a wooden cabin in a pine forest",
)


def order_prompts() -> list[Prompt]:
    """Three prompts that differ in everything a reply can be tied to.

    Lengths (1, 12 and 4 shown texts: the token counts rank 0 < 2 < 1), the number of texts
    asked for (2, 3, 1), seeds, and the texts shown (no two share one).
    """
    spans = ((0, 1, 2, 11), (1, 13, 3, 22), (13, 17, 1, 33))  # shown texts [a:b], n_new, seed
    return [
        make_prompt(n_new, seed, [ScoredText(t, round(0.9 - 0.05 * k, 2)) for k, t in enumerate(_ORDER_TEXTS[a:b])])
        for a, b, n_new, seed in spans
    ]


def replies_n_new(prompt: Prompt, generation: Generation) -> bool:
    """A ``reply_fits_prompt`` check: the reply lists exactly the ``prompt.n_new`` texts asked for."""
    return len(parse_candidates(generation.text)) == prompt.n_new


def echoes_shown(prompt: Prompt, generation: Generation) -> bool:
    """A ``reply_fits_prompt`` check: the reply repeats the prompt's best shown text (echo-style fakes)."""
    return bool(prompt.shown) and prompt.shown[0].text in generation.text


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

    @pytest.fixture
    def reply_fits_prompt(self) -> Callable[[Prompt, Generation], bool] | None:
        """Optional: ``check(prompt, generation) -> bool``, true when the reply was made for that prompt.

        Override it for generators whose replies follow from the prompt (:func:`replies_n_new` for
        servers and fakes that answer with as many texts as asked, :func:`echoes_shown` for echo
        fakes); the order test then also proves each reply belongs to its own prompt and no other.
        A real LLM's text cannot be tied to its prompt, so the default is None.
        """
        return None

    def test_one_generation_per_prompt_in_order(
        self, generator: Generator[Any], reply_fits_prompt: Callable[[Prompt, Generation], bool] | None
    ) -> None:
        generator.ensure_loaded()
        prompts = order_prompts()
        out = generator.generate(prompts)
        assert len(out) == len(prompts)
        for gen in out:
            assert isinstance(gen, Generation)
            assert isinstance(gen.text, str)
            assert gen.prompt_tokens >= 0 and gen.completion_tokens >= 0 and gen.seconds >= 0
            assert gen.error is None, gen.error
        assert any(gen.text.strip() for gen in out)
        # Every generator counts the tokens of the prompt it answered: with prompts of clearly
        # different lengths, the counts come back in the prompts' order (0 < 2 < 1) or not at all.
        tokens = [gen.prompt_tokens for gen in out]
        assert tokens[0] < tokens[2] < tokens[1], (
            f"prompt_tokens {tokens} do not follow the prompts' lengths (short, long, medium): "
            "the replies are out of order, or prompt_tokens is not counted per prompt"
        )
        if reply_fits_prompt is not None:
            for j, gen in enumerate(out):
                fits = [i for i, prompt in enumerate(prompts) if reply_fits_prompt(prompt, gen)]
                assert fits == [j], f"reply {j} fits prompts {fits}, expected only prompt {j}: {gen.text!r}"

    def test_accounts_for_tokens(self, generator: Generator[Any]) -> None:
        generator.ensure_loaded()
        gen = generator.generate([make_prompt(2)])[0]
        assert gen.prompt_tokens > 0
        assert gen.completion_tokens > 0

    def test_empty_batch(self, generator: Generator[Any]) -> None:
        generator.ensure_loaded()
        assert generator.generate([]) == []

    def test_identity_is_stable(self, generator: Generator[Any]) -> None:
        assert isinstance(generator.cache_identity(), str)
        assert generator.cache_identity() == generator.cache_identity()


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
        expected = np.array([[float(_components.scalarize(v)) for v in row] for row in direct])
        np.testing.assert_allclose(matrix, expected, rtol=1e-4, atol=1e-5)

    def test_deterministic(self, scorer: Scorer[Any], targets: list[Any]) -> None:
        scorer.ensure_loaded()
        a = scorer.score(scorer.prepare_targets(targets), [CANDIDATES] * len(targets))
        b = scorer.score(scorer.prepare_targets(targets), [CANDIDATES] * len(targets))
        np.testing.assert_allclose(np.array(a, dtype=float), np.array(b, dtype=float), rtol=1e-4, atol=1e-5)

    def test_same_text_scores_the_same_within_a_call(self, scorer: Scorer[Any], targets: list[Any]) -> None:
        scorer.ensure_loaded()
        row = scorer.score(scorer.prepare_targets(targets[:1]), [CANDIDATES])[0]
        assert _components.scalarize(row[0]) == pytest.approx(_components.scalarize(row[3]), rel=1e-4, abs=1e-5)

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



class PoolContract:
    """What every initial pool must do. Fixture: ``pool`` (an instance)."""

    def test_texts_are_distinct_non_empty_strings(self, pool: PoolSource[Any]) -> None:
        texts = list(pool.texts())
        assert texts and all(isinstance(t, str) and t.strip() for t in texts)
        assert len(set(texts)) == len(texts), "the pool repeats texts (each would be scored twice)"

    def test_texts_are_stable(self, pool: PoolSource[Any]) -> None:
        assert list(pool.texts()) == list(_rebuild(pool).texts()), "a fresh instance gives another pool"


class RendererContract:
    """What every renderer must do. Fixtures: ``renderer``; optional ``condition`` (a sample target,
    for renderers conditioned on one) and ``tmp_path``."""

    @pytest.fixture
    def condition(self) -> Any:
        """The target a conditioned renderer edits (None for renderers of text alone)."""
        return None

    def _conditions(self, renderer: Renderer[Any], condition: Any, n: int) -> list[Any] | None:
        return [condition] * n if renderer.conditioned_on is not None else None

    def test_one_artifact_per_text_in_order(self, renderer: Renderer[Any], condition: Any) -> None:
        texts = ["a red kite over a beach", "a bowl of green apples", "a red kite over a beach"]
        renderer.ensure_loaded()
        out = renderer.render_batch(texts, [7, 7, 7], self._conditions(renderer, condition, 3))
        assert len(out) == 3
        single = renderer.render_batch(texts[1:2], [7], self._conditions(renderer, condition, 1))
        assert _same_artifact(out[1], single[0]), "a text renders differently inside a batch than alone"
        assert _same_artifact(out[0], out[2]), "the same text and seed rendered two different artifacts"
        assert not _same_artifact(out[0], out[1]), "two different texts rendered the same artifact"

    def test_saves_what_it_renders(self, renderer: Renderer[Any], condition: Any, tmp_path: Path) -> None:
        renderer.ensure_loaded()
        [artifact] = renderer.render_batch(["a lighthouse at night"], [1], self._conditions(renderer, condition, 1))
        path = tmp_path / f"best{renderer.suffix}"
        renderer.save(artifact, path)
        assert path.is_file() and path.stat().st_size > 0

    def test_identity_is_stable(self, renderer: Renderer[Any]) -> None:
        assert renderer.cache_identity() == _rebuild(renderer).cache_identity()


def _same_artifact(a: Any, b: Any) -> bool:
    return bool(np.array_equal(np.asarray(a), np.asarray(b)))


class PromptStyleContract:
    """What every prompt style must do. Fixture: ``prompt_style``; optional ``sample`` (a sample to prompt for)."""

    @pytest.fixture
    def sample(self) -> Sample:
        """The sample the prompts are built for."""
        return Sample("sample-1", "a sample")

    def test_prompt_lists_the_shown_texts(self, prompt_style: PromptStyle[Any], sample: Sample) -> None:
        # Three texts (no digits in them) whose alphabetical order is neither the given nor the
        # reverse one, with scores that round differently at every precision.
        shown = [ScoredText("zebras cross a muddy river", 0.8125), ScoredText("an empty tram at dawn", 0.4375),
                 ScoredText("moonlight over quiet rooftops", 0.1875)]
        prompt = prompt_style.build(sample, shown, 37, seed=5)
        assert prompt.n_new == 37 and tuple(prompt.shown) == tuple(shown) and prompt.seed == 5
        assert prompt.messages and all(isinstance(m.content, str) and m.content.strip() for m in prompt.messages)
        assert {m.role for m in prompt.messages} <= {"system", "user", "assistant"}, [m.role for m in prompt.messages]
        assert prompt.messages[-1].role == "user", "the prompt must end with the user's request"
        body = "\n".join(m.content for m in prompt.messages)
        at = [body.find(s.text) for s in shown]
        assert -1 not in at, f"shown texts missing from the prompt: {[s.text for s, i in zip(shown, at) if i < 0]}"
        assert at == sorted(at) or at == sorted(at, reverse=True), "the shown texts are listed out of rank order"
        lines = body.splitlines()
        for s in shown:
            line = next(line for line in lines if s.text in line)
            assert _shows_score(line, s.score), f"the line of {s.text!r} does not show its score {s.score}: {line!r}"
        # The number of texts asked for is written out (and follows n_new).
        other = prompt_style.build(sample, shown, 23, seed=5)
        body23 = "\n".join(m.content for m in other.messages)
        assert _has_number(body, 37) and not _has_number(body, 23), "the prompt does not ask for n_new (37) texts"
        assert _has_number(body23, 23) and not _has_number(body23, 37), "the prompt does not ask for n_new (23) texts"

    def test_every_objective_is_shown(self, prompt_style: PromptStyle[Any], sample: Sample) -> None:
        shown = [ScoredText("zebras cross a muddy river", 0.5, (0.1234, 0.375), ("style", "content"))]
        body = "\n".join(m.content for m in prompt_style.build(sample, shown, 3, seed=1).messages)
        line = next(line for line in body.splitlines() if "zebras" in line)
        numbers = [float(x) for x in re.findall(r"\d+\.\d+", line)]
        assert "style" in line and "content" in line, f"the objectives are not named: {line!r}"
        for value in (0.1234, 0.375):
            assert any(abs(n - value) < 0.0051 for n in numbers), f"objective {value} is not shown: {line!r}"

    def test_parses_a_numbered_reply(self, prompt_style: PromptStyle[Any]) -> None:
        reply = "Here are new ones:\n1. a red bicycle by a wall\n2) two dogs in the snow\n\n- a bowl of soup"
        assert prompt_style.parse(reply) == ["a red bicycle by a wall", "two dogs in the snow", "a bowl of soup"]

    def test_pool_prompt_asks_for_n_texts(self, prompt_style: PromptStyle[Any]) -> None:
        prompt = prompt_style.pool_prompt(17, seed=3)
        assert prompt.n_new == 17 and prompt.seed == 3
        assert _has_number("\n".join(m.content for m in prompt.messages), 17)


class CaptionStyleContract(PromptStyleContract):
    """A prompt style for captions (short descriptions): also names degenerate candidates."""

    def test_degenerate_captions_are_named(self, prompt_style: PromptStyle[Any]) -> None:
        assert prompt_style.degenerate("a dog runs along a sandy beach") is None
        assert prompt_style.degenerate("a daisy on a daisy's flower") == "repeats 'daisy'"
        assert prompt_style.degenerate("you can see a dog") == "talks to the reader ('you')"
        assert prompt_style.degenerate("captions that score higher") is not None


def _rebuild(component: Any) -> Any:
    """A fresh instance of ``component``'s class with the same options."""
    return type(component)(component.options)


def _histories() -> list[tuple[float, ...]]:
    """Best-score histories (the initial best, then one entry per iteration) of many shapes."""
    rng = np.random.default_rng(0)
    noisy = tuple(float(x) for x in np.round(np.maximum.accumulate(rng.uniform(0.0, 1.0, 12)), 4))
    return [
        (), (0.3,), (0.1, 0.2, 0.3, 0.4, 0.5, 0.6), (0.5,) * 8, (0.2, 0.5, 0.5004, 0.5006, 0.5007),
        (0.0, 0.05, 0.1, 0.9, 0.95, 0.99), (0.9, 0.9, 0.91, 0.92, 0.92, 0.92, 0.92), noisy, (2.0, 1.0, 0.5),
    ]


def _progresses(higher_is_better: bool, center: float | None = None) -> list[SampleProgress]:
    """A grid of progress reports; with ``center``, every history is mirrored around it (2 c - h)."""
    out = []
    for history in _histories():
        shown = history if center is None else tuple(2 * center - h for h in history)
        for elapsed in (0.0, 2.5, 1e4):
            out.append(SampleProgress(max(len(history) - 1, 0), shown, elapsed, higher_is_better))
    return out


class StoppingRuleContract:
    """What every stopping rule must do. Fixture: ``rule`` (an instance).

    Optional fixtures: ``mirror_center`` (default 0.0), the score a rule that compares scores
    with a fixed threshold mirrors around (that threshold); ``stall_score`` (default 0.5), the
    best score of a stalled search the rule must stop (a target-score rule: its target).
    """

    @pytest.fixture
    def mirror_center(self) -> float:
        """Mirroring a history around this score turns a search into its loss twin."""
        return 0.0

    @pytest.fixture
    def stall_score(self) -> float:
        """The best score a stalled search is stuck at."""
        return 0.5

    def test_answers_depend_on_the_progress_alone(self, rule: StoppingRule[Any]) -> None:
        # One instance serves every sample of a run: no state may leak from one call into the next.
        grid = _progresses(True) + _progresses(False)
        first = [rule.should_stop(p) for p in grid]
        assert all(isinstance(a, bool) for a in first), f"should_stop returned {sorted({type(a).__name__ for a in first})}"
        assert [rule.should_stop(p) for p in grid] == first, "the same progress got a different answer the second time"
        fresh = _rebuild(rule)
        assert [fresh.should_stop(p) for p in reversed(grid)] == first[::-1], "answers depend on earlier calls"

    def test_respects_higher_is_better(self, rule: StoppingRule[Any], mirror_center: float) -> None:
        # A loss search mirrored from a score search (every best score h becomes 2 c - h) made the
        # same progress: a rule must stop both or neither.
        for score_p, loss_p in zip(_progresses(True), _progresses(False, center=mirror_center), strict=True):
            assert rule.should_stop(score_p) == rule.should_stop(loss_p), (
                f"stops the score search {score_p.history} at iteration {score_p.iteration}: {rule.should_stop(score_p)}, "
                f"but its loss twin {loss_p.history}: {rule.should_stop(loss_p)} (is higher_is_better ignored?)"
            )

    def test_stops_a_stalled_search(self, rule: StoppingRule[Any], stall_score: float) -> None:
        for higher in (True, False):
            fired = next((i for i in range(1, 1001)
                          if rule.should_stop(SampleProgress(i, (stall_score,) * (i + 1), 60.0 * i, higher))), None)
            assert fired is not None, (
                f"a search stuck at {stall_score} ({'higher' if higher else 'lower'} is better) for 1000 iterations "
                "of 60 s each was never stopped; override stall_score if the rule fires on a score"
            )

    def test_tolerates_non_finite_scores(self, rule: StoppingRule[Any]) -> None:
        # An iteration whose candidates all failed to score leaves a non-finite best score.
        for history in ((math.nan,), (0.2, math.nan, 0.3), (-math.inf, 0.1), (0.4, math.inf)):
            for higher in (True, False):
                assert isinstance(rule.should_stop(SampleProgress(len(history) - 1, history, 1.0, higher)), bool)

    def test_identity_is_stable(self, rule: StoppingRule[Any]) -> None:
        assert rule.cache_identity() == _rebuild(rule).cache_identity()


class DatasetContract:
    """What every dataset reader must do. Fixture: ``dataset`` (an instance over files that exist).

    ``check()`` passes, samples are well formed and come in a stable order, and pointing any
    of its :attr:`~mils_core.components.Dataset.path_options` at a missing path makes
    ``check()`` raise a one-line :class:`ConfigError` naming that path.
    """

    def test_samples_are_well_formed(self, dataset: Dataset[Any]) -> None:
        dataset.check()
        samples = list(dataset.samples())
        assert samples, "the dataset yielded no samples"
        assert all(isinstance(s, Sample) for s in samples)
        ids = [s.id for s in samples]
        assert all(isinstance(i, str) and i.strip() == i and i for i in ids), f"ids must be non-empty strings: {ids[:5]}"
        assert len(set(ids)) == len(ids), f"duplicate sample ids: {sorted({i for i in ids if ids.count(i) > 1})[:5]}"
        assert all(s.source is not None for s in samples)
        for s in samples:
            refs = s.meta.get("references")
            if refs is not None:
                assert isinstance(refs, list) and all(isinstance(r, str) and r.strip() for r in refs), (
                    f"sample {s.id!r}: references must be a list of non-empty strings, got {refs!r}"
                )
        expected = {s.id: list(s.meta["references"]) for s in samples if s.meta.get("references")}
        assert dataset.references() == expected

    def test_order_is_stable(self, dataset: Dataset[Any]) -> None:
        dataset.check()
        first = [(s.id, s.source) for s in dataset.samples()]
        assert [(s.id, s.source) for s in dataset.samples()] == first, "a second pass yields another order"
        fresh = _rebuild(dataset)
        fresh.check()
        assert [(s.id, s.source) for s in fresh.samples()] == first, "a fresh reader yields another order"

    def test_check_names_a_missing_path(self, dataset: Dataset[Any], tmp_path: Path) -> None:
        paths = type(dataset).path_options
        assert paths, f"{type(dataset).__name__} declares no path_options (options holding the files it reads)"
        assert attrs.has(type(dataset.options)), "dataset options must be an attrs class"
        fields = attrs.fields_dict(type(dataset.options))
        for name in paths:
            assert name in fields, f"path option {name!r} is not an option of {type(dataset).__name__}"
            missing = tmp_path / "not-downloaded" / name
            broken = type(dataset)(attrs.evolve(dataset.options, **{name: str(missing)}))  # building reads nothing
            with pytest.raises(ConfigError) as info:
                broken.check()
            message = str(info.value)
            assert str(missing) in message, f"check() with {name} = {str(missing)!r} does not name it: {message!r}"
            assert "\n" not in message, f"one missing path, but a message of several lines: {message!r}"
            assert len(message) > len(str(missing)) + 20, f"the message does not say what to do: {message!r}"

_NUMBER = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)")


def _has_number(text: str, n: int) -> bool:
    """True if ``n`` is written in ``text`` as a number of its own (not part of 0.37 or 370)."""
    return re.search(rf"(?<![\d.]){n}(?![\d]|\.\d)", text) is not None


def _shows_score(line: str, score: float) -> bool:
    """True if ``line`` holds ``score`` rounded to the digits shown (0.81, 0.8125), or scaled by 100 (81, 81.25%)."""
    for match in _NUMBER.finditer(line):
        digits = match.group(1)
        decimals = len(digits.partition(".")[2])
        value, tolerance = float(digits), 0.5 * 10.0**-decimals + 1e-9
        if (decimals >= 1 and abs(value - score) <= tolerance) or abs(value - 100 * score) <= tolerance:
            return True
    return False

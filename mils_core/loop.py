"""The MILS loop, advancing many samples in lockstep.

Every generator call and every scorer call is batched across the active samples. When a
sample stops (or fails) its record is written at once and a waiting sample takes its
place, so batches stay full. Each sample has its own seed, derived from the run seed and
its id, so its result does not depend on which samples share its batch, and a resumed
run gives the same answers as an uninterrupted one.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import structlog

from mils_core.batching import is_out_of_memory
from mils_core.components import Generation, Prompt, Sample, SampleProgress, Score, ScoredText, finite, scalarize
from mils_core.config import Config
from mils_core.errors import ConfigError, SampleError
from mils_core.parsing import dedupe, normalize
from mils_core.records import SampleRecord
from mils_core.rendering import RenderJob, RenderStage, save_artifact
from mils_core.runinfo import Components, RunInfo
from mils_core.seeds import derive_seed

log = structlog.get_logger("mils.loop")

#: How many ranked texts a sample keeps beyond top-K (exploration draws from them).
RESERVE = 4
#: The run-folder sub-folder holding rendered artifacts.
ARTIFACTS_DIR = "artifacts"


@attrs.define
class SampleState:
    """The search state of one sample."""

    sample: Sample
    seed: int
    started: float
    handle: Any = None
    ranked: list[ScoredText] = attrs.field(factory=list)
    raw: dict[str, Score] = attrs.field(factory=dict)
    seen: set[str] = attrs.field(factory=set)
    history: list[float] = attrs.field(factory=list)
    history_mean: list[float] = attrs.field(factory=list)
    history_objectives: list[list[float]] = attrs.field(factory=list)
    #: The sample's target, kept only when a renderer is conditioned on it.
    target: Any = None
    #: (text, artifact) of the best candidate so far, when a renderer made artifacts.
    best_artifact: tuple[str, Any] | None = None
    #: (iteration, text, artifact) of the best after each iteration, when asked for.
    iteration_artifacts: list[tuple[int, str, Any]] = attrs.field(factory=list)
    iteration: int = 0
    uses_shared_pool: bool = False
    initial_best: ScoredText | None = None
    stop_reason: str = ""
    error: str | None = None
    timings: dict[str, float] = attrs.field(factory=lambda: {"load": 0.0, "initial": 0.0, "generate": 0.0, "score": 0.0})
    tokens: dict[str, int] = attrs.field(factory=lambda: {"prompt": 0, "completion": 0})
    counters: dict[str, int] = attrs.field(
        factory=lambda: {
            "candidates_scored": 0,
            "duplicates_dropped": 0,
            "degenerate_dropped": 0,
            "lines_not_parsed": 0,
            "nan_dropped": 0,
            "unparsable_replies": 0,
            "generator_errors": 0,
            "prompt_shrinks": 0,
        }
    )


class Loop:
    """Runs the MILS search for a stream of samples."""

    def __init__(
        self,
        config: Config,
        components: Components,
        *,
        on_iteration: Callable[[SampleState], None] | None = None,
    ) -> None:
        self.config = config
        self.c = components
        loop = config.loop
        task = components.task
        self.top_k = loop.top_k or task.default_top_k
        self.n_new = loop.n_new or task.default_n_new
        self.per_prompt = -(-self.n_new // loop.prompts_per_sample)  # texts asked for in each prompt
        self.keep = self.top_k * RESERVE
        self.on_iteration = on_iteration
        scorer = components.scorer
        self.sign = 1.0 if scorer.higher_is_better else -1.0
        self.weights = loop.weights or task.default_weights
        if self.weights is not None and len(self.weights) != len(scorer.objectives):
            raise ConfigError(
                f"[loop] weights has {len(self.weights)} entries but the scorer has {len(scorer.objectives)} objectives "
                f"({', '.join(scorer.objectives)}); give one weight per objective"
            )
        #: Objective names of a ranked score: the scorer's, plus ``fluency`` when it is on.
        self.objective_names: tuple[str, ...] = tuple(scorer.objectives)
        self.fluency = loop.fluency
        self._fluency_memo: dict[str, float] = {}
        why = self._fluency_unavailable(components) if self.fluency > 0 else None
        if why is not None:  # e.g. a preset's fluency with --set generator.name=llama-cpp: warn, go on
            log.warning("[loop] fluency is off for this run", reason=why)
            self.fluency = 0.0
        if self.fluency > 0:
            base = self.weights if self.weights is not None else (1.0,) * len(scorer.objectives)
            self.weights = (*base, self.fluency)
            self.objective_names = (*scorer.objectives, "fluency")
        renderer = components.renderer
        self.render = RenderStage(renderer, derive_seed(config.run.seed, "render")) if renderer is not None else None
        #: The initial pool is scored with one matrix product (no renders, one objective).
        self.matrix_pool = self.render is None and len(scorer.objectives) == 1
        self.pool: list[str] = []
        self.pool_keys: frozenset[str] = frozenset()

    def _fluency_unavailable(self, components: Components) -> str | None:
        """Why ``[loop] fluency`` cannot apply to these components (None: it can)."""
        if not components.scorer.higher_is_better:
            return f"{type(components.scorer).__name__} returns losses"
        if components.generator.log_likelihoods([]) is None:
            return f"{type(components.generator).__name__} cannot score texts (the transformers generator can)"
        return None

    def _scorer_part(self, raw: Score | None) -> Score | None:
        """The scorer's own objectives of a ranked score (None for a single one under fluency, so that
        a prompt shows the ranking score)."""
        if self.fluency <= 0 or not isinstance(raw, tuple):
            return raw
        own = raw[:-1]
        return own if len(own) > 1 else None

    def with_fluency(self, texts: Sequence[str], scores: Sequence[Score]) -> list[Score]:
        """``scores`` with the generator's fluency of each text appended as the last objective
        (each text is scored once per run; a text the generator cannot score gets NaN)."""
        if self.fluency <= 0:
            return list(scores)
        missing = list(dict.fromkeys(t for t in texts if t not in self._fluency_memo))
        if missing:
            found = self.c.generator.log_likelihoods(missing) or [math.nan] * len(missing)
            self._fluency_memo.update(zip(missing, found, strict=True))
        out: list[Score] = []
        for text, score in zip(texts, scores, strict=True):
            values = score if isinstance(score, tuple) else (float(score),)
            out.append((*values, float(self._fluency_memo[text])))
        return out

    # -- scoring helpers ----------------------------------------------------------------
    def natural(self, oriented: float) -> float:
        """A ranking score back in the scorer's own orientation (losses stay losses)."""
        return oriented * self.sign

    def _merge(
        self, state: SampleState, texts: Sequence[str], scores: Sequence[Score], artifacts: Sequence[Any] | None = None
    ) -> None:
        added: list[ScoredText] = []
        scores = self.with_fluency(texts, scores)
        for text, score in zip(texts, scores, strict=True):
            state.counters["candidates_scored"] += 1
            if not finite(score):
                state.counters["nan_dropped"] += 1
                continue
            state.raw[text] = score
            added.append(ScoredText(text, self.sign * scalarize(score, self.weights), score))
        merged = state.ranked + added
        merged.sort(key=lambda st: (-st.score, st.text))
        state.ranked = merged[: self.keep]
        if artifacts is not None and state.ranked:
            made = dict(zip(texts, artifacts, strict=True))
            best = state.ranked[0].text
            if best in made:
                state.best_artifact = (best, made[best])

    def _record_history(self, state: SampleState) -> None:
        top = state.ranked[: self.top_k]
        if top:
            state.history.append(self.natural(top[0].score))
            state.history_mean.append(self.natural(float(np.mean([t.score for t in top]))))
            state.history_objectives.append(list(top[0].objectives()))
        else:
            state.history.append(math.nan)
            state.history_mean.append(math.nan)
            state.history_objectives.append([])
        if self.config.loop.save_iteration_artifacts and state.iteration > 0 and state.best_artifact is not None:
            state.iteration_artifacts.append((state.iteration, *state.best_artifact))

    def score_groups(
        self, states: Sequence[SampleState], texts: Sequence[Sequence[str]]
    ) -> tuple[list[list[Score]], list[list[Any] | None]]:
        """Scores of ``texts[i]`` for ``states[i]``, and the artifacts scored (None without a renderer).

        With a renderer the texts are rendered first; a sample whose render fails gets its
        ``error`` set and no scores, the others go on.
        """
        if not any(texts):
            return [[] for _ in states], [None for _ in states]
        if self.render is None:
            return self.c.scorer.score([s.handle for s in states], texts), [None for _ in states]
        results = self.render.render([
            RenderJob(s.sample.id, group, s.target if self.render.conditioned else None)
            for s, group in zip(states, texts, strict=True)
        ])
        ok = [i for i, r in enumerate(results) if r.error is None]
        for i, result in enumerate(results):
            if result.error is not None:
                states[i].error = result.error
        scores: list[list[Score]] = [[] for _ in states]
        artifacts: list[list[Any] | None] = [None for _ in states]
        rows = self.c.scorer.score([states[i].handle for i in ok], [results[i].artifacts for i in ok])
        for i, row in zip(ok, rows, strict=True):
            scores[i], artifacts[i] = row, results[i].artifacts
        return scores, artifacts

    # -- phases -------------------------------------------------------------------------
    def prepare_pool(self) -> None:
        """Score-independent work done once per run: the initial pool's text embeddings."""
        pool = list(self.c.pool.texts())
        if self.config.loop.pool_size:
            pool = pool[: self.config.loop.pool_size]
        self.pool = pool
        self.pool_keys = frozenset(normalize(t) for t in pool)
        self.c.scorer.prepare_pool(pool)

    def start(self, samples: Sequence[Sample]) -> tuple[list[SampleState], list[SampleState]]:
        """Load targets and score the initial pool; return (started, failed) states."""
        states = [SampleState(s, derive_seed(self.config.run.seed, s.id), time.perf_counter()) for s in samples]
        ok: list[SampleState] = []
        targets: list[Any] = []
        failed: list[SampleState] = []
        for state in states:
            t0 = time.perf_counter()
            try:
                targets.append(self.c.task.load_target(state.sample))
                ok.append(state)
            except SampleError as exc:
                state.error = str(exc)
                failed.append(state)
            except (OSError, ValueError) as exc:
                state.error = f"cannot read sample {state.sample.id!r}: {type(exc).__name__}: {exc}"
                failed.append(state)
            state.timings["load"] += time.perf_counter() - t0
        if not ok:
            return [], failed
        t0 = time.perf_counter()
        ok_before = list(ok)
        try:
            handles = self.c.scorer.prepare_targets(targets)
        except (SampleError, ValueError, OSError):
            handles = []
            for state, target in zip(list(ok), targets, strict=True):  # isolate the bad one
                try:
                    handles.append(self.c.scorer.prepare_targets([target])[0])
                except (SampleError, ValueError, OSError) as exc:
                    state.error = f"scorer cannot encode sample {state.sample.id!r}: {exc}"
                    failed.append(state)
                    ok.remove(state)
        conditioned = self.render is not None and self.render.conditioned
        kept = dict(zip((id(s) for s in ok_before), targets, strict=True)) if conditioned else {}
        for state, handle in zip(ok, handles, strict=True):
            state.handle = handle
            if conditioned:
                state.target = kept[id(state)]
        if ok:
            self._score_initial(ok)
        per = (time.perf_counter() - t0) / max(1, len(ok))
        for state in ok:
            state.timings["initial"] += per
            self._record_history(state)
            state.initial_best = state.ranked[0] if state.ranked else None
        return ok, failed

    def _score_initial(self, states: list[SampleState]) -> None:
        own = [self.c.pool.for_sample(s.sample) for s in states]
        shared = [s for s, p in zip(states, own, strict=True) if p is None]
        for state in shared:
            state.uses_shared_pool = bool(self.pool)
        if shared and self.pool and self.matrix_pool:
            self._merge_matrix(shared, self.c.scorer.score_matrix([s.handle for s in shared], self.pool))
        groups = [
            (state, dedupe(pool if pool is not None else ([] if self.matrix_pool else self.pool), state.seen))
            for state, pool in zip(states, own, strict=True)
        ]
        groups = [(s, texts) for s, texts in groups if texts]
        if groups:
            self._score_and_merge([s for s, _ in groups], [texts for _, texts in groups])

    def _score_and_merge(self, states: list[SampleState], texts: list[list[str]]) -> None:
        scores, artifacts = self.score_groups(states, texts)
        for state, group, row, made in zip(states, texts, scores, artifacts, strict=True):
            if state.error is None:
                self._merge(state, group, row, made)

    def _merge_matrix(self, states: list[SampleState], matrix: np.ndarray) -> None:
        for state, row in zip(states, matrix, strict=True):
            oriented = row * self.sign
            oriented = np.where(np.isfinite(oriented), oriented, -np.inf)
            state.counters["nan_dropped"] += int(np.sum(~np.isfinite(row)))
            k = min(self.keep, len(oriented))
            idx = np.argpartition(-oriented, k - 1)[:k] if k < len(oriented) else np.arange(len(oriented))
            picked = []
            finite_idx = [int(i) for i in idx if np.isfinite(oriented[i])]
            texts = [self.pool[i] for i in finite_idx]
            scores = self.with_fluency(texts, [float(row[i]) for i in finite_idx])
            for text, score in zip(texts, scores, strict=True):  # ranked as _merge ranks (fluency included)
                if finite(score):
                    picked.append(ScoredText(text, self.sign * scalarize(score, self.weights), score))
                    state.raw[text] = score
            state.ranked = sorted(state.ranked + picked, key=lambda st: (-st.score, st.text))[: self.keep]

    def _shared_keys(self, state: SampleState) -> frozenset[str]:
        """Normalised pool texts already scored for this sample (shared, not copied per sample)."""
        return self.pool_keys if state.uses_shared_pool else frozenset()

    def shown(self, state: SampleState, iteration: int) -> list[ScoredText]:
        """The texts shown to the generator: best first, with an optional exploration share."""
        top = state.ranked[: self.top_k]
        share = self.config.loop.exploration
        rest = state.ranked[self.top_k :]
        n_explore = min(len(rest), int(round(share * len(top)))) if share > 0 else 0
        if n_explore == 0:
            return top
        rng = random.Random(derive_seed(state.seed, "explore", iteration))
        picked = rng.sample(rest, n_explore)
        merged = top[: len(top) - n_explore] + picked
        return sorted(merged, key=lambda st: (-st.score, st.text))

    def build_prompt(self, state: SampleState, attempt: int, slot: int = 0) -> Prompt:
        """The prompt for the next iteration, shrunk from the worst end to fit the context."""
        it = state.iteration + 1
        seed = derive_seed(state.seed, "gen", it, attempt, slot)
        names = self.c.scorer.objectives if len(self.c.scorer.objectives) > 1 else ()
        # the prompt shows the scorer's objectives and the ranking score; fluency is the generator's
        # own prior and is not shown back to it
        shown = [ScoredText(s.text, self.natural(s.score), self._scorer_part(s.raw), names)
                 for s in self.shown(state, it)]
        n_new = self.per_prompt
        gen = self.c.generator
        window = gen.context_window()

        def make(n: int) -> Prompt:
            return self.c.prompt_style.build(state.sample, shown[:n], n_new, seed)

        prompt = make(len(shown))
        if window is None:
            return prompt
        budget = window - gen.max_new_tokens()
        count = gen.count_tokens(prompt)
        if count is None or count <= budget:
            return prompt
        lo, hi = 0, len(shown)  # largest n whose prompt fits, by bisection
        while lo < hi:
            mid = (lo + hi + 1) // 2
            c = gen.count_tokens(make(mid))
            if c is not None and c <= budget:
                lo = mid
            else:
                hi = mid - 1
        state.counters["prompt_shrinks"] += 1
        log.info("prompt shortened to fit the context window", sample=state.sample.id, shown=lo, of=len(shown))
        return make(lo)

    def step(self, states: list[SampleState]) -> None:
        """One iteration for every active sample: generate, parse, dedupe, score, merge.

        Each sample sends ``loop.prompts_per_sample`` prompts (different seeds), all of them
        in one generator call; a failed or unparsable reply is retried up to
        ``loop.reply_retries`` times.
        """
        fresh: dict[int, list[str]] = {}
        answered: set[int] = set()
        errors: dict[int, str] = {}
        jobs = [(i, slot) for i in range(len(states)) for slot in range(self.config.loop.prompts_per_sample)]
        attempt = 0
        while jobs:
            prompts = [self.build_prompt(states[i], attempt, slot) for i, slot in jobs]
            t0 = time.perf_counter()
            replies: list[Generation] = self.c.generator.generate(prompts)
            elapsed = time.perf_counter() - t0
            if len(replies) != len(prompts):
                raise RuntimeError(f"generator returned {len(replies)} replies for {len(prompts)} prompts")
            retry: list[tuple[int, int]] = []
            for (i, slot), reply in zip(jobs, replies, strict=True):
                state = states[i]
                state.timings["generate"] += reply.seconds or elapsed / len(prompts)
                state.tokens["prompt"] += reply.prompt_tokens
                state.tokens["completion"] += reply.completion_tokens
                if reply.error:
                    state.counters["generator_errors"] += 1
                    errors[i] = reply.error
                    retry.append((i, slot))
                    continue
                answered.add(i)
                parsed = self.c.prompt_style.parse(reply.text)
                lines = sum(1 for line in reply.text.splitlines() if line.strip())
                state.counters["lines_not_parsed"] += max(0, lines - len(parsed))
                new = dedupe(parsed, state.seen, self._shared_keys(state))
                state.counters["duplicates_dropped"] += len(parsed) - len(new)
                if self.config.loop.drop_degenerate:
                    kept = [t for t in new if self.c.prompt_style.degenerate(t) is None]
                    state.counters["degenerate_dropped"] += len(new) - len(kept)
                    new = kept
                if not parsed:
                    state.counters["unparsable_replies"] += 1
                    retry.append((i, slot))
                    continue
                fresh.setdefault(i, []).extend(new)
            attempt += 1
            jobs = retry if attempt <= self.config.loop.reply_retries else []
        for i, message in errors.items():
            if i not in answered:
                states[i].error = f"generator failed after {attempt} attempt(s): {message}"
        live = [states[i] for i in range(len(states)) if states[i].error is None]
        t0 = time.perf_counter()
        texts = [fresh.get(i, []) for i in range(len(states)) if states[i].error is None]
        self._score_and_merge(live, texts)
        per = (time.perf_counter() - t0) / max(1, len(live))
        for state in live:
            state.timings["score"] += per
            if state.error is not None:
                continue
            state.iteration += 1
            self._record_history(state)
            if self.on_iteration is not None:
                self.on_iteration(state)

    def should_stop(self, state: SampleState) -> bool:
        """True if any stopping rule fires (the reason is kept)."""
        progress = SampleProgress(
            state.iteration, tuple(state.history), time.perf_counter() - state.started, self.sign > 0
        )
        for rule in self.c.stop_rules:
            if rule.should_stop(progress):
                state.stop_reason = type(rule).__name__
                return True
        return False

    def record(self, state: SampleState) -> SampleRecord:
        """The record of a finished sample (artifacts are added by :func:`run_samples`)."""
        best = state.ranked[0] if state.ranked and state.error is None else None
        source = state.sample.source
        names = self.objective_names
        record = SampleRecord(
            id=state.sample.id,
            status="ok" if best is not None else "failed",
            source=str(source) if not isinstance(source, (str, int, float)) else source,
            best_text=best.text if best else None,
            best_score=self.natural(best.score) if best else None,
            best_objectives=dict(zip(names, best.objectives(), strict=False)) if best and len(names) > 1 else {},
            initial_best_text=state.initial_best.text if state.initial_best else None,
            initial_best_score=self.natural(state.initial_best.score) if state.initial_best else None,
            history=state.history,
            history_mean=state.history_mean,
            history_objectives=state.history_objectives if len(names) > 1 else [],
            iterations=state.iteration,
            stop_reason=state.stop_reason,
            top=[[st.text, self.natural(st.score)] for st in state.ranked[:10]],
            counters=state.counters,
            tokens=state.tokens,
            timings={**{k: round(v, 6) for k, v in state.timings.items()},
                     "total": round(time.perf_counter() - state.started, 6)},
            meta=state.sample.meta if self.render is None else {
                **state.sample.meta, "render_seed": self.render.seed_for(state.sample.id)},
        )
        if best is None:
            record.error = state.error or "no candidate received a finite score"
        return record

    def artifacts(self, state: SampleState) -> dict[str, Any]:
        """The artifacts to keep for a finished sample, by name (``best``, ``iteration-N``)."""
        if state.error is not None or state.best_artifact is None or not state.ranked:
            return {}
        kept = {f"iteration-{it}": art for it, _text, art in state.iteration_artifacts}
        if state.best_artifact[0] == state.ranked[0].text:
            kept["best"] = state.best_artifact[1]
        return kept

    def finish(self, state: SampleState, folder: Path) -> SampleRecord:
        """The sample's record, its artifacts written (atomically) under ``folder/artifacts``."""
        record = self.record(state)
        renderer = self.c.renderer
        if renderer is not None and self.render is not None:
            for name, artifact in self.artifacts(state).items():
                relative = Path(ARTIFACTS_DIR) / artifact_folder(state.sample.id) / f"{name}{renderer.suffix}"
                save_artifact(renderer, artifact, folder / relative)
                record.artifacts[name] = relative.as_posix()
            self._final_renders(state, record, folder)
            self.render.forget(state.sample.id)
        return record

    def _final_renders(self, state: SampleState, record: SampleRecord, folder: Path) -> None:
        """For a renderer with ``final_renders``: the best and the initial best text rendered once
        more by ``render_final`` (e.g. at full size; None: the search-size renders, from the render
        cache), saved as artifacts ``final`` and ``initial-final``. A failure is logged, not fatal."""
        renderer = self.c.renderer
        if renderer is None or self.render is None or not renderer.final_renders or not record.ok or not record.best_text:
            return
        texts = [record.best_text]
        if record.initial_best_text and record.initial_best_text != record.best_text:
            texts.append(record.initial_best_text)
        seed = self.render.seed_for(state.sample.id)
        t0 = time.perf_counter()
        try:
            made = renderer.render_final(texts, [seed] * len(texts))
        except Exception as exc:  # noqa: BLE001 - the search result stands without its final render
            if is_out_of_memory(exc):
                log.warning("final render ran out of memory; the search-size artifact is kept", sample=state.sample.id)
            else:
                log.warning("final render failed; the search-size artifact is kept", sample=state.sample.id,
                            error=f"{type(exc).__name__}: {exc}"[:200])
            return
        if made is None:  # nothing to re-render: the search-size artifacts (from the render cache)
            result = self.render.render([RenderJob(state.sample.id, texts)])[0]
            if result.error is not None:
                return
            made = result.artifacts
        record.timings["final_render"] = round(time.perf_counter() - t0, 6)
        base = Path(ARTIFACTS_DIR) / artifact_folder(state.sample.id)
        for name, artifact in zip(("final", "initial-final"), made, strict=False):
            relative = base / f"{name}{renderer.suffix}"
            save_artifact(renderer, artifact, folder / relative)
            record.artifacts[name] = relative.as_posix()
        if len(texts) == 1:
            record.artifacts["initial-final"] = record.artifacts["final"]


def artifact_folder(sample_id: str) -> str:
    """A file-system-safe folder name for a sample's artifacts (readable, and unique by a hash)."""
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", sample_id).strip("._")[:60] or "sample"
    return f"{slug}-{hashlib.sha256(sample_id.encode()).hexdigest()[:8]}"


def run_samples(
    info: RunInfo,
    samples: Sequence[Sample],
    write: Callable[[SampleRecord], None],
    *,
    on_iteration: Callable[[SampleState], None] | None = None,
) -> dict[str, Any]:
    """Search every sample, calling ``write(record)`` the moment each one finishes.

    A finished sample's artifacts are written into the run folder before its record.
    Returns run-level figures (``pool_prepare_s``: the sample-independent pool work;
    ``render_stats`` when the run renders).
    """
    loop = Loop(info.config, info.components, on_iteration=on_iteration)
    t0 = time.perf_counter()
    loop.prepare_pool()
    stats: dict[str, Any] = {"pool_prepare_s": round(time.perf_counter() - t0, 4)}

    def done(state: SampleState) -> None:
        write(loop.finish(state, info.output_dir))

    queue: deque[Sample] = deque(samples)
    active: list[SampleState] = []
    width = info.config.loop.batch_samples
    while queue or active:
        incoming: list[Sample] = []
        while queue and len(active) + len(incoming) < width:
            incoming.append(queue.popleft())
        if incoming:
            started, failed = loop.start(incoming)
            for state in failed:
                done(state)
            for state in started:
                if state.error is not None or loop.should_stop(state):
                    done(state)
                else:
                    active.append(state)
        if not active:
            continue
        loop.step(active)
        still: list[SampleState] = []
        for state in active:
            if state.error is not None or loop.should_stop(state):
                done(state)
            else:
                still.append(state)
        active = still
    if loop.render is not None:
        stats["render_stats"] = dict(loop.render.counters)
    return stats

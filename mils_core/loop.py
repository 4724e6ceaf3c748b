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
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import numpy as np
import structlog

from mils_core.components import Generation, Prompt, Sample, SampleProgress, Score, ScoredText, finite
from mils_core.config import Config
from mils_core.embedding import EmbeddingScorer
from mils_core.errors import SampleError
from mils_core.parsing import dedupe, normalize
from mils_core.runinfo import Components, RunInfo

log = structlog.get_logger("mils.loop")

#: How many ranked texts a sample keeps beyond top-K (exploration draws from them).
RESERVE = 4


def derive_seed(*parts: object) -> int:
    """A 63-bit seed derived from the parts (stable across processes and platforms)."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") & ((1 << 63) - 1)


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
        self.sign = 1.0 if components.scorer.higher_is_better else -1.0
        self.pool: list[str] = []
        self.pool_keys: frozenset[str] = frozenset()

    # -- scoring helpers ----------------------------------------------------------------
    def natural(self, oriented: float) -> float:
        """A ranking score back in the scorer's own orientation (losses stay losses)."""
        return oriented * self.sign

    def _merge(self, state: SampleState, texts: Sequence[str], scores: Sequence[Score]) -> None:
        added: list[ScoredText] = []
        for text, score in zip(texts, scores, strict=True):
            state.counters["candidates_scored"] += 1
            if not finite(score):
                state.counters["nan_dropped"] += 1
                continue
            state.raw[text] = score
            added.append(ScoredText(text, self.sign * self.c.scorer.scalarize(score)))
        merged = state.ranked + added
        merged.sort(key=lambda st: (-st.score, st.text))
        state.ranked = merged[: self.keep]

    def _record_history(self, state: SampleState) -> None:
        top = state.ranked[: self.top_k]
        if top:
            state.history.append(self.natural(top[0].score))
            state.history_mean.append(self.natural(float(np.mean([t.score for t in top]))))
        else:
            state.history.append(math.nan)
            state.history_mean.append(math.nan)

    # -- phases -------------------------------------------------------------------------
    def prepare_pool(self) -> None:
        """Score-independent work done once per run: the initial pool's text embeddings."""
        pool = list(self.c.task.initial_pool())
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
        for state, handle in zip(ok, handles, strict=True):
            state.handle = handle
        if ok:
            self._score_initial(ok)
        per = (time.perf_counter() - t0) / max(1, len(ok))
        for state in ok:
            state.timings["initial"] += per
            self._record_history(state)
            state.initial_best = state.ranked[0] if state.ranked else None
        return ok, failed

    def _score_initial(self, states: list[SampleState]) -> None:
        own = [self.c.task.pool_for(s.sample) for s in states]
        shared = [s for s, p in zip(states, own, strict=True) if p is None]
        for state in shared:
            state.uses_shared_pool = bool(self.pool)
        if shared and self.pool:
            if isinstance(self.c.scorer, EmbeddingScorer) and not self.c.scorer.policy.pool_cache:
                self.c.scorer.prepare_pool([])  # ablation: re-encode the pool for every sample
                for state in shared:
                    self._merge_matrix([state], self.c.scorer.score_matrix([state.handle], self.pool))
            else:
                self._merge_matrix(shared, self.c.scorer.score_matrix([s.handle for s in shared], self.pool))
        for state, pool in zip(states, own, strict=True):
            if pool is not None:
                texts = dedupe(pool, state.seen)
                self._merge(state, texts, self.c.scorer.score([state.handle], [texts])[0])

    def _merge_matrix(self, states: list[SampleState], matrix: np.ndarray) -> None:
        for state, row in zip(states, matrix, strict=True):
            oriented = row * self.sign
            oriented = np.where(np.isfinite(oriented), oriented, -np.inf)
            state.counters["nan_dropped"] += int(np.sum(~np.isfinite(row)))
            k = min(self.keep, len(oriented))
            idx = np.argpartition(-oriented, k - 1)[:k] if k < len(oriented) else np.arange(len(oriented))
            picked = []
            for i in idx:
                if np.isfinite(oriented[i]):
                    picked.append(ScoredText(self.pool[i], float(oriented[i])))
                    state.raw[self.pool[i]] = float(row[i])
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
        shown = [ScoredText(s.text, self.natural(s.score)) for s in self.shown(state, it)]
        n_new = self.per_prompt
        gen = self.c.generator
        window = gen.context_window()

        def make(n: int) -> Prompt:
            return self.c.task.build_prompt(state.sample, shown[:n], n_new, seed)

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
                parsed = self.c.task.parse_reply(reply.text)
                new = dedupe(parsed, state.seen, self._shared_keys(state))
                state.counters["duplicates_dropped"] += len(parsed) - len(new)
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
        live = [i for i in range(len(states)) if states[i].error is None]
        t0 = time.perf_counter()
        texts = [fresh.get(i, []) for i in live]
        if any(texts):
            scores = self.c.scorer.score([states[i].handle for i in live], texts)
        else:
            scores = [[] for _ in live]
        per = (time.perf_counter() - t0) / max(1, len(live))
        for i, group, group_scores in zip(live, texts, scores, strict=True):
            state = states[i]
            state.timings["score"] += per
            self._merge(state, group, group_scores)
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

    def record(self, state: SampleState) -> dict[str, Any]:
        """The JSON record of a finished sample (the ``results.jsonl`` schema)."""
        best = state.ranked[0] if state.ranked and state.error is None else None
        raw_best = state.raw.get(best.text) if best else None
        record: dict[str, Any] = {
            "id": state.sample.id,
            "status": "ok" if best is not None else "failed",
            "source": str(state.sample.source) if not isinstance(state.sample.source, (str, int, float)) else state.sample.source,
            "best_text": best.text if best else None,
            "best_score": self.natural(best.score) if best else None,
            "initial_best_text": state.initial_best.text if state.initial_best else None,
            "initial_best_score": self.natural(state.initial_best.score) if state.initial_best else None,
            "history": state.history,
            "history_mean": state.history_mean,
            "iterations": state.iteration,
            "stop_reason": state.stop_reason,
            "top": [[st.text, self.natural(st.score)] for st in state.ranked[:10]],
            "counters": state.counters,
            "tokens": state.tokens,
            "timings": {
                **{k: round(v, 6) for k, v in state.timings.items()},
                "total": round(time.perf_counter() - state.started, 6),
            },
            "meta": state.sample.meta,
        }
        if isinstance(raw_best, tuple):
            record["best_score_parts"] = list(raw_best)
        if best is None:
            record["error"] = state.error or "no candidate received a finite score"
        return record


def run_samples(
    info: RunInfo,
    samples: Sequence[Sample],
    write: Callable[[dict[str, Any]], None],
    *,
    on_iteration: Callable[[SampleState], None] | None = None,
) -> dict[str, float]:
    """Search every sample, calling ``write(record)`` the moment each one finishes.

    Returns run-level timings (``pool_prepare_s``: the sample-independent pool work).
    """
    loop = Loop(info.config, info.components, on_iteration=on_iteration)
    t0 = time.perf_counter()
    loop.prepare_pool()
    stats = {"pool_prepare_s": round(time.perf_counter() - t0, 4)}
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
                write(loop.record(state))
            for state in started:
                if loop.should_stop(state):
                    write(loop.record(state))
                else:
                    active.append(state)
        if not active:
            continue
        loop.step(active)
        still: list[SampleState] = []
        for state in active:
            if state.error is not None or loop.should_stop(state):
                write(loop.record(state))
            else:
                still.append(state)
        active = still
    return stats

"""The render stage of a run: candidate texts → artifacts, batched, cached, never twice.

A :class:`~mils_core.components.Renderer` implements one ``render_batch``; this stage owns
the rest: one batched call for every text of every active sample, the core
:class:`~mils_core.batching.Batcher` (halving on out-of-memory), a cache keyed by
(renderer identity, text, seed, and the sample when the renderer is conditioned on it),
and isolating a sample whose render fails so the others go on.

The seed is the run's render seed, or, for a renderer that sets ``seed_per_sample = True``
(text-to-image: scores should compare prompts, not noise), one seed per sample derived from
the run's render seed and the sample id, shared by all the sample's candidates; the cache
key holds it, so the same prompt of the same sample (a resumed run, a re-run) is a cache hit.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Any

import attrs
import structlog

from mils_core.batching import Batcher, OutOfMemoryError, is_out_of_memory
from mils_core.components import Renderer
from mils_core.seeds import derive_seed

log = structlog.get_logger("mils.render")

#: Unconditioned artifacts kept in memory (shared by samples); conditioned ones live until their sample ends.
DEFAULT_CAPACITY = 2048


@attrs.frozen
class RenderJob:
    """The texts one sample needs rendered; ``condition`` is its target for conditioned renderers."""

    sample_id: str
    texts: Sequence[str]
    condition: Any = None
    #: The noise seed of every text of the job; None: :meth:`RenderStage.seed_for` the sample.
    seed: int | None = None


@attrs.frozen
class RenderResult:
    """One artifact per text of a job, or the one-line error that failed the job's sample."""

    artifacts: list[Any]
    error: str | None = None


class RenderStage:
    """Renders for the loop; see the module docstring."""

    def __init__(self, renderer: Renderer[Any], seed: int, *, capacity: int = DEFAULT_CAPACITY) -> None:
        self.renderer = renderer
        self.seed = seed
        self.conditioned = renderer.conditioned_on is not None
        #: One seed per sample (``Renderer.seed_per_sample``) instead of one per run.
        self.per_sample = renderer.seed_per_sample
        self.identity = renderer.cache_identity()
        self.batcher = Batcher(renderer.batch_size(), name=f"{type(renderer).__name__} renders")
        self.capacity = capacity
        self._shared: OrderedDict[Hashable, Any] = OrderedDict()
        self._per_sample: dict[str, dict[Hashable, Any]] = {}
        self.counters = {"renders": 0, "render_cache_hits": 0, "render_failures": 0}

    def seed_for(self, sample_id: str) -> int:
        """The noise seed of every render of sample ``sample_id`` (31 bits with ``seed_per_sample``)."""
        return derive_seed(self.seed, "sample", sample_id, bits=31) if self.per_sample else self.seed

    def _job_seed(self, job: RenderJob) -> int:
        return job.seed if job.seed is not None else self.seed_for(job.sample_id)

    def _key(self, text: str, seed: int) -> Hashable:
        return (self.identity, text, seed)

    def _lookup(self, sample_id: str, text: str, seed: int) -> Any:
        key = self._key(text, seed)
        if self.conditioned:
            return self._per_sample.get(sample_id, {}).get(key)
        found = self._shared.get(key)
        if found is not None:
            self._shared.move_to_end(key)
        return found

    def _store(self, sample_id: str, text: str, seed: int, artifact: Any) -> None:
        key = self._key(text, seed)
        if self.conditioned:
            self._per_sample.setdefault(sample_id, {})[key] = artifact
            return
        self._shared[key] = artifact
        while len(self._shared) > self.capacity:
            self._shared.popitem(last=False)

    def render(self, jobs: Sequence[RenderJob]) -> list[RenderResult]:
        """Artifacts for every job, in order; texts already rendered come from the cache."""
        self.renderer.ensure_loaded()
        wanted: list[tuple[int, str]] = []  # (job index, text) not cached, first occurrence only
        pending: set[Hashable] = set()
        for j, job in enumerate(jobs):
            seed = self._job_seed(job)
            for text in job.texts:
                unique = (job.sample_id if self.conditioned else None, text, seed)
                if self._lookup(job.sample_id, text, seed) is not None or unique in pending:
                    self.counters["render_cache_hits"] += 1
                    continue
                pending.add(unique)
                wanted.append((j, text))
        errors = self._render_missing(jobs, wanted)
        results = []
        for j, job in enumerate(jobs):
            if j in errors:
                results.append(RenderResult([], errors[j]))
                continue
            seed = self._job_seed(job)
            results.append(RenderResult([self._lookup(job.sample_id, t, seed) for t in job.texts]))
        return results

    def _render_missing(self, jobs: Sequence[RenderJob], wanted: list[tuple[int, str]]) -> dict[int, str]:
        if not wanted:
            return {}
        try:
            self._render_items(jobs, wanted)
            return {}
        except Exception as exc:  # noqa: BLE001 - find the sample that broke the batch
            if is_out_of_memory(exc) or isinstance(exc, OutOfMemoryError):
                raise
            first = exc
        samples = sorted({j for j, _ in wanted})
        if len(samples) == 1:
            return self._fail(samples, jobs, first)
        errors: dict[int, str] = {}
        for j in samples:
            try:
                self._render_items(jobs, [(jj, t) for jj, t in wanted if jj == j])
            except Exception as exc:  # noqa: BLE001 - this sample fails, the others go on
                if is_out_of_memory(exc) or isinstance(exc, OutOfMemoryError):
                    raise
                errors.update(self._fail([j], jobs, exc))
        return errors

    def _fail(self, indices: list[int], jobs: Sequence[RenderJob], exc: BaseException) -> dict[int, str]:
        self.counters["render_failures"] += len(indices)
        name = type(self.renderer).__name__
        out = {}
        for j in indices:
            message = f"renderer {name} failed on sample {jobs[j].sample_id!r}: {type(exc).__name__}: {exc}"
            log.warning("render failed; the sample fails, the run goes on", sample=jobs[j].sample_id, error=str(exc))
            out[j] = " ".join(message.split())[:300]
        return out

    def _render_items(self, jobs: Sequence[RenderJob], items: list[tuple[int, str]]) -> None:
        def one_batch(batch: list[tuple[int, str]]) -> list[Any]:
            texts = [t for _, t in batch]
            conditions = [jobs[j].condition for j, _ in batch] if self.conditioned else None
            out = self.renderer.render_batch(texts, [self._job_seed(jobs[j]) for j, _ in batch], conditions)
            if len(out) != len(batch):
                raise RuntimeError(f"{type(self.renderer).__name__} returned {len(out)} artifacts for {len(batch)} texts")
            return list(out)

        artifacts = self.batcher.map(one_batch, items)
        self.counters["renders"] += len(items)
        for (j, text), artifact in zip(items, artifacts, strict=True):
            self._store(jobs[j].sample_id, text, self._job_seed(jobs[j]), artifact)

    def forget(self, sample_id: str) -> None:
        """Drop a finished sample's conditioned artifacts."""
        self._per_sample.pop(sample_id, None)


def save_artifact(renderer: Renderer[Any], artifact: Any, path: Path) -> None:
    """Write ``artifact`` with the renderer's ``save`` to a temporary file, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.tmp{os.getpid()}{path.suffix}")
    try:
        renderer.save(artifact, tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()

"""``executor = "ray"``: one run's samples spread over Ray actors, the driver the only writer.

The driver (the ``mils run`` process) keeps the queue of unfinished samples and hands them out
in chunks; each actor (:class:`Worker`) builds and loads the configured components once and
runs the normal lockstep loop on the chunks it is given. Finished samples travel back as
(record, artifact files) and the driver alone writes them: artifacts atomically into the run
folder, then the record appended to ``results.jsonl`` — so there is one writer, and workers need
no shared file system. The initial pool is prepared once, by the first worker, and shipped to
the others through Ray's object store.

Faults: when an actor dies (killed, out of memory, node lost) its unfinished chunks go back to
the front of the queue, a replacement actor is started (up to ``max_worker_restarts``), and the
summary counts the retries; a sample whose worker died ``max_sample_retries + 1`` times is
recorded as failed instead of being retried for ever. Killing the driver loses nothing that was
written; re-running resumes like any run. Answers equal a single-process run's: every sample's
randomness comes from its own seed.
"""

from __future__ import annotations

import importlib
import logging
import math
import shutil
import tempfile
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs
import structlog

from mils_core.components import Sample
from mils_core.config import Config, RaySection, config_from_dict
from mils_core.errors import ConfigError, MilsError
from mils_core.plugins import MilsPluginManager
from mils_core.records import SampleRecord

log = structlog.get_logger("mils.ray")

#: Chunks kept queued on each actor, so it never waits for the driver between chunks.
IN_FLIGHT_PER_WORKER = 2


def require_ray() -> Any:
    """The ``ray`` module, or a one-line error that says what to install."""
    try:
        import ray
    except ImportError:
        raise ConfigError(
            "executor 'ray' needs Ray, which is not installed: pip install 'mils-core[ray]' (or pip install ray)"
        ) from None
    return ray


def register_plugin_modules(pm: MilsPluginManager, names: Sequence[str]) -> None:
    """Register each module named in ``[ray] plugins`` (import paths) unless it already is."""
    for name in names:
        if pm.get_plugin(name) is not None:
            continue
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            raise ConfigError(f"[ray] plugins: cannot import {name!r} ({exc}); install it on every node") from None
        pm.register(module, name=name)


@attrs.frozen
class Finished:
    """One sample as a worker sends it back: its record and its artifact files (relative path → bytes)."""

    record: dict[str, Any]
    files: dict[str, bytes]


class Worker:
    """The body of a Ray actor: components built and loaded once, chunks of samples run in lockstep."""

    def __init__(self, raw: dict[str, Any], base_dir: str, plugins: Sequence[str]) -> None:
        from mils_core.logs import configure_logging
        from mils_core.plugins import make_plugin_manager
        from mils_core.resolve import resolve_components
        from mils_core.runinfo import RunInfo
        from mils_core.runner import apply_policy

        configure_logging(level="warning")
        self.pm = make_plugin_manager()
        register_plugin_modules(self.pm, plugins)
        self.config = config_from_dict(raw, base_dir=Path(base_dir))
        self.components = resolve_components(self.config, self.pm)
        apply_policy(self.config, self.components)
        self.folder = Path(tempfile.mkdtemp(prefix="mils-worker-"))
        self.info = RunInfo(config=self.config, output_dir=self.folder, components=self.components)
        self.loaded = False

    def load(self) -> bool:
        """Load every model (once)."""
        if not self.loaded:
            self.components.generator.ensure_loaded()
            self.components.scorer.ensure_loaded()
            if self.components.renderer is not None:
                self.components.renderer.ensure_loaded()
            self.loaded = True
        return True

    def pool(self) -> Any:
        """Prepare the initial pool here and return it for the other workers."""
        from mils_core.loop import Loop

        self.load()
        Loop(self.config, self.components).prepare_pool()
        return self.components.scorer.export_pool()

    def adopt_pool(self, state: Any) -> bool:
        """Take the pool another worker prepared."""
        self.components.scorer.import_pool(state)
        return True

    def run(self, samples: list[Sample]) -> tuple[list[Finished], dict[str, Any]]:
        """Search ``samples``; their records and artifact files, and this chunk's loop figures."""
        from mils_core.loop import run_samples

        self.load()
        out: list[Finished] = []

        def collect(record: SampleRecord) -> None:
            files = {}
            for relative in record.artifacts.values():
                path = self.folder / relative
                files[relative] = path.read_bytes()
                path.unlink(missing_ok=True)
            out.append(Finished(record.to_dict(), files))

        stats = run_samples(self.info, samples, collect)
        return out, stats

    def stats(self) -> dict[str, int]:
        """The scorer's counters."""
        return self.components.scorer.stats()

    def close(self) -> bool:
        """Remove this worker's scratch folder."""
        shutil.rmtree(self.folder, ignore_errors=True)
        return True


@attrs.define
class _Slot:
    """One actor as the driver sees it."""

    index: int
    handle: Any
    busy: int = 0
    done: int = 0


@attrs.define
class RayRun:
    """The driver's state for one run on Ray."""

    config: Config
    write: Callable[[SampleRecord], None]
    write_file: Callable[[str, bytes], None]
    progress: Any = None
    queue: deque[Sample] = attrs.field(factory=deque)
    deaths: dict[str, int] = attrs.field(factory=dict)
    figures: dict[str, Any] = attrs.field(factory=lambda: {"workers": 0, "workers_started": 0, "worker_deaths": 0,
                                                          "retried_samples": 0, "chunks": 0})
    render_stats: dict[str, int] = attrs.field(factory=dict)
    pool_prepare_s: float = 0.0
    t0: float = attrs.field(factory=time.perf_counter)
    finished: int = 0
    #: Seconds the driver spent writing what workers sent back (its overhead per record).
    driver_s: float = 0.0
    #: The prepared pool in Ray's object store (handed to replacement workers too).
    pool_ref: Any = None


def _ray_init(ray: Any, section: RaySection) -> bool:
    """Connect to (or start) Ray; True if this call started it (and so should shut it down)."""
    if ray.is_initialized():
        return False
    kwargs: dict[str, Any] = {"namespace": "mils", "log_to_driver": False, "configure_logging": False,
                              "include_dashboard": False}
    # Ray announces, at warning level, that it turned token authentication on for a local
    # cluster; that is the secure default we want, so the notice stays out of the terminal.
    notice = logging.getLogger("ray._private.authentication.authentication_token_setup")
    level = notice.level
    notice.setLevel(logging.ERROR)
    try:
        ray.init(address=section.address, **kwargs)
    except ConnectionError as exc:
        raise ConfigError(f"[ray] address {section.address!r}: cannot connect to a Ray cluster ({exc}); "
                          "start one with 'ray start --head' or leave address unset for a local Ray") from None
    finally:
        notice.setLevel(level)
    return True


def _width(ray: Any, section: RaySection) -> tuple[int, float]:
    """(actors to start, GPUs each) from the section and the cluster's resources."""
    resources = ray.cluster_resources()
    gpus = float(resources.get("GPU", 0.0))
    per_gpu = section.gpus_per_worker if section.gpus_per_worker is not None else (1.0 if gpus >= 1 else 0.0)
    if section.num_workers is not None:
        return section.num_workers, per_gpu
    if per_gpu > 0:
        return max(1, int(gpus // per_gpu)), per_gpu
    cpus = float(resources.get("CPU", 1.0))
    return max(1, int(cpus // max(section.cpus_per_worker, 1e-9))), per_gpu


def run_on_ray(config: Config, pm: MilsPluginManager, samples: Sequence[Sample], write: Callable[[SampleRecord], None],
               write_file: Callable[[str, bytes], None], *, progress: Any = None) -> dict[str, Any]:
    """Search ``samples`` on Ray actors; ``write`` gets every record on the driver, in finishing order.

    ``write_file(relative, data)`` stores an artifact in the run folder (atomically) before its
    record is written. Returns the run-level figures (``pool_prepare_s``, ``render_stats``,
    ``scorer_stats`` summed over workers, ``executor``).
    """
    ray = require_ray()
    section = config.ray
    started = _ray_init(ray, section)
    state = RayRun(config=config, write=write, write_file=write_file, progress=progress, queue=deque(samples))
    try:
        return _drive(ray, state)
    finally:
        if started:
            ray.shutdown()


def _new_worker(ray: Any, state: RayRun, index: int, gpus: float) -> _Slot:
    section = state.config.ray
    actor = ray.remote(Worker).options(num_cpus=section.cpus_per_worker, num_gpus=gpus, max_restarts=0,
                                       max_task_retries=0, name=f"mils-worker-{index}-{id(state):x}")
    handle = actor.remote(state.config.raw, str(state.config.base_dir), list(section.plugins))
    state.figures["workers_started"] += 1
    return _Slot(index, handle)


def _remote_error(ray: Any, exc: BaseException) -> BaseException:
    """The worker-side exception inside a Ray task error (so mils errors keep their one line)."""
    if isinstance(exc, ray.exceptions.RayTaskError):
        cause = exc.cause if getattr(exc, "cause", None) is not None else exc
        return cause  # type: ignore[no-any-return]
    return exc


def _prepare_pool(ray: Any, state: RayRun, slots: list[_Slot]) -> None:
    """The pool prepared by one worker and handed to the rest (through the object store)."""
    t0 = time.perf_counter()
    while True:
        try:
            exported = ray.get(slots[0].handle.pool.remote())
            break
        except ray.exceptions.RayActorError:
            state.figures["worker_deaths"] += 1
            slots.pop(0)
            if not slots:
                raise MilsError("every Ray worker died while preparing the initial pool; "
                                "check the workers' memory and logs (ray logs)") from None
        except ray.exceptions.RayTaskError as exc:
            raise _remote_error(ray, exc) from None
    state.pool_ref = ray.put(exported)
    ray.get([s.handle.adopt_pool.remote(state.pool_ref) for s in slots[1:]])
    state.pool_prepare_s = round(time.perf_counter() - t0, 4)


def _drive(ray: Any, state: RayRun) -> dict[str, Any]:
    section = state.config.ray
    width, gpus = _width(ray, section)
    chunk = section.chunk_size or state.config.loop.batch_samples
    width = max(1, min(width, math.ceil(len(state.queue) / chunk) or 1))
    slots = [_new_worker(ray, state, i, gpus) for i in range(width)]
    state.figures["workers"] = width
    log.info("ray workers starting", workers=width, gpus_per_worker=gpus, chunk=chunk, samples=len(state.queue))
    ray.get([s.handle.load.remote() for s in slots])
    _prepare_pool(ray, state, slots)
    inflight: dict[Any, tuple[_Slot, list[Sample]]] = {}
    restarts = section.max_worker_restarts
    next_index = width
    scorer_stats: dict[str, int] = {}

    def feed(slot: _Slot) -> None:
        while state.queue and slot.busy < IN_FLIGHT_PER_WORKER:
            part = [state.queue.popleft() for _ in range(min(chunk, len(state.queue)))]
            inflight[slot.handle.run.remote(part)] = (slot, part)
            slot.busy += 1
            state.figures["chunks"] += 1

    for slot in slots:
        feed(slot)
    while inflight:
        ready, _ = ray.wait(list(inflight), num_returns=1, timeout=2.0)
        for ref in ready:
            slot, part = inflight.pop(ref)
            slot.busy -= 1
            try:
                finished, stats = ray.get(ref)
            except ray.exceptions.RayActorError:
                _requeue(state, part, slot)
                if slot in slots:
                    slots.remove(slot)
                    state.figures["worker_deaths"] += 1
                    if restarts > 0 and (state.queue or inflight):
                        restarts -= 1
                        fresh = _new_worker(ray, state, next_index, gpus)
                        next_index += 1
                        fresh.handle.adopt_pool.remote(state.pool_ref)  # runs before its chunks (actor order)
                        slots.append(fresh)
                if not slots:
                    raise MilsError(f"every Ray worker died ({state.figures['worker_deaths']} deaths, no restarts left); "
                                    "check the workers' memory and logs (ray logs), then re-run to resume") from None
                continue
            except ray.exceptions.RayTaskError as exc:
                raise _remote_error(ray, exc) from None
            _deliver(state, finished, slot)
            for key, value in stats.get("render_stats", {}).items():
                state.render_stats[key] = state.render_stats.get(key, 0) + int(value)
        for slot in slots:
            feed(slot)
        if not state.queue and not inflight:
            break
        _show(state, slots)
    for slot in slots:
        try:
            _absorb_stats(scorer_stats, ray.get(slot.handle.stats.remote()))
            ray.get(slot.handle.close.remote())
        except ray.exceptions.RayActorError:
            pass
    return {"pool_prepare_s": state.pool_prepare_s, "render_stats": state.render_stats,
            "scorer_stats": scorer_stats,
            "executor": {"name": "ray", **state.figures,
                         "driver_ms_per_record": round(1000 * state.driver_s / max(state.finished, 1), 3)}}


def _absorb_stats(total: dict[str, int], stats: dict[str, int]) -> None:
    for key, value in stats.items():
        total[key] = total.get(key, 0) + int(value)


def _requeue(state: RayRun, part: list[Sample], slot: _Slot) -> None:
    """Put a dead worker's chunk back at the front of the queue; give up on samples that keep killing workers."""
    limit = state.config.ray.max_sample_retries
    back: list[Sample] = []
    for sample in part:
        state.deaths[sample.id] = state.deaths.get(sample.id, 0) + 1
        if state.deaths[sample.id] > limit:
            state.write(SampleRecord(
                id=sample.id, status="failed", source=sample.source,
                error=(f"its Ray worker died {state.deaths[sample.id]} times while running it (out of memory or a "
                       "crashing native library?); run it alone to see why, or raise [ray] max_sample_retries"),
            ))
            state.finished += 1
            continue
        back.append(sample)
        state.figures["retried_samples"] += 1
    state.queue.extendleft(reversed(back))
    log.warning("ray worker died; its samples go back to the queue", worker=slot.index, requeued=len(back))


def _deliver(state: RayRun, finished: list[Finished], slot: _Slot) -> None:
    t0 = time.perf_counter()
    for item in finished:
        for relative, data in item.files.items():
            state.write_file(relative, data)
        state.write(SampleRecord.from_dict(item.record))
        slot.done += 1
        state.finished += 1
    state.driver_s += time.perf_counter() - t0


def _show(state: RayRun, slots: list[_Slot]) -> None:
    if state.progress is None:
        return
    hours = max(time.perf_counter() - state.t0, 1e-9) / 3600
    state.progress.set_postfix(
        workers=len(slots), busy=sum(1 for s in slots if s.busy), retried=state.figures["retried_samples"],
        per_hour=f"{state.finished / hours:.0f}", refresh=False,
    )

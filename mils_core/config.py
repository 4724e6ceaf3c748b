"""Run configuration: a TOML file selecting components by name, plus ``--set`` overrides.

Shape (components may add options to their own tables)::

    [run]
    task = "text-target"       # a registered task name
    samples = "targets.txt"    # whatever the task reads (a path, a glob, a list)
    output = "runs/demo"       # the run folder (resumable)
    seed = 0

    [task]                     # options of the task (optional)
    [generator]                # name + options; the task's default if omitted
    name = "mutate"
    [scorer]                   # name + options; the task's default if omitted
    name = "word-overlap"
    [prompt]                   # prompt style (prompt + reply parser); the task's default if omitted
    [pool]                     # initial pool; the task's default if omitted (e.g. name = "pool-file")
    [renderer]                 # optional: texts become artifacts (images) that the scorer scores
    [[stop]]                   # stopping rules; any one firing stops a sample
    name = "max-iterations"
    n = 10
    [loop]                     # search hyper-parameters (task defaults if omitted)
    top_k = 50
    n_new = 50
    weights = [1000.0, 1.0]    # multi-objective scorers: one weight per objective, for ranking

The sections are those of the component kinds (:mod:`mils_core.kinds`) plus ``[run]`` and ``[loop]``.
Relative paths in ``[run]`` are resolved against the config file's folder.
"""

from __future__ import annotations

import copy
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from mils_core.errors import ConfigError
from mils_core.kinds import KINDS
from mils_core.options import build_options
from mils_core.suggest import did_you_mean

SECTIONS = ("run", *(k.section for k in KINDS), "loop", "ray")
EXECUTORS = ("local", "ray")


@attrs.frozen
class RunSection:
    """The ``[run]`` table."""

    task: str
    samples: Any = None
    output: str = "runs/latest"
    seed: int = 0
    cache_dir: str | None = None
    retry_failed: bool = False
    shard: str | None = None
    #: ``local`` (this process) or ``ray`` (actors on a Ray cluster; see the ``[ray]`` table).
    executor: str = attrs.field(default="local", validator=attrs.validators.in_(EXECUTORS))


@attrs.frozen
class LoopSection:
    """The ``[loop]`` table: search hyper-parameters and the savings switches."""

    top_k: int | None = attrs.field(default=None, validator=attrs.validators.optional(attrs.validators.ge(1)))
    n_new: int | None = attrs.field(default=None, validator=attrs.validators.optional(attrs.validators.ge(1)))
    exploration: float = attrs.field(default=0.0, validator=[attrs.validators.ge(0.0), attrs.validators.le(1.0)])
    reply_retries: int = attrs.field(default=2, validator=attrs.validators.ge(0))
    prompts_per_sample: int = attrs.field(default=1, validator=attrs.validators.ge(1))
    batch_samples: int = attrs.field(default=16, validator=attrs.validators.ge(1))
    pool_size: int | None = attrs.field(default=None, validator=attrs.validators.optional(attrs.validators.ge(1)))
    text_cache: bool = True
    pool_cache: bool = True
    sort_by_length: bool = True
    #: One weight per objective of a multi-objective scorer, for ranking (None: the task's default, else all 1).
    weights: tuple[float, ...] | None = None
    #: Also keep the best artifact of every iteration (not only each sample's final best).
    save_iteration_artifacts: bool = False
    #: Weight of a ``fluency`` objective: the generator's own mean token log-likelihood of each
    #: candidate, added to the scorer's objectives (0: off). Needs a generator that can score texts.
    fluency: float = attrs.field(default=0.0, validator=attrs.validators.ge(0.0))
    #: Drop candidates the prompt style calls degenerate (repeated content words, echoed
    #: instructions) before they are scored.
    drop_degenerate: bool = True


@attrs.frozen
class RaySection:
    """The ``[ray]`` table: where and how wide a ``executor = "ray"`` run goes.

    :param address: a running cluster (``auto``, ``ray://head:10001``, ``host:6379``); None starts
        a local Ray for this run.
    :param num_workers: actors to start (None: one per GPU of the cluster with ``gpus_per_worker``
        GPUs each, or, on a cluster without GPUs, one per ``cpus_per_worker`` CPUs).
    :param gpus_per_worker: GPUs each actor reserves (None: 1 where the cluster has GPUs, else 0).
    :param cpus_per_worker: CPUs each actor reserves.
    :param chunk_size: samples handed to an actor at a time (None: ``[loop] batch_samples``).
    :param max_sample_retries: times a sample is re-queued after its worker died before it is
        recorded as failed (a sample that crashes every worker must not stall the run).
    :param max_worker_restarts: replacement actors started after deaths, in all.
    :param plugins: extra plugin modules (import paths) each worker registers, for components that
        are not installed as distributions.
    """

    address: str | None = None
    num_workers: int | None = attrs.field(default=None, validator=attrs.validators.optional(attrs.validators.ge(1)))
    gpus_per_worker: float | None = attrs.field(default=None, validator=attrs.validators.optional(attrs.validators.ge(0)))
    cpus_per_worker: float = attrs.field(default=1.0, validator=attrs.validators.ge(0))
    chunk_size: int | None = attrs.field(default=None, validator=attrs.validators.optional(attrs.validators.ge(1)))
    max_sample_retries: int = attrs.field(default=3, validator=attrs.validators.ge(0))
    max_worker_restarts: int = attrs.field(default=8, validator=attrs.validators.ge(0))
    plugins: tuple[str, ...] = ()


@attrs.frozen
class ComponentConfig:
    """A selected component: its registered name and its options table."""

    name: str
    options: dict[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class Config:
    """A validated run configuration.

    ``selections`` holds, per component kind (see :mod:`mils_core.kinds`), the components the
    config names; the task is the one named by ``[run] task`` with the ``[task]`` options.
    """

    run: RunSection
    loop: LoopSection
    ray: RaySection
    selections: dict[str, tuple[ComponentConfig, ...]]
    base_dir: Path
    raw: dict[str, Any]

    def selected(self, kind: str) -> tuple[ComponentConfig, ...]:
        """The components of ``kind`` the config names (empty: the task's defaults apply)."""
        return self.selections.get(kind, ())

    def _first(self, kind: str) -> ComponentConfig | None:
        found = self.selected(kind)
        return found[0] if found else None

    @property
    def task_options(self) -> dict[str, Any]:
        """The ``[task]`` table."""
        task = self._first("task")
        return dict(task.options) if task is not None else {}

    @property
    def generator(self) -> ComponentConfig | None:
        """The ``[generator]`` table, if any."""
        return self._first("generator")

    @property
    def scorer(self) -> ComponentConfig | None:
        """The ``[scorer]`` table, if any."""
        return self._first("scorer")

    @property
    def renderer(self) -> ComponentConfig | None:
        """The ``[renderer]`` table, if any."""
        return self._first("renderer")

    @property
    def stop(self) -> tuple[ComponentConfig, ...]:
        """The ``[[stop]]`` tables."""
        return self.selected("stopping-rule")

    @property
    def dataset(self) -> ComponentConfig | None:
        """The ``[dataset]`` table, if any."""
        return self._first("dataset")

    def output_dir(self) -> Path:
        """The run folder, absolute."""
        return resolve_path(self.run.output, self.base_dir)

    def cache_dir(self) -> Path:
        """Where sample-independent work (pool embeddings) is cached across runs."""
        if self.run.cache_dir:
            return resolve_path(self.run.cache_dir, self.base_dir)
        return default_cache_dir()


def default_cache_dir() -> Path:
    """``$MILS_CACHE_DIR``, else ``$XDG_CACHE_HOME/mils``, else ``~/.cache/mils``."""
    import os

    if os.environ.get("MILS_CACHE_DIR"):
        return Path(os.environ["MILS_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mils"


def resolve_path(value: str, base: Path) -> Path:
    """``value`` as an absolute path, relative ones taken from ``base``."""
    path = Path(value).expanduser()
    return path if path.is_absolute() else (base / path).resolve()


def _component(raw: Any, where: str) -> ComponentConfig:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where} must be a table with a 'name' key, got {raw!r}")
    table = dict(raw)
    name = table.pop("name", None)
    if not isinstance(name, str) or not name:
        raise ConfigError(f"{where} needs a 'name' (the registered component name); run 'mils list' to see them")
    return ComponentConfig(name=name, options=table)


def parse_override(text: str) -> tuple[list[str], Any]:
    """Split ``section.key=value`` into a path and a TOML-typed value (strings need no quotes)."""
    if "=" not in text:
        raise ConfigError(f"--set {text!r}: expected section.key=value, e.g. --set scorer.batch_size=32")
    key, _, value = text.partition("=")
    path = [p for p in key.strip().split(".") if p]
    if len(path) < 2:
        raise ConfigError(f"--set {text!r}: the key needs a section, e.g. run.seed=1 or scorer.model=...")
    try:
        parsed: Any = tomllib.loads(f"v = {value.strip()}")["v"]
    except tomllib.TOMLDecodeError:
        parsed = value.strip()
    return path, parsed


def apply_overrides(raw: dict[str, Any], overrides: Iterable[str]) -> dict[str, Any]:
    """A copy of ``raw`` with each ``section.key=value`` applied (``stop.0.n=5`` indexes lists)."""
    data = copy.deepcopy(raw)
    for text in overrides:
        path, value = parse_override(text)
        node: Any = data
        for i, part in enumerate(path[:-1]):
            if isinstance(node, list):
                if not part.isdigit() or int(part) >= len(node):
                    raise ConfigError(f"--set {text!r}: {'.'.join(path[: i + 1])} is not an existing list index")
                node = node[int(part)]
            else:
                if part not in node:
                    node[part] = [] if (i + 1 < len(path) - 1 and path[i + 1].isdigit()) else {}
                node = node[part]
        last = path[-1]
        if isinstance(node, list):
            raise ConfigError(f"--set {text!r}: cannot set a whole list entry; set one of its keys")
        node[last] = value
    return data


def load_config(path: Path | str, overrides: Iterable[str] = ()) -> Config:
    """Read, override and validate a config file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {str(path)!r} does not exist") from None
    except OSError as exc:
        raise ConfigError(f"config file {str(path)!r} cannot be read: {exc.strerror}") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {str(path)!r} is not valid TOML: {exc}") from None
    return config_from_dict(raw, base_dir=path.resolve().parent, overrides=overrides)


def config_from_dict(raw: Mapping[str, Any], *, base_dir: Path, overrides: Iterable[str] = ()) -> Config:
    """Validate a config given as a dict (as parsed from TOML)."""
    data = apply_overrides(dict(raw), overrides)
    for key in data:
        if key not in SECTIONS:
            raise ConfigError(f"unknown config section [{key}].{did_you_mean(key, SECTIONS)} Sections: {', '.join(SECTIONS)}.")
    run_raw = data.get("run")
    if not isinstance(run_raw, Mapping) or "task" not in run_raw:
        raise ConfigError("the config needs a [run] table with task = \"<task name>\"; run 'mils list tasks' to see them")
    run = build_options(RunSection, run_raw, "[run]")
    loop = build_options(LoopSection, data.get("loop", {}), "[loop]")
    ray = build_options(RaySection, data.get("ray", {}), "[ray]")
    selections: dict[str, tuple[ComponentConfig, ...]] = {}
    for kind in KINDS:
        if kind.section not in data:
            continue
        raw_section = data[kind.section]
        if kind.name == "task":
            if not isinstance(raw_section, Mapping):
                raise ConfigError("[task] must be a table of task options")
            continue
        if kind.many:
            tables = [raw_section] if isinstance(raw_section, Mapping) else raw_section
            if not isinstance(tables, list):
                raise ConfigError(f"[[{kind.section}]] must be an array of tables, each with a 'name'")
            selections[kind.name] = tuple(_component(t, f"[[{kind.section}]] #{i + 1}") for i, t in enumerate(tables))
        else:
            selections[kind.name] = (_component(raw_section, f"[{kind.section}]"),)
    selections["task"] = (ComponentConfig(str(run.task), dict(data.get("task", {}))),)
    if run.shard is not None:
        parse_shard(run.shard)
    return Config(run=run, loop=loop, ray=ray, selections=selections, base_dir=base_dir, raw=data)


def parse_shard(text: str) -> tuple[int, int]:
    """``"i/n"`` → (i, n) with 0 <= i < n: this process takes every n-th sample starting at i."""
    try:
        i_text, n_text = text.split("/")
        i, n = int(i_text), int(n_text)
    except ValueError:
        raise ConfigError(f"shard {text!r} must look like i/n, e.g. 0/4 (the first of four shards)") from None
    if n < 1 or not 0 <= i < n:
        raise ConfigError(f"shard {text!r}: need 0 <= i < n, e.g. 0/4 ... 3/4")
    return i, n

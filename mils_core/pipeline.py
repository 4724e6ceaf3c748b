"""Pipelines: runs that feed runs, written as ``[[stage]]`` tables in one config file.

Each stage is a full run config (``[stage.run]``, ``[stage.generator]``, ...) with a ``name``;
it runs into ``<[pipeline] output>/<name>``, a normal run folder (resumable, its own records).
A later stage reads an earlier one's answers through a dataset reader that names the stage:

.. code-block:: toml

    [pipeline]
    output = "runs/arith"

    [[stage]]
    name = "image"
    [stage.run]
    task = "image-captioning"
    samples = "photos/"

    [[stage]]
    name = "enhance"
    [stage.run]
    task = "t2i-enhancement"
    [stage.dataset]
    name = "run-records"
    stage = "image"            # becomes run = "<output>/image"

``combinations`` takes ``stages = {column = "stage name"}`` the same way. Stages that use the same
generator, scorer or renderer (same name and options) share one instance: its model loads once.
Re-running the file
re-enters every stage in order; a finished stage costs only reading its records, so the run
resumes at the first unfinished stage and sample. ``--set NAME.section.key=value`` overrides one
stage (``--set NAME.section={...}`` replaces its whole table); ``--set section.key=value`` every stage.
"""

from __future__ import annotations

import copy
import json
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from mils_core.config import Config, apply_overrides, config_from_dict, resolve_path
from mils_core.errors import ConfigError
from mils_core.plugins import MilsPluginManager
from mils_core.results import atomic_write_text

PIPELINE_FILE = "pipeline.json"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


@attrs.frozen
class Pipeline:
    """A validated pipeline: its folder and its stages' run configs, in order."""

    output: Path
    stages: tuple[tuple[str, Config], ...]


def is_pipeline(raw: Mapping[str, Any]) -> bool:
    """True if a parsed config file is a pipeline (it has ``[[stage]]`` tables)."""
    return "stage" in raw


def read_toml(path: Path | str) -> dict[str, Any]:
    """A config file's TOML, with one-line errors."""
    path = Path(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {str(path)!r} does not exist") from None
    except OSError as exc:
        raise ConfigError(f"config file {str(path)!r} cannot be read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {str(path)!r} is not valid TOML: {exc}") from None


def _split_overrides(overrides: Iterable[str], names: set[str]) -> tuple[list[str], dict[str, list[str]]]:
    common: list[str] = []
    per_stage: dict[str, list[str]] = {}
    for text in overrides:
        head, _, rest = text.partition(".")
        if head in names and rest:
            per_stage.setdefault(head, []).append(rest)
        else:
            common.append(text)
    return common, per_stage


def _value(text: str, whole: str) -> Any:
    try:
        return tomllib.loads(f"v = {text.strip()}")["v"]
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"--set {whole!r}: the value is not valid TOML ({exc}); a table looks like "
                          "{name = \"mutate\", max_edits = 2}") from None


def _link(dataset: dict[str, Any], folders: Mapping[str, Path], stage: str) -> None:
    """Replace stage names in a dataset table by the earlier stages' folders."""

    def folder(name: Any) -> str:
        if name not in folders:
            earlier = ", ".join(folders) or "none"
            raise ConfigError(f"[[stage]] {stage!r}: dataset names stage {name!r}, which is not an earlier stage "
                              f"(earlier stages: {earlier})")
        return str(folders[name])

    if "stage" in dataset:
        dataset["run"] = folder(dataset.pop("stage"))
    if "stages" in dataset:
        stages = dataset.pop("stages")
        if not isinstance(stages, Mapping):
            raise ConfigError(f"[[stage]] {stage!r}: dataset stages must be a table of column = \"stage name\"")
        dataset["runs"] = {**dict(dataset.get("runs", {})), **{str(k): folder(v) for k, v in stages.items()}}


def pipeline_from_dict(raw: Mapping[str, Any], *, base_dir: Path, overrides: Iterable[str] = ()) -> Pipeline:
    """Validate a pipeline given as parsed TOML."""
    extra = sorted(set(raw) - {"pipeline", "stage"})
    if extra:
        raise ConfigError(f"a pipeline file holds only [pipeline] and [[stage]] tables; move [{extra[0]}] into a stage")
    head = dict(raw.get("pipeline", {}))
    unknown = sorted(set(head) - {"output", "seed"})
    if unknown:
        raise ConfigError(f"[pipeline]: unknown option {unknown[0]!r}. Valid options: output, seed.")
    output = resolve_path(str(head.get("output", "runs/pipeline")), base_dir)
    tables = raw.get("stage")
    if not isinstance(tables, list) or not tables:
        raise ConfigError("a pipeline needs [[stage]] tables, each a run config with a name")
    names = [t.get("name") if isinstance(t, Mapping) else None for t in tables]
    common, per_stage = _split_overrides(overrides, {n for n in names if isinstance(n, str)})
    folders: dict[str, Path] = {}
    stages: list[tuple[str, Config]] = []
    for i, table in enumerate(tables, 1):
        if not isinstance(table, Mapping):
            raise ConfigError(f"[[stage]] #{i} must be a table")
        stage = copy.deepcopy(dict(table))
        name = stage.pop("name", None)
        if not isinstance(name, str) or not _NAME.match(name):
            raise ConfigError(f"[[stage]] #{i} needs a name of letters, digits, '-' or '_' (it names its folder)")
        if name in folders:
            raise ConfigError(f"[[stage]] name {name!r} is used twice; stage names must be unique")
        mine = per_stage.get(name, [])
        for text in (t for t in mine if "." not in t.partition("=")[0]):  # NAME.section=<table>: the whole table
            section, _, value = text.partition("=")
            stage[section.strip()] = _value(value, text)
        stage = apply_overrides(stage, [*common, *(t for t in mine if "." in t.partition("=")[0])])
        run = dict(stage.get("run", {}))
        if "output" in run:
            raise ConfigError(f"[[stage]] {name!r}: drop [stage.run] output; stages run into [pipeline] output/<name>")
        run["output"] = str(output / name)
        run.setdefault("seed", head.get("seed", 0))
        stage["run"] = run
        if isinstance(stage.get("dataset"), dict):
            _link(stage["dataset"], folders, name)
        try:
            config = config_from_dict(stage, base_dir=base_dir)
        except ConfigError as exc:
            raise ConfigError(f"[[stage]] {name!r}: {exc}") from None
        folders[name] = output / name
        stages.append((name, config))
    return Pipeline(output=output, stages=tuple(stages))


def load_pipeline(path: Path | str, overrides: Iterable[str] = ()) -> Pipeline:
    """Read and validate a pipeline file."""
    path = Path(path)
    return pipeline_from_dict(read_toml(path), base_dir=path.resolve().parent, overrides=overrides)


def run_pipeline(pipeline: Pipeline, pm: MilsPluginManager, *, progress: bool = True) -> dict[str, dict[str, Any]]:
    """Run every stage in order (each resumes its own folder); the summaries by stage name.

    ``pipeline.json`` in the pipeline's folder lists the stages, their folders and summaries.
    """
    from mils_core.resolve import resolve_components
    from mils_core.runner import execute

    pipeline.output.mkdir(parents=True, exist_ok=True)
    summaries: dict[str, dict[str, Any]] = {}
    shared: dict[str, Any] = {}  # stages with the same generator/scorer/renderer load its model once
    for name, config in pipeline.stages:
        components = None if config.run.executor == "ray" else resolve_components(config, pm, reuse=shared)
        summaries[name] = execute(config, pm, progress=progress, components=components)
        index = {"stages": [{"name": n, "folder": str(c.output_dir()), "task": c.run.task,
                             "summary": summaries.get(n)} for n, c in pipeline.stages]}
        atomic_write_text(pipeline.output / PIPELINE_FILE, json.dumps(index, indent=2) + "\n")
    return summaries

"""The public Python API of mils: what plugin authors build on and what users call from Python.

Plugin authors::

    from mils_core.api import hookimpl, RegisterFn, Scorer, EmbeddingScorer, Renderer, Batcher
    from mils_core.api import hub_access, looks_like_path, models, load_image, validators, derive_seed

The test kit (it imports pytest) is apart: contract classes in :mod:`mils_core.testing.contracts`,
fixtures in the pytest plugin :mod:`mils_core.testing.pytest_plugin`, helpers such as
``assert_import_is_light`` in :mod:`mils_core.testing.helpers`, model-free components in
:mod:`mils_core.testing.fakes` and :mod:`mils_core.testing.render_fakes`.

Users (a notebook, a script)::

    import mils_core as mils
    records = mils.run("configs/coco.toml")              # or a dict shaped like a config file
    [record] = mils.caption(["photo.jpg"], preset="offline")
    print(record.best_text, record.best_score)
    mils.list_components("scorers")                      # what is installed, and from where

Everything here is imported lazily by ``mils_core``'s ``__getattr__``, so ``import mils_core``
stays cheap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from mils_core import validators
from mils_core.batching import Batcher, OutOfMemoryError
from mils_core.components import (
    TEXT,
    Component,
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
    Score,
    ScoredText,
    Scorer,
    StoppingRule,
    Task,
    scalarize,
)
from mils_core.config import Config, config_from_dict, load_config
from mils_core.embedding import EmbeddingScorer
from mils_core.errors import (
    ConfigError,
    GeneratorError,
    MilsError,
    ModelUnavailableError,
    ResultsError,
    SampleError,
    UnknownComponentError,
)
from mils_core.hookspecs import hookimpl
from mils_core.kinds import BY_NAME, BY_PLURAL, KINDS, Kind
from mils_core.media.image import as_rgb_image, load_image
from mils_core.model_cache import close_at_exit, models
from mils_core.model_source import ModelPathError, hf_offline, hub_access, hub_file, looks_like_path, packaged_file
from mils_core.plugins import MilsPluginManager, make_plugin_manager
from mils_core.records import RunSummary, SampleRecord
from mils_core.registry import RegisterFn
from mils_core.results import read_sample_records
from mils_core.seeds import derive_seed

__all__ = [
    "Batcher",
    "Component",
    "ComponentInfo",
    "Config",
    "ConfigError",
    "Dataset",
    "EmbeddingScorer",
    "Generation",
    "Generator",
    "GeneratorError",
    "KINDS",
    "Kind",
    "Message",
    "MilsError",
    "MilsPluginManager",
    "ModelPathError",
    "ModelUnavailableError",
    "OutOfMemoryError",
    "PoolSource",
    "Prompt",
    "PromptStyle",
    "RegisterFn",
    "Renderer",
    "ResultsError",
    "RunSummary",
    "Sample",
    "SampleError",
    "SampleProgress",
    "SampleRecord",
    "Score",
    "ScoredText",
    "Scorer",
    "StoppingRule",
    "TEXT",
    "Task",
    "UnknownComponentError",
    "as_rgb_image",
    "caption",
    "close_at_exit",
    "derive_seed",
    "hf_offline",
    "hookimpl",
    "hub_access",
    "hub_file",
    "list_components",
    "load_config",
    "load_image",
    "looks_like_path",
    "make_plugin_manager",
    "models",
    "packaged_file",
    "read_sample_records",
    "run",
    "scalarize",
    "validators",
]


@attrs.frozen
class ComponentInfo:
    """An installed component, as ``mils list`` shows it."""

    kind: str
    name: str
    description: str
    distribution: str
    version: str
    media: str


def _config(config: Config | Mapping[str, Any] | str | Path, overrides: Iterable[str]) -> Config:
    if isinstance(config, Config):
        return config
    if isinstance(config, Mapping):
        return config_from_dict(config, base_dir=Path.cwd(), overrides=overrides)
    return load_config(config, overrides)


def run(
    config: Config | Mapping[str, Any] | str | Path,
    *,
    overrides: Iterable[str] = (),
    plugins: Sequence[object] = (),
    progress: bool = False,
) -> list[SampleRecord]:
    """Run a config (a file, a dict shaped like one, or a :class:`Config`); return its records.

    The run folder is resumed when it exists, so calling this again after an interruption
    finishes the samples that are left. ``plugins`` adds plugin objects beside the installed ones.
    """
    from mils_core.runner import execute

    cfg = _config(config, overrides)
    execute(cfg, make_plugin_manager(plugins=plugins), progress=progress)
    return read_sample_records(cfg.output_dir())


def caption(
    paths: Sequence[str | Path],
    *,
    preset: str | None = None,
    task: str | None = None,
    output: str | Path | None = None,
    overrides: Iterable[str] = (),
    seed: int = 0,
) -> list[SampleRecord]:
    """Caption files with a preset (default ``offline``) of the installed task that reads them.

    ``task`` defaults to the one whose ``file_suffixes`` match the files (``image-captioning`` for
    images, ``video-captioning`` for videos). Records come back in the order the task lists the inputs.
    """
    from mils_core.caption import caption_config

    pm = make_plugin_manager()
    raw = caption_config(pm, [str(p) for p in paths], preset, task=task, output=str(output) if output else None,
                         seed=seed)
    cfg = config_from_dict(raw, base_dir=Path.cwd(), overrides=overrides)
    records = run(cfg)
    order = {s.id: i for i, s in enumerate(pm.registry.get("task", cfg.run.task).build(cfg.task_options)
                                           .samples(cfg.run.samples))}
    return sorted((r for r in records if r.id in order), key=lambda r: order[r.id])


def list_components(kind: str | None = None) -> list[ComponentInfo]:
    """Installed components of one kind (``"scorers"`` or ``"scorer"``), or of every kind."""
    registry = make_plugin_manager().registry
    if kind is None:
        specs = registry.all_specs()
    else:
        found = BY_PLURAL.get(kind) or BY_NAME.get(kind)
        if found is None:
            raise ConfigError(f"no component kind {kind!r}; kinds: {', '.join(k.plural for k in KINDS)}")
        specs = registry.specs(found.name)
    return [
        ComponentInfo(s.kind, s.name, s.description, s.provenance.distribution, s.provenance.version, s.media())
        for s in specs
    ]

"""Declared media: what tasks produce and what scorers, renderers and datasets take, checked once.

A mismatch is a config error raised when the run's components are resolved, before any
sample is read, in one line naming both components and what each takes.
"""

from __future__ import annotations

from typing import Any

from mils_core.components import TEXT, Dataset, Renderer, Scorer, Task
from mils_core.errors import ConfigError


def _either(media: tuple[str, ...]) -> str:
    return " or ".join(media)


def describe(cls: type) -> str:
    """A component class's declared media in words, for ``mils list``."""
    if issubclass(cls, Task):
        return f"targets: {cls.target_media}"
    if issubclass(cls, Scorer):
        targets = f"targets: {_either(cls.target_media)}, " if cls.target_media is not None else ""
        return f"{targets}candidates: {_either(cls.candidate_media)}"
    if issubclass(cls, Renderer):
        cond = f", conditioned on: {_either(cls.conditioned_on)}" if cls.conditioned_on else ""
        return f"makes: {cls.produces}{cond}"
    if issubclass(cls, Dataset) and cls.sample_media is not None:
        return f"samples: {cls.sample_media}"
    return ""


def check_media(names: dict[str, str], task: Task[Any], scorer: Scorer[Any], renderer: Renderer[Any] | None) -> None:
    """Raise :class:`ConfigError` if the selected components cannot work on each other's media.

    :param names: the registered names by role (``task``, ``scorer``, ``renderer``).
    """
    target = task.target_media
    if scorer.target_media is not None and target not in scorer.target_media:
        raise ConfigError(
            f"scorer {names['scorer']!r} takes {_either(scorer.target_media)} targets, but task {names['task']!r} "
            f"gives {target} targets; choose a scorer for {target} ('mils list scorers' shows what each takes)"
        )
    candidate = renderer.produces if renderer is not None else TEXT
    if candidate not in scorer.candidate_media:
        if renderer is None:
            raise ConfigError(
                f"scorer {names['scorer']!r} scores {_either(scorer.candidate_media)} candidates, but task "
                f"{names['task']!r} has no renderer to make them from texts; add a [renderer] table "
                "('mils list renderers') or choose a scorer of texts"
            )
        raise ConfigError(
            f"scorer {names['scorer']!r} scores {_either(scorer.candidate_media)} candidates, but renderer "
            f"{names['renderer']!r} makes {candidate}; choose a scorer for {candidate} or another renderer"
        )
    if renderer is not None and renderer.conditioned_on is not None and target not in renderer.conditioned_on:
        raise ConfigError(
            f"renderer {names['renderer']!r} is conditioned on {_either(renderer.conditioned_on)} targets, but task "
            f"{names['task']!r} gives {target} targets; choose another renderer or task"
        )


def check_dataset_media(dataset_name: str, dataset: Dataset[Any], task_name: str, task: Task[Any]) -> None:
    """Raise if a dataset's samples are not the media the task reads."""
    if dataset.sample_media is not None and dataset.sample_media != task.target_media:
        raise ConfigError(
            f"dataset {dataset_name!r} holds {dataset.sample_media} samples, but task {task_name!r} reads "
            f"{task.target_media} targets; choose a {dataset.sample_media} task or a {task.target_media} dataset"
        )

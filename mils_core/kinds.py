"""The component kinds: one table that the registry, config, resolution and runner all read.

A new kind is one row here and one registration hookspec in :mod:`mils_core.hookspecs`.
"""

from __future__ import annotations

from typing import Any

import attrs


@attrs.frozen
class Kind:
    """One kind of component.

    :param name: the kind's name (``stopping-rule``), used in messages and ``mils list``.
    :param plural: its plural (``stopping-rules``), the argument of ``mils list``.
    :param hook: the registration hook plugins implement (``mils_register_stopping_rules``).
    :param base_name: the class in :mod:`mils_core.components` every component of this kind
        subclasses (a name, so that reading the table imports no numpy; see :meth:`base`).
    :param section: the config table selecting it (``stop``); ``task`` is chosen by ``[run] task``
        and configured by ``[task]``.
    :param many: the section is an array of tables (``[[stop]]``) and several are used at once.
    :param task_default: the :class:`~mils_core.components.Task` attribute giving the default when
        the config selects none: a name, None (nothing is used), or ``(name, options)`` pairs.
    :param in_run: the runner builds it with the run's components (datasets are built apart,
        since they replace the task's sample source).
    """

    name: str
    plural: str
    hook: str
    base_name: str
    section: str
    many: bool = False
    task_default: str | None = None
    in_run: bool = True

    def base(self) -> type:
        """The base class itself."""
        from mils_core import components

        cls: type = getattr(components, self.base_name)
        return cls


KINDS: tuple[Kind, ...] = (
    Kind("task", "tasks", "mils_register_tasks", "Task", "task"),
    Kind("generator", "generators", "mils_register_generators", "Generator", "generator", task_default="default_generator"),
    Kind("prompt-style", "prompt-styles", "mils_register_prompt_styles", "PromptStyle", "prompt",
         task_default="default_prompt"),
    Kind("pool", "pools", "mils_register_pools", "PoolSource", "pool", task_default="default_pool"),
    Kind("renderer", "renderers", "mils_register_renderers", "Renderer", "renderer", task_default="default_renderer"),
    Kind("scorer", "scorers", "mils_register_scorers", "Scorer", "scorer", task_default="default_scorer"),
    Kind("stopping-rule", "stopping-rules", "mils_register_stopping_rules", "StoppingRule", "stop", many=True,
         task_default="default_stop"),
    Kind("dataset", "datasets", "mils_register_datasets", "Dataset", "dataset", in_run=False),
)

BY_NAME: dict[str, Kind] = {k.name: k for k in KINDS}
BY_PLURAL: dict[str, Kind] = {k.plural: k for k in KINDS}


def kind(name: str) -> Kind:
    """The kind called ``name``; ValueError naming the kinds if there is none."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown component kind {name!r}; kinds: {', '.join(BY_NAME)}") from None


def check_instance(kind_: Kind, name: str, provenance: Any, component: Any) -> None:
    """Raise if a factory built something that is not of its kind's base class."""
    from mils_core.errors import ConfigError

    if not isinstance(component, kind_.base()):
        raise ConfigError(
            f"{kind_.name} {name!r} from {provenance} built a {type(component).__name__}, not a "
            f"{kind_.base_name}; report this to the plugin's authors"
        )

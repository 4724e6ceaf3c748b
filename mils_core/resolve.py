"""Turn a config into component instances, explaining any name that is missing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mils_core.config import ComponentConfig, Config
from mils_core.errors import UnknownComponentError
from mils_core.kinds import KINDS, Kind
from mils_core.media_check import check_media
from mils_core.plugins import MilsPluginManager
from mils_core.registry import ComponentSpec
from mils_core.runinfo import Components


def component_spec(pm: MilsPluginManager, kind: str, name: str) -> ComponentSpec:
    """The registered component, with the failed plugins named when it is missing."""
    try:
        return pm.registry.get(kind, name)
    except UnknownComponentError as exc:
        if pm.failed:
            notes = " ".join(str(f.error) for f in pm.failed.values())
            raise UnknownComponentError(f"{exc} Note: {notes}") from exc
        raise


def task_defaults(kind: Kind, task: Any) -> tuple[ComponentConfig, ...]:
    """The components of ``kind`` the task uses when the config names none."""
    value = getattr(task, kind.task_default, None) if kind.task_default else None
    if value is None:
        return ()
    if isinstance(value, str):
        return (ComponentConfig(value),)
    return tuple(ComponentConfig(name, dict(options)) for name, options in value)


def role(kind: Kind, index: int) -> str:
    """The role name of a run's component: the kind's name, or ``stop.0``, ``stop.1``, ... for many."""
    return f"{kind.section}.{index}" if kind.many else kind.name


#: Kinds whose components hold models: worth sharing between runs of one process.
SHARED_KINDS = ("generator", "scorer", "renderer")


def resolve_components(config: Config, pm: MilsPluginManager, *, reuse: dict[str, Any] | None = None) -> Components:
    """Build every component of the run named by ``config`` (task defaults fill the gaps).

    :param reuse: components built for earlier runs of this process, by kind and
        :meth:`~mils_core.components.Component.cache_identity`; a generator, scorer or renderer
        with the same identity is taken from it (its model is loaded once), new ones are added.
    """
    task_spec = component_spec(pm, "task", config.run.task)
    task = task_spec.build(config.task_options)
    task.bind(pm.registry)
    built: dict[str, list[Any]] = {"task": [task]}
    specs: dict[str, ComponentSpec] = {"task": task_spec}
    for kind in KINDS:
        if not kind.in_run or kind.name == "task":
            continue
        selected = config.selected(kind.name) or task_defaults(kind, task)
        built[kind.name] = []
        for i, cfg in enumerate(selected):
            spec = component_spec(pm, kind.name, cfg.name)
            component = spec.build(cfg.options)
            if reuse is not None and kind.name in SHARED_KINDS:
                key = f"{kind.name}:{component.cache_identity()}"
                component = reuse.setdefault(key, component)
            component.bind(pm.registry)
            built[kind.name].append(component)
            specs[role(kind, i)] = spec
    components = Components(built, specs)
    names: Mapping[str, str] = {role: spec.name for role, spec in specs.items()}
    check_media(dict(names), components.task, components.scorer, components.renderer)
    return components

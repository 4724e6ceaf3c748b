"""Turn a config into component instances, explaining any name that is missing."""

from __future__ import annotations

from typing import Any

from mils_core.components import Generator, Scorer, StoppingRule, Task
from mils_core.config import ComponentConfig, Config
from mils_core.errors import ConfigError, UnknownComponentError
from mils_core.plugins import MilsPluginManager
from mils_core.registry import ComponentSpec
from mils_core.runinfo import Components


def _spec(pm: MilsPluginManager, kind: str, name: str) -> ComponentSpec:
    try:
        return pm.registry.get(kind, name)
    except UnknownComponentError as exc:
        if pm.failed:
            notes = " ".join(str(f.error) for f in pm.failed.values())
            raise UnknownComponentError(f"{exc} Note: {notes}") from exc
        raise


def _build(pm: MilsPluginManager, kind: str, selected: ComponentConfig, expected: type) -> tuple[Any, ComponentSpec]:
    spec = _spec(pm, kind, selected.name)
    component = spec.build(selected.options)
    if not isinstance(component, expected):
        raise ConfigError(
            f"{kind} {spec.name!r} from {spec.provenance} built a {type(component).__name__}, not a "
            f"{expected.__name__}; report this to the plugin's authors"
        )
    return component, spec


def resolve_components(config: Config, pm: MilsPluginManager) -> Components:
    """Build the task, generator, scorer and stopping rules named by ``config``."""
    task, task_spec = _build(pm, "task", ComponentConfig(config.run.task, config.task_options), Task)
    gen_cfg = config.generator or ComponentConfig(task.default_generator)
    scorer_cfg = config.scorer or ComponentConfig(task.default_scorer)
    generator, gen_spec = _build(pm, "generator", gen_cfg, Generator)
    scorer, scorer_spec = _build(pm, "scorer", scorer_cfg, Scorer)
    stop_cfgs = config.stop or (ComponentConfig("max-iterations", {"n": task.default_iterations}),)
    stop_rules: list[StoppingRule[Any]] = []
    specs = {"task": task_spec, "generator": gen_spec, "scorer": scorer_spec}
    for i, cfg in enumerate(stop_cfgs):
        rule, spec = _build(pm, "stopping-rule", cfg, StoppingRule)
        stop_rules.append(rule)
        specs[f"stop.{i}"] = spec
    return Components(task=task, generator=generator, scorer=scorer, stop_rules=stop_rules, specs=specs)

"""What observer hooks are told about a run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from mils_core.components import Generator, PoolSource, PromptStyle, Renderer, Scorer, StoppingRule, Task
from mils_core.config import Config
from mils_core.errors import ConfigError
from mils_core.registry import ComponentSpec


@attrs.define
class Components:
    """The components a run selected, built from the registry.

    :param by_kind: instances by kind name (``stopping-rule`` may hold several, ``renderer`` none).
    :param specs: the registry entry of each role (``generator``, ``stop.0``, ...).
    """

    by_kind: dict[str, list[Any]]
    specs: dict[str, ComponentSpec]

    def _one(self, kind: str) -> Any:
        found = self.by_kind.get(kind) or []
        if not found:
            from mils_core.kinds import kind as kind_of

            section = kind_of(kind).section
            raise ConfigError(f"the run has no {kind} and its task names no default; add a [{section}] table "
                              f"('mils list {kind_of(kind).plural}' shows them)")
        return found[0]

    @property
    def task(self) -> Task[Any]:
        """The run's task."""
        task: Task[Any] = self._one("task")
        return task

    @property
    def generator(self) -> Generator[Any]:
        """The run's generator."""
        generator: Generator[Any] = self._one("generator")
        return generator

    @property
    def scorer(self) -> Scorer[Any]:
        """The run's scorer."""
        scorer: Scorer[Any] = self._one("scorer")
        return scorer

    @property
    def prompt_style(self) -> PromptStyle[Any]:
        """The run's prompt style (prompt and reply parser)."""
        style: PromptStyle[Any] = self._one("prompt-style")
        return style

    @property
    def pool(self) -> PoolSource[Any]:
        """The run's initial pool."""
        pool: PoolSource[Any] = self._one("pool")
        return pool

    @property
    def renderer(self) -> Renderer[Any] | None:
        """The run's renderer, or None when candidates are scored as texts."""
        found = self.by_kind.get("renderer") or []
        return found[0] if found else None

    @property
    def stop_rules(self) -> list[StoppingRule[Any]]:
        """The run's stopping rules (any one firing stops a sample)."""
        return list(self.by_kind.get("stopping-rule", []))

    def provenance(self) -> dict[str, dict[str, str]]:
        """For each role, the component name and the distribution/version it came from."""
        return {
            role: {"name": spec.name, "distribution": spec.provenance.distribution, "version": spec.provenance.version}
            for role, spec in self.specs.items()
        }


@attrs.define
class RunInfo:
    """A run in progress: its config, folder and components."""

    config: Config
    output_dir: Path
    components: Components

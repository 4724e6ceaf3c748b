"""What observer hooks are told about a run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from mils_core.components import Generator, Scorer, StoppingRule, Task
from mils_core.config import Config
from mils_core.registry import ComponentSpec


@attrs.define
class Components:
    """The components a run selected, built from the registry."""

    task: Task[Any]
    generator: Generator[Any]
    scorer: Scorer[Any]
    stop_rules: list[StoppingRule[Any]]
    specs: dict[str, ComponentSpec]

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

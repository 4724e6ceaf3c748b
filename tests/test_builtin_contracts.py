"""The built-in components and the test kit's fakes pass the contracts plugins are held to."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from mils_core.components import Generation, Generator, Prompt, Scorer, Task
from mils_core.plugins import MilsPluginManager
from mils_core.testing.contracts import GeneratorContract, ScorerContract, TaskContract, echoes_shown, replies_n_new
from mils_core.testing.fakes import FakeGenerator


def build(pm: MilsPluginManager, kind: str, name: str, **options: Any) -> Any:
    return pm.registry.get(kind, name).build(options)


class TestMutateContract(GeneratorContract):
    @pytest.fixture
    def generator(self, mils_plugin_manager: MilsPluginManager) -> Generator[Any]:
        return build(mils_plugin_manager, "generator", "mutate")  # type: ignore[no-any-return]

    @pytest.fixture
    def reply_fits_prompt(self) -> Callable[[Prompt, Generation], bool]:
        return replies_n_new


class TestFakeGeneratorContract(GeneratorContract):
    @pytest.fixture
    def generator(self) -> Generator[Any]:
        return FakeGenerator()

    @pytest.fixture
    def reply_fits_prompt(self) -> Callable[[Prompt, Generation], bool]:
        return echoes_shown


class TestTextTargetContract(TaskContract):
    @pytest.fixture
    def task(self, mils_plugin_manager: MilsPluginManager) -> Task[Any]:
        return build(mils_plugin_manager, "task", "text-target", pool_size=200)  # type: ignore[no-any-return]

    @pytest.fixture
    def sample_source(self) -> Any:
        return ["a dog runs on the beach", "two cats sleep on a red sofa"]


class TestWordOverlapContract(ScorerContract):
    @pytest.fixture
    def scorer(self, mils_plugin_manager: MilsPluginManager) -> Scorer[Any]:
        return build(mils_plugin_manager, "scorer", "word-overlap")  # type: ignore[no-any-return]

    @pytest.fixture
    def targets(self) -> list[Any]:
        return ["a dog on a beach", "a city street at night"]

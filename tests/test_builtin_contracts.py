"""The built-in components and the test kit's fakes pass the contracts plugins are held to."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from mils_core.components import Generation, Generator, Prompt, Scorer, Task
from mils_core.plugins import MilsPluginManager
from mils_core.testing.contracts import (
    GeneratorContract,
    PoolContract,
    PromptStyleContract,
    RendererContract,
    ScorerContract,
    TaskContract,
    echoes_shown,
    replies_n_new,
)
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


class TestGuessListContract(PromptStyleContract):
    @pytest.fixture
    def prompt_style(self, mils_plugin_manager: MilsPluginManager) -> Any:
        return build(mils_plugin_manager, "prompt-style", "guess-list")


class TestGenericPoolContract(PoolContract):
    @pytest.fixture
    def pool(self, mils_plugin_manager: MilsPluginManager) -> Any:
        return build(mils_plugin_manager, "pool", "generic-pool", size=300)


class TestPoolFileContract(PoolContract):
    @pytest.fixture
    def pool(self, mils_plugin_manager: MilsPluginManager, tmp_path: Any) -> Any:
        path = tmp_path / "pool.txt"
        path.write_text("a dog on a beach\n\na cat on a sofa\na dog on a beach\na red car\n")
        return build(mils_plugin_manager, "pool", "pool-file", path=str(path))


class TestFakeRendererContract(RendererContract):
    @pytest.fixture
    def renderer(self) -> Any:
        from mils_core.testing.render_fakes import FakeRenderer

        return FakeRenderer()


class TestFakeEditorContract(RendererContract):
    @pytest.fixture
    def renderer(self) -> Any:
        from mils_core.testing.render_fakes import FakeEditor

        return FakeEditor()

    @pytest.fixture
    def condition(self) -> Any:
        return "a small wooden house"


class TestWordOverlapContract(ScorerContract):
    @pytest.fixture
    def scorer(self, mils_plugin_manager: MilsPluginManager) -> Scorer[Any]:
        return build(mils_plugin_manager, "scorer", "word-overlap")  # type: ignore[no-any-return]

    @pytest.fixture
    def targets(self) -> list[Any]:
        return ["a dog on a beach", "a city street at night"]


class TestMergeContract(TaskContract):
    @pytest.fixture
    def task(self, mils_plugin_manager: MilsPluginManager) -> Task[Any]:
        return build(mils_plugin_manager, "task", "merge")  # type: ignore[no-any-return]

    @pytest.fixture
    def sample_source(self) -> Any:
        return [["a photo of a dog", "rain falling"], ["an old bell", "a snowy town"]]


class TestMergeListContract(PromptStyleContract):
    @pytest.fixture
    def prompt_style(self, mils_plugin_manager: MilsPluginManager) -> Any:
        return build(mils_plugin_manager, "prompt-style", "merge-list")


class TestMergeCoverageContract(ScorerContract):
    @pytest.fixture
    def scorer(self, mils_plugin_manager: MilsPluginManager) -> Scorer[Any]:
        return build(mils_plugin_manager, "scorer", "merge-coverage")  # type: ignore[no-any-return]

    @pytest.fixture
    def targets(self) -> list[Any]:
        return [("a photo of a dog", "rain falling"), ("an old bell", "a snowy town")]

"""Every built-in stopping rule."""

from __future__ import annotations

from typing import Any

import pytest

from mils_core.builtin.stopping import MaxIterations, Plateau, TargetScore, TimeBudget
from mils_core.components import SampleProgress, StoppingRule
from mils_core.plugins import MilsPluginManager
from mils_core.testing.contracts import StoppingRuleContract


def build(pm: MilsPluginManager, name: str, **options: Any) -> StoppingRule[Any]:
    rule = pm.registry.get("stopping-rule", name).build(options)
    assert isinstance(rule, StoppingRule)
    return rule


class TestMaxIterationsContract(StoppingRuleContract):
    @pytest.fixture
    def rule(self, mils_plugin_manager: MilsPluginManager) -> StoppingRule[Any]:
        return build(mils_plugin_manager, "max-iterations", n=4)


class TestPlateauContract(StoppingRuleContract):
    @pytest.fixture
    def rule(self, mils_plugin_manager: MilsPluginManager) -> StoppingRule[Any]:
        return build(mils_plugin_manager, "plateau", patience=2, min_delta=0.01)


class TestTargetScoreContract(StoppingRuleContract):
    @pytest.fixture
    def rule(self, mils_plugin_manager: MilsPluginManager) -> StoppingRule[Any]:
        return build(mils_plugin_manager, "target-score", score=0.9)

    @pytest.fixture
    def mirror_center(self) -> float:
        return 0.9

    @pytest.fixture
    def stall_score(self) -> float:
        return 0.9


class TestTimeBudgetContract(StoppingRuleContract):
    @pytest.fixture
    def rule(self, mils_plugin_manager: MilsPluginManager) -> StoppingRule[Any]:
        return build(mils_plugin_manager, "time-budget", seconds=5)


def p(iteration: int, history: list[float], elapsed: float = 0.0, higher: bool = True) -> SampleProgress:
    return SampleProgress(iteration, tuple(history), elapsed, higher)


def test_max_iterations() -> None:
    rule = MaxIterations(MaxIterations.Options(n=3))
    assert not rule.should_stop(p(2, [0.1, 0.2, 0.3]))
    assert rule.should_stop(p(3, [0.1, 0.2, 0.3, 0.4]))


def test_plateau_higher_and_lower_is_better() -> None:
    rule = Plateau(Plateau.Options(patience=2, min_delta=0.01))
    assert not rule.should_stop(p(1, [0.1, 0.2]))
    assert not rule.should_stop(p(2, [0.1, 0.2, 0.25]))
    assert rule.should_stop(p(3, [0.1, 0.2, 0.205, 0.209]))
    assert not rule.should_stop(p(3, [5.0, 4.0, 3.0, 2.0], higher=False))
    assert rule.should_stop(p(3, [5.0, 2.0, 2.0, 2.0], higher=False))


def test_target_score() -> None:
    rule = TargetScore(TargetScore.Options(score=0.9))
    assert not rule.should_stop(p(1, [0.5, 0.89]))
    assert rule.should_stop(p(1, [0.5, 0.9]))
    assert rule.should_stop(p(1, [2.0, 1.5], higher=False)) is False
    loss = TargetScore(TargetScore.Options(score=1.0))
    assert loss.should_stop(p(1, [2.0, 0.5], higher=False))


def test_time_budget() -> None:
    rule = TimeBudget(TimeBudget.Options(seconds=5))
    assert not rule.should_stop(p(0, [0.1], elapsed=10))  # always run at least one iteration
    assert not rule.should_stop(p(2, [0.1], elapsed=4.9))
    assert rule.should_stop(p(2, [0.1], elapsed=5.1))


def test_invalid_options_rejected(mils_plugin_manager) -> None:  # type: ignore[no-untyped-def]
    from mils_core.errors import ConfigError

    spec = mils_plugin_manager.registry.get("stopping-rule", "time-budget")
    with pytest.raises(ConfigError, match="seconds"):
        spec.build({"seconds": -1})
    with pytest.raises(ConfigError, match="must be a number"):
        spec.build({"seconds": "soon"})


def test_third_party_rule_registered_by_hook(tmp_path, mils_register, mils_run) -> None:  # type: ignore[no-untyped-def]
    from core_helpers import demo_config
    from mils_core.hookspecs import hookimpl

    class AtOne(StoppingRule):  # type: ignore[type-arg]
        def should_stop(self, progress: SampleProgress) -> bool:
            return progress.iteration >= 1

    class Plugin:
        @hookimpl
        def mils_register_stopping_rules(self, register):  # type: ignore[no-untyped-def]
            register("at-one", AtOne)

    mils_register(Plugin())
    records = mils_run(demo_config(tmp_path, n=2, stop=[{"name": "at-one"}]))
    assert [r["iterations"] for r in records] == [1, 1]
    assert records[0]["stop_reason"] == "AtOne"

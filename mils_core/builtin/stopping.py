"""Built-in stopping rules. Any rule that fires stops a sample; rules compose by listing them."""

from __future__ import annotations

import math

import attrs

from mils_core.components import SampleProgress, StoppingRule


@attrs.frozen
class MaxIterationsOptions:
    """Stop after ``n`` iterations."""

    n: int = attrs.field(default=10, validator=attrs.validators.ge(0))


class MaxIterations(StoppingRule[MaxIterationsOptions]):
    """Stop after a fixed number of iterations."""

    Options = MaxIterationsOptions

    def should_stop(self, progress: SampleProgress) -> bool:
        return progress.iteration >= self.options.n


@attrs.frozen
class PlateauOptions:
    """Stop when the best score improved by less than ``min_delta`` over ``patience`` iterations."""

    patience: int = attrs.field(default=3, validator=attrs.validators.ge(1))
    min_delta: float = attrs.field(default=1e-4, validator=attrs.validators.ge(0.0))


class Plateau(StoppingRule[PlateauOptions]):
    """Stop once the search has stopped improving."""

    Options = PlateauOptions

    def should_stop(self, progress: SampleProgress) -> bool:
        history = [h for h in progress.history if math.isfinite(h)]
        p = self.options.patience
        if len(history) <= p:
            return False
        before, now = history[-p - 1], history[-1]
        gain = (now - before) if progress.higher_is_better else (before - now)
        return gain < self.options.min_delta


@attrs.frozen
class TargetScoreOptions:
    """Stop once the best score reaches ``score`` (at or above; at or below for losses)."""

    score: float


class TargetScore(StoppingRule[TargetScoreOptions]):
    """Stop once the best score is good enough."""

    Options = TargetScoreOptions

    def should_stop(self, progress: SampleProgress) -> bool:
        if not progress.history or not math.isfinite(progress.history[-1]):
            return False
        best = progress.history[-1]
        return best >= self.options.score if progress.higher_is_better else best <= self.options.score


@attrs.frozen
class TimeBudgetOptions:
    """Stop a sample after ``seconds`` of wall time (checked between iterations)."""

    seconds: float = attrs.field(validator=attrs.validators.gt(0.0))


class TimeBudget(StoppingRule[TimeBudgetOptions]):
    """Stop a sample once its wall-time budget is spent."""

    Options = TimeBudgetOptions

    def should_stop(self, progress: SampleProgress) -> bool:
        return progress.iteration > 0 and progress.elapsed_s >= self.options.seconds

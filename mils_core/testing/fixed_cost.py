"""Components of a fixed, known cost, registered when this module is registered as a plugin.

For scale-out tests and benchmarks (``[ray] plugins = ["mils_core.testing.fixed_cost"]``): the
``fixed-cost`` generator answers like ``mutate`` after sleeping a set time per prompt, the
``fixed-cost`` scorer embeds like the test kit's hashing scorer after sleeping a set time per
text, so a run's work is known and scaling figures measure the executor, not a model.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np

from mils_core.builtin.mutate import Mutate, MutateOptions
from mils_core.components import Generation, Prompt
from mils_core.hookspecs import hookimpl
from mils_core.registry import RegisterFn
from mils_core.testing.fakes import FakeScorer, FakeScorerOptions


@attrs.frozen
class FixedCostGeneratorOptions(MutateOptions):
    """``mutate``'s options plus the seconds each prompt costs."""

    seconds_per_prompt: float = attrs.field(default=0.0, validator=attrs.validators.ge(0.0))


class FixedCostGenerator(Mutate):
    """``mutate`` that takes ``seconds_per_prompt`` per prompt (a stand-in for an LLM's decode time)."""

    Options = FixedCostGeneratorOptions  # type: ignore[assignment]

    def generate(self, prompts: Sequence[Prompt]) -> list[Generation]:
        time.sleep(float(getattr(self.options, "seconds_per_prompt", 0.0)) * len(prompts))
        return super().generate(prompts)


@attrs.frozen
class FixedCostScorerOptions(FakeScorerOptions):
    """The hashing scorer's options plus the seconds each text encode costs."""

    seconds_per_text: float = attrs.field(default=0.0, validator=attrs.validators.ge(0.0))


class FixedCostScorer(FakeScorer):
    """Hash embeddings that take ``seconds_per_text`` per text (a stand-in for a text tower)."""

    Options = FixedCostScorerOptions  # type: ignore[assignment]

    def encode_text_batch(self, texts: list[str]) -> np.ndarray:
        time.sleep(float(getattr(self.options, "seconds_per_text", 0.0)) * len(texts))
        return super().encode_text_batch(texts)

    def encode_target_batch(self, targets: list[Any]) -> np.ndarray:
        return super().encode_target_batch(targets)


@hookimpl
def mils_register_generators(register: RegisterFn) -> None:
    register("fixed-cost", FixedCostGenerator, options=FixedCostGeneratorOptions,
             description="mutate with a fixed sleep per prompt (benchmarks)")


@hookimpl
def mils_register_scorers(register: RegisterFn) -> None:
    register("fixed-cost", FixedCostScorer, options=FixedCostScorerOptions,
             description="hash embeddings with a fixed sleep per text (benchmarks)")

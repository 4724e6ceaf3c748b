"""Random-weight models at named shapes: fixed token budgets and synthetic candidate lines."""

from __future__ import annotations

import pytest

from mils_core.errors import ConfigError
from mils_core.parsing import parse_candidates
from mils_core.testing.contracts import make_prompt
from mils_llm.hf import TransformersGenerator
from mils_llm.options import TransformersOptions


def test_random_tiny_generates_to_the_budget_and_synthetic_lines() -> None:
    gen = TransformersGenerator(TransformersOptions(random_weights=True, random_shape="tiny", max_new_tokens=24,
                                                    device="cpu", batch_size=4))
    out = gen.generate([make_prompt(3, seed=1), make_prompt(5, seed=2)])
    assert [g.completion_tokens for g in out] == [24, 24]  # end-of-sequence ignored
    assert all(g.prompt_tokens > 50 for g in out)  # a real (trained) tokenizer, realistic counts
    assert [len(parse_candidates(g.text)) for g in out] == [3, 5]


def test_unknown_shape() -> None:
    gen = TransformersGenerator(TransformersOptions(random_weights=True, random_shape="llama-9000", device="cpu"))
    with pytest.raises(ConfigError, match="random_shape 'llama-9000' is unknown"):
        gen.ensure_loaded()

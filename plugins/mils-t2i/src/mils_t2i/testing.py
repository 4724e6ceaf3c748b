"""Model-free helpers for testing and benchmarking ``t2i-enhancement`` with tiny pipelines.

* :class:`BrightnessScorer` (``t2i-brightness``) scores rendered images by their mean
  brightness (a known property; the target prompt is ignored), NaN for non-finite renders.
* :class:`RewriteGenerator` (``t2i-rewriter``) proposes rewrites of the shown prompts: each
  keeps the prompt and adds words from a small list of visual details, chosen by the prompt's seed.

Register them with :data:`t2i_test_plugin` (``mils_register`` or ``make_plugin_manager(plugins=[...])``).
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np

from mils_core.components import Generation, Generator, Prompt, Score, Scorer
from mils_core.hookspecs import hookimpl
from mils_core.registry import RegisterFn

DETAILS = ("bright daylight", "white background", "soft light", "night scene", "dark shadows", "snow", "golden hour",
           "studio lighting", "pastel colours", "high contrast", "foggy", "sunlit", "black and white", "neon glow",
           "minimalist", "detailed", "wide angle", "close-up", "oil painting", "watercolour")


def brightness(artifact: Any) -> float:
    """Mean brightness in [0, 1] of a PIL image or a float array (NaN if it has non-finite pixels)."""
    array = np.asarray(artifact, dtype=np.float32)
    if not np.all(np.isfinite(array)):
        return float("nan")
    return float(array.mean() / (255.0 if array.max(initial=0.0) > 1.0 else 1.0))


class BrightnessScorer(Scorer[Any]):
    """Scores images by mean brightness (the prompt target is only counted)."""

    target_media = ("text",)
    candidate_media = ("image",)

    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self.scored = 0
        self.seconds = 0.0

    def prepare_targets(self, targets: Sequence[Any]) -> list[Any]:
        return [str(t) for t in targets]

    def score(self, handles: Sequence[Any], texts: Sequence[Sequence[Any]]) -> list[list[Score]]:
        t0 = time.perf_counter()
        out: list[list[Score]] = [[brightness(a) for a in group] for group in texts]
        self.scored += sum(len(g) for g in texts)
        self.seconds += time.perf_counter() - t0
        return out

    def stats(self) -> dict[str, int]:
        return {"images_scored": self.scored}


@attrs.frozen
class RewriteOptions:
    """Options of ``t2i-rewriter``: ``details`` words added per rewrite."""

    details: int = attrs.field(default=2, validator=attrs.validators.ge(1))


class RewriteGenerator(Generator[RewriteOptions]):
    """Rewrites the best shown prompts by adding visual details (deterministic per prompt seed)."""

    Options = RewriteOptions

    def __init__(self, options: RewriteOptions | None = None) -> None:
        super().__init__(options)
        self.prompts = 0

    def generate(self, prompts: Sequence[Prompt]) -> list[Generation]:
        out = []
        for prompt in prompts:
            self.prompts += 1
            rng = random.Random(prompt.seed)
            bases = [s.text for s in prompt.shown] or ["a picture"]
            lines = []
            for i in range(prompt.n_new):
                base = bases[min(i % 3, len(bases) - 1)]
                extra = ", ".join(rng.sample(DETAILS, self.options.details))
                lines.append(f"{i + 1}. {base}, {extra}")
            reply = "\n".join(lines)
            out.append(Generation(reply, prompt_tokens=len(prompt.messages[-1].content.split()),
                                  completion_tokens=len(reply.split()), seconds=0.0))
        return out


class _Plugin:
    @hookimpl
    def mils_register_scorers(self, register: RegisterFn) -> None:
        register("t2i-brightness", BrightnessScorer, description="mean brightness of rendered images (tests)")

    @hookimpl
    def mils_register_generators(self, register: RegisterFn) -> None:
        register("t2i-rewriter", RewriteGenerator, options=RewriteOptions,
                 description="adds visual details to the best prompts (tests)")


#: A plugin object registering the helpers above.
t2i_test_plugin = _Plugin()

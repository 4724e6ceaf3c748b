"""The ``style-transfer`` task: edit instructions for a content image, scored against a style image.

A sample is a (content image, style image) pair (:mod:`mils_style.pair`). The LLM proposes edit
instructions; a renderer conditioned on the pair (``instruct-pix2pix``, or the offline
``image-ops`` editor) applies each to the content image; the ``gram-style`` scorer gives two
losses, style and content, both minimised. The prompt (``style-edits``) shows both losses per
instruction and says that lower is better. The initial pool (``style-edit-pool``) is 520 short
edit instructions built by ``scripts/build_edit_pool.py``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

import attrs

from mils_core.components import Message, Prompt, PromptStyle, Sample, ScoredText, Task
from mils_core.pools import ShippedPool, packaged_pool
from mils_style.pair import load_pair, pair_samples
from mils_style.presets import PRESETS, WEIGHTS

__all__ = ["StyleEditPool", "StyleEdits", "StyleTransfer", "StyleTransferOptions", "builtin_pool"]


def builtin_pool() -> tuple[str, ...]:
    """The shipped edit instructions (see ``scripts/build_edit_pool.py``)."""
    return packaged_pool("mils_style", "data/edit_pool.txt")


@attrs.frozen
class StyleTransferOptions:
    """Options of the ``style-transfer`` task."""

    pool: str = "builtin"
    pool_size: int | None = attrs.field(default=None, validator=attrs.validators.optional(attrs.validators.ge(1)))
    #: Both images are downscaled so their longer side is at most this when read.
    max_side: int = attrs.field(default=512, validator=attrs.validators.ge(16))
    #: Smaller images (either side) fail their sample.
    min_side: int = attrs.field(default=16, validator=attrs.validators.ge(1))
    max_words: int = attrs.field(default=25, validator=attrs.validators.ge(3))


class StyleTransfer(Task[StyleTransferOptions]):
    """Find the edit instruction that moves a content image closest to a style image's look."""

    Options = StyleTransferOptions
    target_media: ClassVar[str] = "style-pair"
    default_generator: ClassVar[str] = "transformers"
    default_scorer: ClassVar[str] = "gram-style"
    default_renderer: ClassVar[str | None] = "instruct-pix2pix"
    default_weights: ClassVar[tuple[float, ...] | None] = WEIGHTS
    presets = PRESETS
    default_iterations: ClassVar[int] = 20
    default_n_new: ClassVar[int] = 100
    default_top_k: ClassVar[int] = 100

    @property
    def default_prompt(self) -> tuple[tuple[str, dict[str, Any]], ...]:
        return (("style-edits", {"max_words": self.options.max_words}),)

    @property
    def default_pool(self) -> tuple[tuple[str, dict[str, Any]], ...]:
        return (("style-edit-pool", {"path": self.options.pool, "size": self.options.pool_size}),)

    def samples(self, source: Any) -> Iterator[Sample]:
        return iter(pair_samples(source))

    def load_target(self, sample: Sample) -> Any:
        return load_pair(sample, max_side=self.options.max_side, min_side=self.options.min_side)


SYSTEM = ("You write short instructions for an image-editing model. You answer with a numbered list of "
          "instructions and nothing else.")
INSTRUCTIONS = (
    "An image-editing model applied each instruction below to a content photo. Each result was compared "
    "with a style image and given two losses, lower is better: style (how far its colours and textures are "
    "from the style image's) and content (how far it drifted from the photo's content). Best first:\n"
    "{lines}\n\n"
    "Write {n} new edit instructions that should get lower losses, above all a lower style loss without a "
    "much higher content loss. Start from the best ones: keep what works, combine ideas from several, change "
    "one detail (medium, palette, texture, lighting, movement). Each is one short imperative sentence of at "
    "most {max_words} words.\nAnswer with lines numbered 1 to {n}."
)
EXAMPLE_LINES = ("style 1.20, content 0.40: make it a watercolor painting\n"
                 "style 1.35, content 0.30: use a palette of warm ochre and sienna\n"
                 "style 1.60, content 0.90: turn it into cubism")
EXAMPLE_REPLY = ("1. make it a watercolor painting in warm ochre and sienna\n"
                 "2. paint it in watercolor with loose wet washes\n"
                 "3. make it a watercolor with soft blended edges\n"
                 "4. recolor it with warm ochre and add visible canvas weave")


@attrs.frozen
class StyleEditsOptions:
    """Options of ``style-edits``: the longest instruction asked for (longer replies are dropped)."""

    max_words: int = attrs.field(default=25, validator=attrs.validators.ge(3))


class StyleEdits(PromptStyle[StyleEditsOptions]):
    """Edit instructions with their style and content losses (lower is better), and a request for better ones."""

    Options = StyleEditsOptions
    pool_subject = "image edits that change an image's artistic style (media, movements, palettes, textures, lighting)"

    def build(self, sample: Sample, shown: Sequence[ScoredText], n_new: int, seed: int) -> Prompt:
        lines = "\n".join(f"{s.label(3)}: {s.text}" for s in shown)
        user = INSTRUCTIONS.format(lines=lines, n=n_new, max_words=self.options.max_words)
        example = INSTRUCTIONS.format(lines=EXAMPLE_LINES, n=4, max_words=self.options.max_words)
        messages = (Message("system", SYSTEM), Message("user", example), Message("assistant", EXAMPLE_REPLY),
                    Message("user", user))
        return Prompt(messages, tuple(shown), n_new, seed)

    def parse(self, reply: str) -> list[str]:
        from mils_core.parsing import parse_candidates

        return parse_candidates(reply, max_words=self.options.max_words + 10, min_words=2)


class StyleEditPool(ShippedPool):
    """Short style-edit instructions: the shipped pool or a file of one instruction per line."""

    package = "mils_style"
    resource = "data/edit_pool.txt"
    owner = "style-edit-pool"

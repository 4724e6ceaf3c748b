"""The ``image-captioning`` task: describe an image with text only an image scorer can check."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from mils_core.components import Message, Prompt, PromptStyle, Sample, ScoredText, Task
from mils_core.media.files import media_samples
from mils_core.media.image import DEFAULT_MAX_SIDE, IMAGE_SUFFIXES, load_image
from mils_core.pools import ShippedPool, packaged_pool
from mils_image.presets import PRESETS

__all__ = ["IMAGE_SUFFIXES", "CaptionList", "ImageCaptioning", "ImageCaptioningOptions", "ImagePool", "builtin_pool",
           "image_samples"]

SYSTEM = "You write short, concrete image captions. You answer with a numbered list and nothing else."
INSTRUCTIONS = (
    "An image-matching model rated these captions of one photo. Higher scores mean a closer match:\n"
    "{lines}\n\n"
    "Write {n} new captions for the same photo that should score higher. Start from the best ones: keep "
    "what they agree on, merge details from several, drop words that may be wrong, and add one likely detail. "
    "Each caption is one plain sentence of at most {max_words} words.\n"
    "Answer with lines numbered 1 to {n}."
)
#: A worked example turn shown before the real request. Small instruction-tuned models copy its
#: shape (new merged captions, one per numbered line) instead of echoing the rated list.
EXAMPLE_LINES = (
    "0.3120: a kitchen with a window\n0.2984: a wooden table with bowls of fruit\n"
    "0.2871: a sunny room in a house\n0.2650: a bowl of apples"
)
EXAMPLE_REPLY = (
    "1. a sunny kitchen with a wooden table\n2. bowls of fruit on a wooden kitchen table\n"
    "3. a bowl of apples on a table by a window\n4. a sunny kitchen with bowls of fruit by the window"
)


def builtin_pool() -> tuple[str, ...]:
    """The shipped pool of generic image descriptions (see scripts/build_image_pool.py)."""
    return packaged_pool("mils_image", "data/image_pool.txt")




@attrs.frozen
class ImageCaptioningOptions:
    """Options of the ``image-captioning`` task."""

    pool: str = "builtin"
    pool_size: int | None = attrs.field(default=None, validator=attrs.validators.optional(attrs.validators.ge(1)))
    max_words: int = attrs.field(default=20, validator=attrs.validators.ge(3))
    max_side: int = attrs.field(default=DEFAULT_MAX_SIDE, validator=attrs.validators.ge(32))








def image_samples(source: Any) -> list[Sample]:
    """Samples from a folder, a glob, one file, a list of paths, or a CSV/JSONL manifest (id, path)."""
    return media_samples(source, IMAGE_SUFFIXES, task="image-captioning", what="images")


class ImageCaptioning(Task[ImageCaptioningOptions]):
    """Caption images: an LLM proposes captions, an image-text scorer ranks them."""

    Options = ImageCaptioningOptions
    default_generator = "transformers"
    default_scorer = "open-clip"
    target_media = "image"
    presets = PRESETS
    file_suffixes = IMAGE_SUFFIXES

    default_iterations = 10
    default_n_new = 50
    default_top_k = 50

    @classmethod
    def examples(cls) -> list[Path]:
        """The CC0 example images bundled in the package (``mils_image/data/examples``)."""
        folder = Path(str(resources.files("mils_image") / "data" / "examples"))
        return sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)

    @property
    def default_prompt(self) -> tuple[tuple[str, dict[str, Any]], ...]:
        return (("caption-list", {"max_words": self.options.max_words}),)

    @property
    def default_pool(self) -> tuple[tuple[str, dict[str, Any]], ...]:
        return (("image-pool", {"path": self.options.pool, "size": self.options.pool_size}),)

    def samples(self, source: Any) -> Iterator[Sample]:
        return iter(image_samples(source))

    def load_target(self, sample: Sample) -> Any:
        return load_image(sample.source, max_side=self.options.max_side)


@attrs.frozen
class CaptionListOptions:
    """Options of ``caption-list``: the longest caption asked for (longer replies are dropped)."""

    max_words: int = attrs.field(default=20, validator=attrs.validators.ge(3))


class CaptionList(PromptStyle[CaptionListOptions]):
    """Rated captions of one photo, best first, and a request for merged, better ones."""

    Options = CaptionListOptions
    pool_subject = "photos and pictures (people, animals, food, objects, places, art)"

    def build(self, sample: Sample, shown: Sequence[ScoredText], n_new: int, seed: int) -> Prompt:
        lines = "\n".join(f"{s.label(4)}: {s.text}" for s in shown)
        user = INSTRUCTIONS.format(lines=lines, n=n_new, max_words=self.options.max_words)
        example = INSTRUCTIONS.format(lines=EXAMPLE_LINES, n=4, max_words=self.options.max_words)
        messages = (
            Message("system", SYSTEM),
            Message("user", example),
            Message("assistant", EXAMPLE_REPLY),
            Message("user", user),
        )
        return Prompt(messages, tuple(shown), n_new, seed)

    def parse(self, reply: str) -> list[str]:
        from mils_core.parsing import parse_candidates

        return parse_candidates(reply, max_words=self.options.max_words + 10, min_words=2)

    def degenerate(self, text: str) -> str | None:
        from mils_core.parsing import CAPTION_ECHO_WORDS, degenerate_caption

        return degenerate_caption(text, CAPTION_ECHO_WORDS)


class ImagePool(ShippedPool):
    """Generic image descriptions: the shipped pool or a file of one description per line."""

    package = "mils_image"
    resource = "data/image_pool.txt"
    owner = "image-captioning"

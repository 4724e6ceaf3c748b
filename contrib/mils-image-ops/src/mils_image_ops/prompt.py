"""The ``image-ops`` prompt style: teaches the LLM the image-operations language and asks for better instructions.

Replies are read leniently: from each listed line, every known operation name (with its
parenthesised arguments, if any) is kept, in order, and the result is re-spelled canonically
(``Blur (2.0) and then HUE(+20)`` -> ``blur(2); hue(20)``); a line naming no operation is
dropped. So the texts that reach the renderer are always in the language.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

import attrs

from mils_core import validators as v
from mils_core.components import Message, Prompt, PromptStyle, Sample, ScoredText
from mils_image_ops.language import MAX_OPS, OPERATIONS, InstructionError, describe_language, normalise

__all__ = ["ImageOpsPrompt", "ImageOpsPromptOptions", "extract_instruction"]

_NAMES = "|".join(sorted(OPERATIONS, key=len, reverse=True))
_FIND = re.compile(rf"\b({_NAMES})\b\s*(\([^()]*\))?", re.IGNORECASE)

SYSTEM = (
    "You edit images by writing instructions in a small language of image operations. An instruction is "
    "one or more operations separated by ';', applied left to right, each written name or name(number):\n"
    "{language}\n"
    "Use one to {max_ops} operations per instruction. You answer with a numbered list of instructions and nothing else."
)
TASK_TEXT = (
    "Each instruction below was applied to a content photo and the result compared with a style image. "
    "The numbers are {what}; {better} is better; best first.\n{lines}\n\n"
    "Write {n} new instructions that should score {goal}. Start from the best ones: change their numbers, "
    "add, remove or reorder operations, combine parts of several.\n"
    "Answer with lines numbered 1 to {n}."
)
EXAMPLE_LINES = ("style 2.10, content 0.40: posterize(4)\nstyle 1.80, content 0.55: transfer(0.6); blur(1)\n"
                 "style 1.50, content 0.70: palette(8)")
EXAMPLE_REPLY = ("1. palette(8); blur(1)\n2. transfer(0.9); posterize(4)\n3. palette(12); texture(0.4)\n"
                 "4. transfer(0.8); palette(8); sharpen(1)")


def extract_instruction(line: str, max_ops: int = MAX_OPS) -> str | None:
    """The canonical instruction of the (first ``max_ops``) operations a line names, or None if it names none
    (or only invalid ones)."""
    found = [m.group(1).lower() + (m.group(2) or "") for m in _FIND.finditer(line)]
    if not found:
        return None
    try:
        return normalise("; ".join(found[:max_ops]))
    except InstructionError:
        return None


@attrs.frozen
class ImageOpsPromptOptions:
    """Options of the ``image-ops`` prompt style."""

    #: How the shown scores are oriented ("lower" for losses such as gram-style's).
    better: Literal["lower", "higher"] = attrs.field(default="lower", validator=v.one_of(("lower", "higher")))
    #: What the numbers are, for the prompt.
    #: Describe the language briefly (``name(low..high)`` only): shorter prompts for small, slow models.
    compact: bool = False
    #: The most operations kept per instruction (later ones in a reply line are dropped).
    max_ops: int = attrs.field(default=3, validator=attrs.validators.and_(v.positive_int, attrs.validators.le(MAX_OPS)))
    what: str = "losses (style: distance to the style image's colours and textures; content: drift from the photo)"


class ImageOpsPrompt(PromptStyle[ImageOpsPromptOptions]):
    """Scored image-ops instructions, the language, and a request for better ones."""

    Options = ImageOpsPromptOptions
    pool_subject = "image edits written in the image-ops language"

    def _user(self, lines: str, n: int) -> str:
        lower = self.options.better == "lower"
        return TASK_TEXT.format(what=self.options.what, better=self.options.better, lines=lines, n=n,
                                goal="lower" if lower else "higher")

    def build(self, sample: Sample, shown: Sequence[ScoredText], n_new: int, seed: int) -> Prompt:
        lines = "\n".join(f"{s.label(3)}: {s.text}" for s in shown)
        messages = (
            Message("system", SYSTEM.format(language=describe_language(self.options.compact), max_ops=self.options.max_ops)),
            Message("user", self._user(EXAMPLE_LINES, 4)),
            Message("assistant", EXAMPLE_REPLY),
            Message("user", self._user(lines, n_new)),
        )
        return Prompt(messages, tuple(shown), n_new, seed)

    def parse(self, reply: str) -> list[str]:
        from mils_core.parsing import parse_candidates

        out: list[str] = []
        for line in parse_candidates(reply, max_words=60):
            instruction = extract_instruction(line, self.options.max_ops)
            if instruction is not None and instruction not in out:
                out.append(instruction)
        return out

    def pool_prompt(self, n: int, seed: int) -> Prompt:
        user = (f"Write {n} varied instructions in this image-operations language (operations separated by ';'):\n"
                f"{describe_language()}\nAnswer with lines numbered 1 to {n}.")
        system = SYSTEM.format(language=describe_language(self.options.compact), max_ops=self.options.max_ops)
        return Prompt((Message("system", system), Message("user", user)), (), n, seed)

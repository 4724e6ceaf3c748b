"""The ``mutate`` generator: deterministic, seeded word edits of the texts it is shown.

It needs no model, so the loop can be run and tested anywhere. It reads the structured
part of the prompt (``Prompt.shown`` and ``Prompt.n_new``) and answers as an LLM would:
a numbered list of new texts.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence

import attrs

from mils_core.builtin.vocabulary import WORDS
from mils_core.components import Generation, Generator, Prompt


@attrs.frozen
class MutateOptions:
    """Options of the ``mutate`` generator."""

    max_edits: int = attrs.field(default=2, validator=attrs.validators.ge(1))
    max_words: int = attrs.field(default=15, validator=attrs.validators.ge(1))
    vocabulary: list[str] = attrs.field(factory=list)


class Mutate(Generator[MutateOptions]):
    """Proposes edits (swap, insert, delete, crossover) of the shown texts; no model."""

    Options = MutateOptions

    def _vocab(self, prompt: Prompt) -> list[str]:
        shown_words = sorted({w for s in prompt.shown for w in s.text.split()})
        return shown_words + list(self.options.vocabulary or WORDS)

    def _edit(self, words: list[str], other: list[str], vocab: Sequence[str], rng: random.Random) -> list[str]:
        op = rng.choice(("swap", "insert", "delete", "cross"))
        out = list(words)
        if op == "swap" and out:
            out[rng.randrange(len(out))] = rng.choice(vocab)
        elif op == "insert" and len(out) < self.options.max_words:
            out.insert(rng.randrange(len(out) + 1), rng.choice(vocab))
        elif op == "delete" and len(out) > 1:
            del out[rng.randrange(len(out))]
        elif op == "cross" and other:
            cut_a, cut_b = rng.randrange(len(out) + 1), rng.randrange(len(other) + 1)
            out = out[:cut_a] + other[cut_b:]
        return out[: self.options.max_words] or list(words)

    def reply(self, prompt: Prompt) -> str:
        """The numbered list this generator answers ``prompt`` with."""
        rng = random.Random(prompt.seed)
        parents = [s.text.split() for s in prompt.shown] or [[rng.choice(WORDS)]]
        weights = [1.0 / (rank + 1) for rank in range(len(parents))]  # favour the best texts
        vocab = self._vocab(prompt)
        lines: list[str] = []
        seen: set[str] = set()
        tries = 0
        while len(lines) < prompt.n_new and tries < prompt.n_new * 20:
            tries += 1
            words = rng.choices(parents, weights)[0]
            other = rng.choice(parents)
            for _ in range(rng.randint(1, self.options.max_edits)):
                words = self._edit(words, other, vocab, rng)
            text = " ".join(words)
            if text not in seen:
                seen.add(text)
                lines.append(f"{len(lines) + 1}. {text}")
        return "\n".join(lines)

    def generate(self, prompts: Sequence[Prompt]) -> list[Generation]:
        out = []
        for prompt in prompts:
            t0 = time.perf_counter()
            text = self.reply(prompt)
            out.append(
                Generation(
                    text=text,
                    prompt_tokens=sum(len(m.content.split()) for m in prompt.messages),
                    completion_tokens=len(text.split()),
                    seconds=time.perf_counter() - t0,
                )
            )
        return out

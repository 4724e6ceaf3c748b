"""The ``text-target`` task: recover a hidden sentence that only the scorer can see."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs

from mils_core.builtin.vocabulary import generic_pool
from mils_core.components import Message, Prompt, Sample, ScoredText, Task
from mils_core.errors import ConfigError, SampleError


@attrs.frozen
class TextTargetOptions:
    """Options of the ``text-target`` task."""

    pool: str | None = None
    pool_size: int = attrs.field(default=2000, validator=attrs.validators.ge(1))


SYSTEM = "You are playing a guessing game. Reply only with a numbered list of guesses, one per line."
ASK = "Write {n} new guesses that could score higher. Each one mixes words from two of the guesses above."
INSTRUCTIONS = "Guesses and their scores (1.00 is a perfect match), best first:\n{lines}\n\n" + ASK
#: A worked example turn shown before the real request: small instruction-tuned models copy its
#: shape (recombine words of good guesses, one guess per numbered line) instead of echoing the prompt.
EXAMPLE_USER = INSTRUCTIONS.format(
    lines="0.62: a small bird sings in the garden\n0.55: an old man walks in the rain\n"
    "0.50: a small boat on the lake\n0.41: a man sings at night",
    n=4,
)
EXAMPLE_REPLY = (
    "1. an old man sings in the garden\n2. a small bird on the lake\n3. a small boat in the rain\n4. an old man walks at night"
)


def read_text_samples(source: Any) -> Iterator[Sample]:
    """Samples from a .txt file (one target per line), a .jsonl file (id, text) or a list of strings.

    Each sample's target is also its reference (``meta["references"]``), so ``mils eval`` needs no
    separate reference file for this task.
    """
    if isinstance(source, list):
        for i, text in enumerate(source):
            yield Sample(id=f"{i:06d}", source=str(text), meta={"references": [str(text)]})
        return
    if not isinstance(source, (str, Path)):
        raise ConfigError("text-target: [run] samples must be a .txt or .jsonl path, or a list of sentences")
    path = Path(source)
    if not path.exists():
        raise ConfigError(f"text-target: samples file {str(path)!r} does not exist")
    lines = path.read_text(encoding="utf-8").splitlines()
    if path.suffix == ".jsonl":
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                yield Sample(id=str(obj["id"]), source=str(obj["text"]), meta={"references": [str(obj["text"])]})
            except (ValueError, KeyError, TypeError):
                yield Sample(id=f"line-{n}", source=None, meta={"error": f"{path}:{n} is not a JSON object with 'id' and 'text'"})
        return
    for n, line in enumerate(lines, 1):
        if line.strip():
            yield Sample(id=f"line-{n:06d}", source=line.strip(), meta={"references": [line.strip()]})


class TextTarget(Task[TextTargetOptions]):
    """Recover hidden target sentences from their word-overlap scores alone."""

    Options = TextTargetOptions
    default_generator = "mutate"
    default_scorer = "word-overlap"
    default_iterations = 10
    default_n_new = 20
    default_top_k = 20

    def samples(self, source: Any) -> Iterator[Sample]:
        return read_text_samples(source)

    def load_target(self, sample: Sample) -> Any:
        if sample.source is None or not str(sample.source).strip():
            raise SampleError(sample.meta.get("error") or f"sample {sample.id!r} has an empty target")
        return str(sample.source)

    def initial_pool(self) -> Sequence[str]:
        if self.options.pool:
            path = Path(self.options.pool)
            try:
                pool = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            except OSError as exc:
                raise ConfigError(f"text-target: pool file {str(path)!r} cannot be read: {exc.strerror}") from None
            return pool[: self.options.pool_size]
        return generic_pool(self.options.pool_size)

    def build_prompt(self, sample: Sample, shown: Sequence[ScoredText], n_new: int, seed: int) -> Prompt:
        lines = "\n".join(f"{s.label(2)}: {s.text}" for s in shown)
        messages = (
            Message("system", SYSTEM),
            Message("user", EXAMPLE_USER),
            Message("assistant", EXAMPLE_REPLY),
            Message("user", INSTRUCTIONS.format(lines=lines, n=n_new)),
        )
        return Prompt(messages, shown=tuple(shown), n_new=n_new, seed=seed)

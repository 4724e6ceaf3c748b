"""The ``text-target`` task: recover a hidden sentence that only the scorer can see."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

import attrs

from mils_core.builtin.vocabulary import generic_pool
from mils_core.components import Message, PoolSource, Prompt, PromptStyle, Sample, ScoredText, Task
from mils_core.errors import ConfigError, SampleError
from mils_core.media.files import read_pool_file


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
    presets: ClassVar[Mapping[str, Mapping[str, Any]]] = {
        "demo": {
            "generator": {"name": "mutate"},
            "scorer": {"name": "word-overlap"},
            "stop": [{"name": "max-iterations", "n": 10}, {"name": "plateau", "patience": 2, "min_delta": 0.0}],
        },
    }

    @classmethod
    def examples(cls) -> list[Path]:
        """The demo's 300 target sentences, shipped in the package (``mils_core/builtin/data/targets.txt``)."""
        return [Path(str(resources.files("mils_core.builtin") / "data" / "targets.txt"))]

    @property
    def default_prompt(self) -> str:
        return "guess-list"

    @property
    def default_pool(self) -> tuple[tuple[str, dict[str, Any]], ...]:
        if self.options.pool:
            return (("pool-file", {"path": self.options.pool, "size": self.options.pool_size}),)
        return (("generic-pool", {"size": self.options.pool_size}),)

    def samples(self, source: Any) -> Iterator[Sample]:
        return read_text_samples(source)

    def load_target(self, sample: Sample) -> Any:
        if sample.source is None or not str(sample.source).strip():
            raise SampleError(sample.meta.get("error") or f"sample {sample.id!r} has an empty target")
        return str(sample.source)


class GuessList(PromptStyle[Any]):
    """The text-target game's prompt: scored guesses, best first, and a request for recombined ones."""

    def build(self, sample: Sample, shown: Sequence[ScoredText], n_new: int, seed: int) -> Prompt:
        lines = "\n".join(f"{s.label(2)}: {s.text}" for s in shown)
        messages = (
            Message("system", SYSTEM),
            Message("user", EXAMPLE_USER),
            Message("assistant", EXAMPLE_REPLY),
            Message("user", INSTRUCTIONS.format(lines=lines, n=n_new)),
        )
        return Prompt(messages, shown=tuple(shown), n_new=n_new, seed=seed)


@attrs.frozen
class GenericPoolOptions:
    """Options of ``generic-pool``: how many texts to generate from the built-in vocabulary."""

    size: int = attrs.field(default=2000, validator=attrs.validators.ge(1))


class GenericPool(PoolSource[GenericPoolOptions]):
    """Generic short sentences written from the built-in vocabulary (deterministic)."""

    Options = GenericPoolOptions

    def texts(self) -> Sequence[str]:
        return generic_pool(self.options.size)


@attrs.frozen
class PoolFileOptions:
    """Options of ``pool-file``: a UTF-8 text file, one candidate per line (blank lines skipped)."""

    path: str = ""
    size: int | None = attrs.field(default=None, validator=attrs.validators.optional(attrs.validators.ge(1)))


class PoolFile(PoolSource[PoolFileOptions]):
    """The initial pool read from a text file (first ``size`` distinct lines)."""

    Options = PoolFileOptions

    def texts(self) -> Sequence[str]:
        if not self.options.path:
            raise ConfigError("pool-file needs a path: [pool] path = \"pool.txt\" (one text per line)")
        pool = read_pool_file(self.options.path, "pool-file")
        return pool[: self.options.size] if self.options.size else pool

"""The ``merge`` task: the LLM combines several descriptions into one prompt, by a small search.

A sample is a tuple of texts (captions of an image and a sound, a user's text, ...). The
initial pool is the plain joins of the inputs ("A and B", "A, with B", ...); the LLM proposes
single-sentence scenes that keep every input's content; ``merge-coverage`` scores how much of
*each* input a candidate keeps (the weakest input counts most), how little it adds, and whether
it is one scene rather than the inputs pasted side by side, so the merge is a search, not one
blind call.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import attrs

from mils_core.builtin.word_overlap import words
from mils_core.components import Message, PoolSource, Prompt, PromptStyle, Sample, Score, ScoredText, Scorer, Task
from mils_core.errors import ConfigError, SampleError

_WORD = re.compile(r"[a-z0-9']+")
#: Words that carry no content of their own (a merge may add them freely).
FUNCTION_WORDS = frozenset(
    "a an the of in on at by with and or while as to from into onto under over near beside behind is are "
    "was were be being its it their there this that these those one some".split()
)

SYSTEM = ("You write prompts for a text-to-image model. Reply only with a numbered list of prompts, "
          "one sentence each.")
ASK = ("Descriptions to combine into one scene:\n{inputs}\n\n"
       "Prompts so far with their scores (higher keeps more of every description), best first:\n{lines}\n\n"
       "Write {n} new prompts. Each is one sentence that shows everything from every description together "
       "in one scene.")
EXAMPLE_USER = ASK.format(
    inputs="1. a photo of a dog\n2. rain falling on a street",
    lines="0.71: a photo of a dog and rain falling on a street\n0.52: a dog on a street",
    n=3,
)
EXAMPLE_REPLY = ("1. a photo of a dog standing on a street in the falling rain\n"
                 "2. a dog on a wet street while rain is falling\n"
                 "3. a photo of a dog walking down a street as rain falls")


def _plain(text: str) -> str:
    """Lowercase words joined by single spaces (punctuation dropped), for verbatim checks."""
    return " ".join(_WORD.findall(text.lower()))


def content(text: str) -> Counter[str]:
    """Content-word counts of ``text`` (lowercased, function words dropped)."""
    return Counter({w: c for w, c in words(text).items() if w not in FUNCTION_WORDS})


def read_merge_samples(source: Any) -> Iterator[Sample]:
    """Samples from a list of text lists, a ``.jsonl`` file (``id``, ``texts``) or a ``.txt`` file
    (one combination per line, texts separated by `` | ``)."""
    if isinstance(source, list):
        for i, texts in enumerate(source):
            group = [str(t) for t in (texts if isinstance(texts, list) else [texts])]
            yield Sample(id=f"{i:04d}", source=tuple(group))
        return
    if not isinstance(source, (str, Path)):
        raise ConfigError("merge: [run] samples must be a .txt or .jsonl path, or a list of text lists")
    path = Path(source)
    if not path.is_file():
        raise ConfigError(f"merge: samples file {str(path)!r} does not exist")
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        if path.suffix == ".jsonl":
            try:
                obj = json.loads(line)
                yield Sample(id=str(obj["id"]), source=tuple(str(t) for t in obj["texts"]))
            except (ValueError, KeyError, TypeError):
                yield Sample(id=f"line-{n}", source=None,
                             meta={"error": f"{path}:{n} is not a JSON object with 'id' and a 'texts' list"})
        else:
            yield Sample(id=f"line-{n:04d}", source=tuple(p.strip() for p in line.split(" | ") if p.strip()))


@attrs.frozen
class MergeOptions:
    """Options of the ``merge`` task (none yet; the search is set in ``[loop]`` and ``[[stop]]``)."""


class MergeTask(Task[MergeOptions]):
    """Combine several descriptions into one prompt that keeps all of them."""

    Options = MergeOptions
    target_media: ClassVar[str] = "texts"
    default_generator = "mutate"
    default_scorer = "merge-coverage"
    default_iterations = 4
    default_n_new = 12
    default_top_k = 8
    presets: ClassVar[Mapping[str, Mapping[str, Any]]] = {
        "offline": {
            "generator": {"name": "transformers", "max_new_tokens": 120, "temperature": 0.8},
            "scorer": {"name": "merge-coverage"},
            "loop": {"top_k": 6, "n_new": 8, "prompts_per_sample": 2},
            "stop": [{"name": "max-iterations", "n": 3}, {"name": "plateau", "patience": 2, "min_delta": 0.0}],
        },
        "paper": {
            "generator": {"name": "transformers", "model": "meta-llama/Llama-3.1-8B-Instruct", "temperature": 0.5},
            "scorer": {"name": "merge-coverage"},
            "loop": {"top_k": 10, "n_new": 20},
            "stop": [{"name": "max-iterations", "n": 5}],
        },
    }

    @property
    def default_prompt(self) -> str:
        return "merge-list"

    @property
    def default_pool(self) -> str:
        return "merge-joins"

    def samples(self, source: Any) -> Iterator[Sample]:
        return read_merge_samples(source)

    def load_target(self, sample: Sample) -> Any:
        if sample.source is None:
            raise SampleError(sample.meta.get("error") or f"sample {sample.id!r} has no texts to merge")
        texts = tuple(str(t).strip() for t in sample.source if str(t).strip())
        if not texts:
            raise SampleError(f"sample {sample.id!r} has no texts to merge (all empty)")
        return texts


class MergeList(PromptStyle[Any]):
    """The merge prompt: the inputs, the scored prompts so far, a request for one-sentence scenes."""

    def build(self, sample: Sample, shown: Sequence[ScoredText], n_new: int, seed: int) -> Prompt:
        inputs = "\n".join(f"{i}. {t}" for i, t in enumerate(sample.source or (), 1))
        lines = "\n".join(f"{s.label(2)}: {s.text}" for s in shown)
        messages = (
            Message("system", SYSTEM),
            Message("user", EXAMPLE_USER),
            Message("assistant", EXAMPLE_REPLY),
            Message("user", ASK.format(inputs=inputs, lines=lines, n=n_new)),
        )
        return Prompt(messages, shown=tuple(shown), n_new=n_new, seed=seed)


class MergeJoins(PoolSource[Any]):
    """The initial pool of a merge: the inputs alone and joined in every order."""

    def texts(self) -> Sequence[str]:
        return ()

    def for_sample(self, sample: Sample) -> Sequence[str] | None:
        texts = [str(t).strip().rstrip(".") for t in (sample.source or ()) if str(t).strip()]
        out = list(texts)
        for order in itertools.permutations(texts):
            if len(order) < 2:
                continue
            head, rest = order[0], list(order[1:])
            out += [" and ".join(order), f"{head}, with {', '.join(rest)}", ", ".join(order)]
        return list(dict.fromkeys(out)) or None


@attrs.frozen
class MergeCoverageOptions:
    """Options of ``merge-coverage``.

    :param weakest: weight of the least-covered input (the rest is the mean over inputs).
    :param added_penalty: how much each content word found in no input costs, relative to coverage.
    :param pasted_penalty: share of the score lost when every input (of two or more words) is pasted
        in verbatim: inputs side by side are a list, not one scene.
    """

    weakest: float = attrs.field(default=0.5, validator=[attrs.validators.ge(0.0), attrs.validators.le(1.0)])
    added_penalty: float = attrs.field(default=0.5, validator=attrs.validators.ge(0.0))
    pasted_penalty: float = attrs.field(default=0.5, validator=[attrs.validators.ge(0.0), attrs.validators.le(1.0)])


class MergeCoverage(Scorer[MergeCoverageOptions]):
    """How much of every input a merged prompt keeps, minus what it adds (no model)."""

    Options = MergeCoverageOptions
    target_media = ("texts",)

    def __init__(self, options: MergeCoverageOptions | None = None) -> None:
        super().__init__(options)
        self.counters = {"text_encodes": 0, "target_encodes": 0}

    def prepare_targets(self, targets: Sequence[Any]) -> list[Any]:
        self.counters["target_encodes"] += len(targets)
        return [([content(t) for t in group], [_plain(t) for t in group if len(_plain(t).split()) >= 2])
                for group in targets]

    def _score(self, text: str, handle: tuple[list[Counter[str]], list[str]]) -> float:
        inputs, phrases = handle
        have = content(text)
        recalls = []
        for wanted in inputs:
            total = wanted.total()
            recalls.append(1.0 if total == 0 else sum(min(c, have[w]) for w, c in wanted.items()) / total)
        coverage = self.options.weakest * min(recalls) + (1.0 - self.options.weakest) * sum(recalls) / len(recalls)
        known: Counter[str] = Counter()
        for wanted in inputs:
            known |= wanted  # the most times any input uses each word
        added = sum(max(0, c - known[w]) for w, c in have.items())  # new words, and repeats beyond the inputs
        plain = f" {_plain(text)} "
        pasted = len(phrases) > 1 and all(f" {p} " in plain for p in phrases)
        kept = coverage * (1.0 - self.options.pasted_penalty * pasted)
        return kept / (1.0 + self.options.added_penalty * added / max(1, sum(i.total() for i in inputs)))

    def score(self, handles: Sequence[Any], texts: Sequence[Sequence[str]]) -> list[list[Score]]:
        out: list[list[Score]] = []
        for inputs, group in zip(handles, texts, strict=True):
            self.counters["text_encodes"] += len(group)
            out.append([self._score(t, inputs) for t in group])
        return out

    def stats(self) -> dict[str, int]:
        return dict(self.counters)

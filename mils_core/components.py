"""Component contracts: what a generator, scorer, renderer, task, stopping rule and dataset provide.

A component is built by its registered factory from a typed (attrs) options object and
must not load models in ``__init__``: heavy work happens in ``load()``, called once when
a run starts.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

import attrs
import numpy as np

from mils_core.options import NoOptions

if TYPE_CHECKING:
    from mils_core.registry import Registry

OptionsT = TypeVar("OptionsT")

#: A score: one number, or a tuple of numbers for multi-objective tasks.
Score = float | tuple[float, ...]

#: The media name of plain candidate texts (other media names are free strings: image, video, audio, ...).
TEXT = "text"


@attrs.frozen
class Message:
    """One chat message."""

    role: str
    content: str


@attrs.frozen
class ScoredText:
    """A candidate text and its score.

    ``score`` is the one number texts are ranked by (in a prompt: in the scorer's own
    orientation, so losses stay losses); ``raw`` is what the scorer returned, every objective
    kept (a float, or a tuple for multi-objective scorers), or None where not known.
    """

    text: str
    score: float
    raw: Score | None = None
    #: The scorer's objective names, set for multi-objective scores (so prompts can name them).
    names: tuple[str, ...] = ()

    def label(self, digits: int = 2) -> str:
        """The score as a prompt shows it: ``0.52``, or ``style 0.12, content 0.40`` for several objectives."""
        values = self.objectives()
        if len(values) == 1:
            return f"{self.score:.{digits}f}"
        names = self.names if len(self.names) == len(values) else tuple(f"objective {i + 1}" for i in range(len(values)))
        return ", ".join(f"{n} {v:.{digits}f}" for n, v in zip(names, values, strict=True))

    def objectives(self) -> tuple[float, ...]:
        """Every objective of the raw score (the ranking score alone when there is none)."""
        if self.raw is None:
            return (self.score,)
        return tuple(self.raw) if isinstance(self.raw, tuple) else (float(self.raw),)


@attrs.frozen
class Prompt:
    """What a generator is asked: chat messages plus the structure they were built from.

    LLM generators use ``messages``. Non-LLM generators may use ``shown`` (the texts
    listed in the prompt, best first) and ``n_new`` (how many new texts are asked for).
    """

    messages: tuple[Message, ...]
    shown: tuple[ScoredText, ...] = ()
    n_new: int = 0
    seed: int = 0


@attrs.frozen
class Generation:
    """A generator's reply to one prompt, with accounting.

    ``error`` is set (and ``text`` empty) when this one request failed after the
    generator's own retries; the core then retries or fails that sample only.
    """

    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    error: str | None = None


@attrs.frozen
class Sample:
    """One unit of work: an id, the source the task reads its target from, metadata."""

    id: str
    source: Any
    meta: dict[str, Any] = attrs.field(factory=dict)


class Component(ABC, Generic[OptionsT]):
    """Shared behaviour: options, lazy loading, identity for caches."""

    #: The attrs class of this component's options.
    Options: ClassVar[type] = NoOptions
    #: Option names that do not change outputs (left out of :meth:`cache_identity`).
    identity_ignores: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, options: OptionsT | None = None) -> None:
        self.options: OptionsT = options if options is not None else self.Options()
        self._loaded = False

    def load(self) -> None:
        """Load models and other heavy state; called once before first use."""

    def bind(self, registry: Registry) -> None:  # noqa: B027 - optional hook
        """Called once when a run resolves its components, with the registry they came from.

        For components built from other components by name (a video scorer wrapping an image
        scorer); they build those here or on first use. Default: nothing.
        """

    def ensure_loaded(self) -> None:
        """Call :meth:`load` the first time only."""
        if not self._loaded:
            self.load()
            self._loaded = True

    def cache_identity(self) -> str:
        """A string that changes whenever this component's outputs could change (a cache key).

        The class and every option except those in :attr:`identity_ignores`.
        """
        opts = attrs.asdict(self.options) if attrs.has(type(self.options)) else {}  # type: ignore[arg-type]
        items = ",".join(f"{k}={opts[k]!r}" for k in sorted(opts) if k not in self.identity_ignores)
        return f"{type(self).__module__}.{type(self).__qualname__}({items})"


class Generator(Component[OptionsT]):
    """Proposes candidate texts. Receives prompts of many samples at once."""

    @abstractmethod
    def generate(self, prompts: Sequence[Prompt]) -> list[Generation]:
        """Answer every prompt; return one :class:`Generation` per prompt, in order.

        Implementations batch across prompts. A failure of one request becomes a
        ``Generation`` with ``error`` set; a failure that means the model itself is
        broken (e.g. a CUDA error) is raised.
        """

    def context_window(self) -> int | None:
        """The model's context length in tokens, or None if unknown or unlimited."""
        return None

    def max_new_tokens(self) -> int:
        """How many tokens a reply may use (reserved out of the context window)."""
        return 0

    def count_tokens(self, prompt: Prompt) -> int | None:
        """Tokens the prompt takes after templating, or None if the generator can't tell."""
        return None

    def log_likelihoods(self, texts: Sequence[str]) -> list[float] | None:
        """The model's mean log-probability per token of each text on its own (a fluency
        measure; one forward pass per text, batched), or None if this generator can't tell."""
        return None


class Scorer(Component[OptionsT]):
    """Scores candidates (texts, or the artifacts a renderer made of them) against samples' targets.

    The core calls :meth:`prepare_targets` once per sample, then :meth:`score` and
    :meth:`score_matrix` with the prepared handles.
    """

    #: True if larger scores are better; False for losses (every objective alike).
    higher_is_better: ClassVar[bool] = True
    #: The names of the numbers a score holds: one for a float, one per tuple entry.
    objectives: ClassVar[tuple[str, ...]] = ("score",)
    #: Media of the targets this scorer takes (e.g. ``("image",)``); None: not declared.
    target_media: ClassVar[tuple[str, ...] | None] = None
    #: Media of the candidates it scores: ``("text",)``, or what a renderer produces (``("image",)``).
    candidate_media: ClassVar[tuple[str, ...]] = (TEXT,)

    @abstractmethod
    def prepare_targets(self, targets: Sequence[Any]) -> list[Any]:
        """Encode each sample's target once (e.g. an image embedding); return handles."""

    @abstractmethod
    def score(self, handles: Sequence[Any], texts: Sequence[Sequence[str]]) -> list[list[Score]]:
        """Score ``texts[i]`` against ``handles[i]`` for every i (batched across samples)."""

    def score_matrix(self, handles: Sequence[Any], texts: Sequence[str]) -> np.ndarray:
        """Scores of the same texts against every handle: shape (samples, texts).

        Used for the initial pool of single-objective scorers (multi-objective scorers'
        pools go through :meth:`score`). Embedding scorers override this with one matmul
        over cached text embeddings.
        """
        rows = self.score(handles, [texts] * len(handles))
        return np.array([[float(s) for s in row] for row in rows], dtype=np.float64)  # type: ignore[arg-type]

    def prepare_pool(self, texts: Sequence[str]) -> None:  # noqa: B027 - optional hook
        """Precompute sample-independent work for the initial pool (called once per run)."""

    def export_pool(self) -> Any:
        """The pool work :meth:`prepare_pool` did, as plain data another process can
        :meth:`import_pool` (scale-out ships it to every worker once); None if there is none."""
        return None

    def import_pool(self, state: Any) -> None:  # noqa: B027 - optional hook
        """Adopt pool work exported by :meth:`export_pool` (of the same scorer and config)."""

    def configure(self, policy: Mapping[str, Any]) -> None:  # noqa: B027 - optional hook
        """Receive the run's savings switches and cache folder (``text_cache``, ``pool_cache``,
        ``sort_by_length``, ``cache_dir``); scorers that have no such savings ignore them."""

    def stats(self) -> dict[str, int]:
        """Counters for benchmarks and tests (e.g. texts encoded, cache hits)."""
        return {}


class Task(Component[OptionsT]):
    """A MILS task: how samples are read and shown to the generator, and defaults."""

    #: Media of the target :meth:`load_target` returns (``image``, ``video``, ``audio``, ``text``, ...).
    target_media: ClassVar[str] = TEXT
    #: Default component names and hyper-parameters (overridden by the config).
    default_generator: ClassVar[str] = "mutate"
    default_scorer: ClassVar[str] = "word-overlap"
    #: The renderer used when the config names none (None: candidates are scored as texts).
    default_renderer: ClassVar[str | None] = None
    #: Weights that turn a multi-objective score into one ranking number (None: all 1).
    default_weights: ClassVar[tuple[float, ...] | None] = None
    #: Named config bundles (sections as in a config file, without ``[run]``) for this task.
    presets: ClassVar[Mapping[str, Mapping[str, Any]]] = {}
    #: File suffixes (lowercase, with the dot) of the media this task reads; ``mils caption``
    #: picks the task for its inputs by them.
    file_suffixes: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def examples(cls) -> list[Path]:
        """Sample files shipped with the task's package (for demos and ``mils bench``); none by default."""
        return []

    @classmethod
    def preset(cls, name: str) -> dict[str, Any]:
        """A copy of the preset ``name``'s config sections; ConfigError naming the presets if none."""
        import copy

        from mils_core.errors import ConfigError
        from mils_core.suggest import did_you_mean

        if name not in cls.presets:
            known = ", ".join(cls.presets) or "none"
            raise ConfigError(f"no preset named {name!r}.{did_you_mean(name, list(cls.presets))} Presets: {known}.")
        return copy.deepcopy(dict(cls.presets[name]))

    @property
    def default_stop(self) -> tuple[tuple[str, dict[str, Any]], ...]:
        """The stopping rules used when the config has no ``[[stop]]``: ``default_iterations`` iterations."""
        return (("max-iterations", {"n": self.default_iterations}),)
    default_iterations: ClassVar[int] = 10
    default_n_new: ClassVar[int] = 50
    default_top_k: ClassVar[int] = 50

    @abstractmethod
    def samples(self, source: Any) -> Iterator[Sample]:
        """Yield the samples named by the config's ``[run] samples`` value."""

    @abstractmethod
    def load_target(self, sample: Sample) -> Any:
        """Read the sample's target (e.g. decode the image); raise SampleError if unreadable."""

    @property
    def default_prompt(self) -> str | tuple[tuple[str, dict[str, Any]], ...] | None:
        """The prompt style used when the config has no ``[prompt]`` table: a name, or
        ``(name, options)`` pairs (a task may hand its own options to its default components)."""
        return None

    @property
    def default_pool(self) -> str | tuple[tuple[str, dict[str, Any]], ...] | None:
        """The initial pool used when the config has no ``[pool]`` table (as :attr:`default_prompt`)."""
        return None


class PromptStyle(Component[OptionsT]):
    """How a task talks to the generator: the prompt listing the best texts, and the reply parser."""

    #: What pool texts describe, for ``mils pool build`` (e.g. "photos").
    pool_subject: ClassVar[str] = "everyday scenes"

    @abstractmethod
    def build(self, sample: Sample, shown: Sequence[ScoredText], n_new: int, seed: int) -> Prompt:
        """The prompt asking for ``n_new`` texts, listing ``shown`` (best first)."""

    def degenerate(self, text: str) -> str | None:
        """Why a parsed candidate is not worth scoring (None: it is). The loop drops and counts these."""
        return None

    def parse(self, reply: str) -> list[str]:
        """Candidate texts in a generator reply (default: the core's robust list parser)."""
        from mils_core.parsing import parse_candidates

        return parse_candidates(reply)

    def pool_prompt(self, n: int, seed: int) -> Prompt:
        """The prompt ``mils pool build`` sends to grow a generic initial pool."""
        user = (
            f"Write {n} short, varied, generic one-sentence descriptions of {self.pool_subject}. "
            "Cover many different subjects, settings and styles; no names, no numbering schemes other than "
            f"'1.' to '{n}.'. Answer with the numbered list only."
        )
        return Prompt((Message("system", "You write short descriptions."), Message("user", user)), (), n, seed)


class PoolSource(Component[OptionsT]):
    """The initial pool: candidate texts scored against every sample before the first iteration."""

    @abstractmethod
    def texts(self) -> Sequence[str]:
        """The sample-independent pool (scored once per sample, its embeddings once per run)."""

    def for_sample(self, sample: Sample) -> Sequence[str] | None:
        """A per-sample pool (e.g. the user's own prompt), or None to use :meth:`texts` (the fast path)."""
        return None


@attrs.frozen
class SampleProgress:
    """What a stopping rule sees about one sample's search."""

    iteration: int
    history: tuple[float, ...]
    elapsed_s: float
    higher_is_better: bool = True


class StoppingRule(Component[OptionsT]):
    """Decides whether one sample's search should stop."""

    @abstractmethod
    def should_stop(self, progress: SampleProgress) -> bool:
        """True to stop after ``progress.iteration`` iterations."""


class Renderer(Component[OptionsT]):
    """Turns candidate texts into artifacts that the scorer then scores.

    A text-to-image model renders a prompt; an editor applies an instruction to the sample's
    content image (``conditioned_on``). The core batches calls through its
    :class:`~mils_core.batching.Batcher` (halving on out-of-memory), caches every artifact by
    (:meth:`cache_identity`, text, seed, and the sample when conditioned) so no text is
    rendered twice, and writes the best artifacts into the run folder with :meth:`save`.
    """

    #: Media of the artifacts (what the scorer must accept as candidates).
    produces: ClassVar[str] = "image"
    #: Media of sample targets this renderer is conditioned on; None: it renders from text alone.
    conditioned_on: ClassVar[tuple[str, ...] | None] = None
    #: File suffix :meth:`save` writes.
    suffix: ClassVar[str] = ".png"
    #: One noise seed per sample, shared by all its candidates (so scores compare texts, not noise),
    #: recorded as the record's ``meta["render_seed"]``; False: one seed for the whole run.
    seed_per_sample: ClassVar[bool] = False
    #: Ask :meth:`render_final` for a finished sample's final artifacts (e.g. at full size).
    final_renders: ClassVar[bool] = False

    @abstractmethod
    def render_batch(self, texts: list[str], seeds: list[int], conditions: list[Any] | None) -> list[Any]:
        """One artifact per text, in order. ``conditions[i]`` is the sample target text i is
        rendered for (None unless :attr:`conditioned_on` is set)."""

    def batch_size(self) -> int:
        """Largest batch to try (out-of-memory back-off may lower it)."""
        return int(getattr(self.options, "batch_size", 4))

    def render_final(self, texts: list[str], seeds: list[int]) -> list[Any] | None:
        """With :attr:`final_renders`: the final artifacts of the best text and the initial best
        (saved as ``final`` and ``initial-final``), e.g. re-rendered at full size; None: take the
        search-size renders (from the render cache)."""
        return None

    def save(self, artifact: Any, path: Path) -> None:
        """Write ``artifact`` to ``path`` (which ends in :attr:`suffix`); the core makes it atomic.

        The default writes PIL images (PNG) and arrays (``.npy``).
        """
        if isinstance(artifact, np.ndarray):
            with open(path, "wb") as fh:
                np.save(fh, artifact, allow_pickle=False)
            return
        save = getattr(artifact, "save", None)
        if save is None:
            raise TypeError(f"{type(self).__name__} made a {type(artifact).__name__}; override Renderer.save to write it")
        save(path, format=path.suffix.lstrip(".").upper() or "PNG")


def scalarize(score: Score, weights: Sequence[float] | None = None) -> float:
    """One ranking number from a score: the weighted sum of its objectives (weights default to 1)."""
    values = score if isinstance(score, tuple) else (score,)
    if weights is None:
        return float(sum(values))
    if len(weights) != len(values):
        raise ValueError(f"{len(weights)} objective weights given for a score of {len(values)} objectives")
    return float(sum(w * v for w, v in zip(weights, values, strict=True)))


def finite(value: Score) -> bool:
    """True if every number in the score is finite."""
    if isinstance(value, tuple):
        return all(math.isfinite(v) for v in value)
    return math.isfinite(value)


class Dataset(Component[OptionsT]):
    """A benchmark split or manifest on the user's disk: samples plus reference texts.

    Samples carry their references in ``meta["references"]`` (a list of strings) when
    the dataset has them. ``check()`` validates paths up front and says what is missing
    and where to get it.
    """

    #: Options holding file or folder paths; relative ones are taken from the config file's folder.
    path_options: ClassVar[tuple[str, ...]] = ()
    #: Media of its samples (``image``, ``video``, ``audio``, ...); None: not declared.
    sample_media: ClassVar[str | None] = None

    @abstractmethod
    def check(self) -> None:
        """Raise ConfigError naming any missing file or folder and where to download it."""

    @abstractmethod
    def samples(self) -> Iterator[Sample]:
        """Every sample of the split, in a stable order."""

    def references(self) -> dict[str, list[str]]:
        """Reference texts by sample id (empty if the dataset has none)."""
        return {s.id: list(s.meta.get("references", [])) for s in self.samples() if s.meta.get("references")}

"""Component contracts: what a generator, scorer, task and stopping rule must provide.

A component is built by its registered factory from a typed (attrs) options object and
must not load models in ``__init__``: heavy work happens in ``load()``, called once when
a run starts.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar, Generic, TypeVar

import attrs
import numpy as np

from mils_core.options import NoOptions

OptionsT = TypeVar("OptionsT")

#: A score: one number, or a tuple of numbers for multi-objective tasks.
Score = float | tuple[float, ...]


@attrs.frozen
class Message:
    """One chat message."""

    role: str
    content: str


@attrs.frozen
class ScoredText:
    """A candidate text and its score (scalarised for ranking)."""

    text: str
    score: float


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

    def __init__(self, options: OptionsT | None = None) -> None:
        self.options: OptionsT = options if options is not None else self.Options()
        self._loaded = False

    def load(self) -> None:
        """Load models and other heavy state; called once before first use."""

    def ensure_loaded(self) -> None:
        """Call :meth:`load` the first time only."""
        if not self._loaded:
            self.load()
            self._loaded = True

    def identity(self) -> str:
        """A string that changes whenever this component's outputs could change.

        Used as a cache key; the default covers the class and every option.
        """
        opts = attrs.asdict(self.options) if attrs.has(type(self.options)) else {}  # type: ignore[arg-type]
        items = ",".join(f"{k}={opts[k]!r}" for k in sorted(opts))
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


class Scorer(Component[OptionsT]):
    """Scores candidate texts against samples' targets.

    The core calls :meth:`prepare_targets` once per sample, then :meth:`score` and
    :meth:`score_matrix` with the prepared handles.
    """

    #: True if larger scores are better; False for losses.
    higher_is_better: ClassVar[bool] = True

    @abstractmethod
    def prepare_targets(self, targets: Sequence[Any]) -> list[Any]:
        """Encode each sample's target once (e.g. an image embedding); return handles."""

    @abstractmethod
    def score(self, handles: Sequence[Any], texts: Sequence[Sequence[str]]) -> list[list[Score]]:
        """Score ``texts[i]`` against ``handles[i]`` for every i (batched across samples)."""

    def score_matrix(self, handles: Sequence[Any], texts: Sequence[str]) -> np.ndarray:
        """Scalarised scores of the same texts against every handle: shape (samples, texts).

        Used for the initial pool. Embedding scorers override this with one matmul
        over cached text embeddings.
        """
        rows = self.score(handles, [texts] * len(handles))
        return np.array([[self.scalarize(s) for s in row] for row in rows], dtype=np.float64)

    def prepare_pool(self, texts: Sequence[str]) -> None:  # noqa: B027 - optional hook
        """Precompute sample-independent work for the initial pool (called once per run)."""

    def scalarize(self, score: Score) -> float:
        """One number per score, in the scorer's own orientation (tuples are summed)."""
        return float(sum(score)) if isinstance(score, tuple) else float(score)

    def stats(self) -> dict[str, int]:
        """Counters for benchmarks and tests (e.g. texts encoded, cache hits)."""
        return {}


class Task(Component[OptionsT]):
    """A MILS task: how samples are read and shown to the generator, and defaults."""

    #: Default component names and hyper-parameters (overridden by the config).
    default_generator: ClassVar[str] = "mutate"
    default_scorer: ClassVar[str] = "word-overlap"
    default_iterations: ClassVar[int] = 10
    default_n_new: ClassVar[int] = 50
    default_top_k: ClassVar[int] = 50

    @abstractmethod
    def samples(self, source: Any) -> Iterator[Sample]:
        """Yield the samples named by the config's ``[run] samples`` value."""

    @abstractmethod
    def load_target(self, sample: Sample) -> Any:
        """Read the sample's target (e.g. decode the image); raise SampleError if unreadable."""

    @abstractmethod
    def initial_pool(self) -> Sequence[str]:
        """The sample-independent candidate texts scored before the first iteration."""

    @abstractmethod
    def build_prompt(self, sample: Sample, shown: Sequence[ScoredText], n_new: int, seed: int) -> Prompt:
        """The prompt asking for ``n_new`` texts, listing ``shown`` (best first)."""

    def parse_reply(self, reply: str) -> list[str]:
        """Candidate texts in a generator reply (default: the core's robust list parser)."""
        from mils_core.parsing import parse_candidates

        return parse_candidates(reply)

    #: What pool texts describe, for ``mils pool build`` (e.g. "photos").
    pool_subject: ClassVar[str] = "everyday scenes"

    def pool_prompt(self, n: int, seed: int) -> Prompt:
        """The prompt ``mils pool build`` sends to grow a generic initial pool."""
        user = (
            f"Write {n} short, varied, generic one-sentence descriptions of {self.pool_subject}. "
            "Cover many different subjects, settings and styles; no names, no numbering schemes other than "
            f"'1.' to '{n}.'. Answer with the numbered list only."
        )
        return Prompt((Message("system", "You write short descriptions."), Message("user", user)), (), n, seed)

    def pool_for(self, sample: Sample) -> Sequence[str] | None:
        """A per-sample initial pool, or None to use :meth:`initial_pool` (the fast path)."""
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

    def max_iterations(self) -> int | None:
        """An upper bound on iterations, if this rule implies one (for progress bars)."""
        return None


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

    @abstractmethod
    def check(self) -> None:
        """Raise ConfigError naming any missing file or folder and where to download it."""

    @abstractmethod
    def samples(self) -> Iterator[Sample]:
        """Every sample of the split, in a stable order."""

    def references(self) -> dict[str, list[str]]:
        """Reference texts by sample id (empty if the dataset has none)."""
        return {s.id: list(s.meta.get("references", [])) for s in self.samples() if s.meta.get("references")}

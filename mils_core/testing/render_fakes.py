"""Model-free renderers and scorers for testing the render path and multi-objective scoring.

* :class:`FakeRenderer` (``fake-render``) turns a text into a small float "image": the mean of
  hashed word vectors, so texts that share words render alike. It counts every text it renders.
* :class:`FakeEditor` (``fake-edit``) is conditioned on the sample's target: it renders the
  target's words and the instruction's words together.
* :class:`FakeImageScorer` (``fake-image-scorer``) scores such artifacts against a text target
  by cosine similarity with the target's own word vectors.
* :class:`FakeLossScorer` (``fake-loss``) gives two losses per text (``words``: share of target
  words missing; ``length``: length difference), both minimised.

Register them with :data:`render_fakes_plugin` (``mils_plugin_manager`` + ``mils_register``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np

from mils_core.components import Renderer, Score, Scorer
from mils_core.hookspecs import hookimpl
from mils_core.registry import RegisterFn
from mils_core.testing.fakes import hashed_vector

DIM = 48


def word_vector(text: str) -> np.ndarray:
    """The normalised mean of hashed vectors of the text's words."""
    words = text.lower().split() or [""]
    vec = np.mean([hashed_vector(w, DIM) for w in words], axis=0)
    return np.asarray(vec / max(float(np.linalg.norm(vec)), 1e-12), dtype=np.float32)


@attrs.frozen
class FakeRenderOptions:
    """Options of the fake renderers (``fail_on``: a word whose presence in a condition raises)."""

    batch_size: int = 4
    fail_on: str = ""
    oom_above: int = 0


class FakeRenderer(Renderer[FakeRenderOptions]):
    """Text → a (4, 4, 3) float array; see the module docstring."""

    Options = FakeRenderOptions
    produces = "image"
    suffix = ".npy"
    identity_ignores = frozenset({"batch_size", "oom_above"})

    def __init__(self, options: FakeRenderOptions | None = None) -> None:
        super().__init__(options)
        self.rendered: list[str] = []
        self.batches: list[int] = []

    def render_batch(self, texts: list[str], seeds: list[int], conditions: list[Any] | None) -> list[Any]:
        if self.options.oom_above and len(texts) > self.options.oom_above:
            raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB")
        self.batches.append(len(texts))
        out = []
        for i, text in enumerate(texts):
            condition = conditions[i] if conditions is not None else None
            if self.options.fail_on and condition is not None and self.options.fail_on in str(condition):
                raise ValueError(f"cannot edit a target that mentions {self.options.fail_on!r}")
            self.rendered.append(text)
            out.append(self._draw(text, condition).reshape(4, 4, 3))
        return out

    def _draw(self, text: str, condition: Any) -> np.ndarray:
        return word_vector(text)


class FakeEditor(FakeRenderer):
    """Edits the sample's (text) target with the instruction; see the module docstring."""

    conditioned_on = ("text",)

    def _draw(self, text: str, condition: Any) -> np.ndarray:
        return word_vector(f"{condition} {text}")


class FakeImageScorer(Scorer[Any]):
    """Cosine similarity of a rendered array and a text target's word vector."""

    target_media = ("text",)
    candidate_media = ("image",)

    def prepare_targets(self, targets: Sequence[Any]) -> list[Any]:
        return [word_vector(str(t)) for t in targets]

    def score(self, handles: Sequence[Any], texts: Sequence[Sequence[Any]]) -> list[list[Score]]:
        out: list[list[Score]] = []
        for handle, group in zip(handles, texts, strict=True):
            row: list[Score] = []
            for artifact in group:
                if not isinstance(artifact, np.ndarray):
                    raise TypeError(f"fake-image-scorer scores arrays, got a {type(artifact).__name__}")
                vec = artifact.reshape(-1)
                row.append(float(vec @ handle / max(float(np.linalg.norm(vec)), 1e-12)))
            out.append(row)
        return out


class FakeLossScorer(Scorer[Any]):
    """Two losses per text, both minimised: missing target words, and length difference."""

    higher_is_better = False
    objectives = ("words", "length")
    target_media = ("text",)

    def prepare_targets(self, targets: Sequence[Any]) -> list[Any]:
        return [set(str(t).lower().split()) for t in targets]

    def score(self, handles: Sequence[Any], texts: Sequence[Sequence[str]]) -> list[list[Score]]:
        out: list[list[Score]] = []
        for target, group in zip(handles, texts, strict=True):
            row: list[Score] = []
            for text in group:
                words = set(text.lower().split())
                missing = len(target - words) / max(1, len(target))
                row.append((missing, abs(len(words) - len(target)) / 10.0))
            out.append(row)
        return out


class _Plugin:
    @hookimpl
    def mils_register_renderers(self, register: RegisterFn) -> None:
        register("fake-render", FakeRenderer, options=FakeRenderOptions, description="hashed word vectors (tests)")
        register("fake-edit", FakeEditor, options=FakeRenderOptions, description="edits a text target (tests)")

    @hookimpl
    def mils_register_scorers(self, register: RegisterFn) -> None:
        register("fake-image-scorer", FakeImageScorer, description="scores fake renders against text (tests)")
        register("fake-loss", FakeLossScorer, description="two word losses, minimised (tests)")


#: A plugin object registering the fakes above.
render_fakes_plugin = _Plugin()

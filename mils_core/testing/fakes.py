"""Fake components for tests: deterministic, instant, and instrumented."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import numpy as np

from mils_core.components import Generation, Generator, Prompt
from mils_core.embedding import EmbeddingScorer


@attrs.frozen
class FakeScorerOptions:
    """Options of :class:`FakeScorer`."""

    dim: int = 16
    batch_size: int = 8


def hashed_vector(key: str | bytes, dim: int) -> np.ndarray:
    """A deterministic pseudo-random unit vector for ``key``."""
    data = key.encode() if isinstance(key, str) else key
    seed = int.from_bytes(hashlib.sha256(data).digest()[:8], "big")
    v = np.random.default_rng(seed).standard_normal(dim).astype(np.float32)
    return v / np.linalg.norm(v)


class FakeScorer(EmbeddingScorer[FakeScorerOptions]):
    """An embedding scorer whose embeddings are hashes; counts every batch it encodes.

    Targets are strings; a text scores 1.0 against an identical target string.
    """

    Options = FakeScorerOptions

    def __init__(self, options: FakeScorerOptions | None = None) -> None:
        super().__init__(options)
        self.text_batches: list[list[str]] = []
        self.fail_with: BaseException | None = None

    def encode_text_batch(self, texts: list[str]) -> np.ndarray:
        if self.fail_with is not None:
            raise self.fail_with
        self.text_batches.append(list(texts))
        return np.stack([hashed_vector(t, self.options.dim) for t in texts])

    def encode_target_batch(self, targets: list[Any]) -> np.ndarray:
        keys = [t.tobytes() if hasattr(t, "tobytes") else str(t) for t in targets]  # images hash by pixels
        return np.stack([hashed_vector(k, self.options.dim) for k in keys])


@attrs.frozen
class FakeGeneratorOptions:
    """Options of :class:`FakeGenerator`."""

    replies: list[str] = attrs.field(factory=list)


class FakeGenerator(Generator[FakeGeneratorOptions]):
    """Answers each prompt from a script: fixed replies in turn, or a function of the prompt."""

    Options = FakeGeneratorOptions

    def __init__(self, options: FakeGeneratorOptions | None = None, respond: Callable[[Prompt], str | Generation] | None = None):
        super().__init__(options)
        self.respond = respond
        self.calls: list[list[Prompt]] = []
        self._turn = 0

    def generate(self, prompts: Sequence[Prompt]) -> list[Generation]:
        self.calls.append(list(prompts))
        out: list[Generation] = []
        for prompt in prompts:
            t0 = time.perf_counter()
            if self.respond is not None:
                reply = self.respond(prompt)
            elif self.options.replies:
                reply = self.options.replies[self._turn % len(self.options.replies)]
                self._turn += 1
            else:
                reply = "\n".join(f"{i + 1}. {s.text} again" for i, s in enumerate(prompt.shown[: prompt.n_new]))
            if isinstance(reply, Generation):
                out.append(reply)
            else:
                out.append(Generation(reply, prompt_tokens=len(prompt.messages[-1].content.split()),
                                      completion_tokens=len(reply.split()), seconds=time.perf_counter() - t0))
        return out

"""Base class for scorers that compare normalised text and target embeddings.

A plugin implements :meth:`EmbeddingScorer.encode_text_batch` and
:meth:`EmbeddingScorer.encode_target_batch` (plus ``load()``); this class owns the rest:
batching through :class:`~mils_core.batching.Batcher`, a text-embedding cache keyed by
(scorer identity, text) so no text is encoded twice, the initial pool's embeddings
encoded once and kept on disk across runs, and cosine scoring batched across samples.
"""

from __future__ import annotations

import hashlib
from abc import abstractmethod
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import attrs
import numpy as np
import structlog

from mils_core import array_cache
from mils_core.batching import Batcher
from mils_core.components import OptionsT, Score, Scorer

log = structlog.get_logger("mils.embedding")

POOL_CACHE_VERSION = 1


def _normalise(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    if matrix.ndim != 2:
        raise ValueError(f"expected a 2-D embedding matrix, got shape {matrix.shape}")
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.asarray(matrix / np.maximum(norms, 1e-12), dtype=np.float32)


def content_hash(texts: Sequence[str]) -> str:
    """A stable hash of a list of texts (order matters)."""
    h = hashlib.sha256()
    for text in texts:
        h.update(text.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


@attrs.define
class CachePolicy:
    """Which savings are on (benchmarks switch them off one at a time)."""

    text_cache: bool = True
    pool_cache: bool = True
    sort_by_length: bool = True
    cache_dir: Path | None = None


class EmbeddingScorer(Scorer[OptionsT]):
    """Cosine similarity between normalised text and target embeddings."""

    #: Option names that do not change embeddings (left out of the cache key).
    identity_ignores: ClassVar[frozenset[str]] = frozenset({"batch_size", "device", "target_batch_size"})

    def configure(self, policy: Mapping[str, Any]) -> None:
        """Take the run's savings switches (``text_cache``, ``pool_cache``, ``sort_by_length``) and cache folder."""
        for key in ("text_cache", "pool_cache", "sort_by_length", "cache_dir"):
            if key in policy:
                setattr(self.policy, key, policy[key])
        self._drop_batchers()

    def __init__(self, options: OptionsT | None = None) -> None:
        super().__init__(options)
        self.policy = CachePolicy()
        self._text_rows: dict[str, np.ndarray] = {}
        self._pool_texts: list[str] = []
        self._pool_index: dict[str, int] = {}
        self._pool_matrix: np.ndarray | None = None
        self.counters = {
            "text_encodes": 0,
            "pool_encodes": 0,
            "target_encodes": 0,
            "text_cache_hits": 0,
            "pool_builds": 0,
            "pool_disk_loads": 0,
            "pool_imports": 0,
        }
        self._text_batcher: Batcher | None = None
        self._target_batcher: Batcher | None = None

    # -- what a plugin implements -------------------------------------------------
    @abstractmethod
    def encode_text_batch(self, texts: list[str]) -> np.ndarray:
        """Embed one batch of texts: an array of shape (len(texts), dim)."""

    @abstractmethod
    def encode_target_batch(self, targets: list[Any]) -> np.ndarray:
        """Embed one batch of targets (e.g. images): shape (len(targets), dim)."""

    def text_batch_size(self) -> int:
        """Largest text batch to try (OOM back-off may lower it)."""
        return int(getattr(self.options, "batch_size", 64))

    def target_batch_size(self) -> int:
        """Largest target batch to try."""
        return int(getattr(self.options, "target_batch_size", 16))

    def _drop_batchers(self) -> None:
        self._text_batcher = self._target_batcher = None

    def reset_caches(self) -> None:
        """Forget cached embeddings and counters (the loaded model stays)."""
        self._text_rows.clear()
        self._pool_texts, self._pool_index, self._pool_matrix = [], {}, None
        self._text_batcher = self._target_batcher = None
        self.counters = {k: 0 for k in self.counters}

    # -- batching -------------------------------------------------------------------
    def _batchers(self) -> tuple[Batcher, Batcher]:
        if self._text_batcher is None or self._target_batcher is None:
            sort_key = len if self.policy.sort_by_length else None
            self._text_batcher = Batcher(self.text_batch_size(), sort_key=sort_key, name=f"{type(self).__name__} texts")
            self._target_batcher = Batcher(self.target_batch_size(), name=f"{type(self).__name__} targets")
        return self._text_batcher, self._target_batcher

    def _encode_texts(self, texts: list[str]) -> np.ndarray:
        self.ensure_loaded()
        text_batcher, _ = self._batchers()
        self.counters["text_encodes"] += len(texts)
        rows = text_batcher.map(lambda batch: list(_normalise(self.encode_text_batch(batch))), texts)
        return np.stack(rows) if rows else np.zeros((0, 0), dtype=np.float32)

    def text_embeddings(self, texts: Sequence[str]) -> np.ndarray:
        """Normalised embeddings of ``texts``, encoding only those not seen before."""
        missing: list[str] = []
        if self.policy.text_cache:
            pending: set[str] = set()
            for text in texts:
                if text in self._text_rows or text in self._pool_index or text in pending:
                    self.counters["text_cache_hits"] += 1
                else:
                    pending.add(text)
                    missing.append(text)
            if missing:
                for text, row in zip(missing, self._encode_texts(missing), strict=True):
                    self._text_rows[text] = row
            return np.stack([self._row(t) for t in texts]) if texts else np.zeros((0, 0), np.float32)
        return self._encode_texts(list(texts))

    def _row(self, text: str) -> np.ndarray:
        if text in self._pool_index and self._pool_matrix is not None:
            return np.asarray(self._pool_matrix[self._pool_index[text]])
        return self._text_rows[text]

    # -- Scorer API -----------------------------------------------------------------
    def prepare_targets(self, targets: Sequence[Any]) -> list[Any]:
        self.ensure_loaded()
        _, target_batcher = self._batchers()
        self.counters["target_encodes"] += len(targets)
        return target_batcher.map(lambda batch: list(_normalise(self.encode_target_batch(batch))), list(targets))

    def score(self, handles: Sequence[Any], texts: Sequence[Sequence[str]]) -> list[list[Score]]:
        flat = [t for group in texts for t in group]
        if not flat:
            return [[] for _ in handles]
        emb = self.text_embeddings(flat)
        out: list[list[Score]] = []
        offset = 0
        for handle, group in zip(handles, texts, strict=True):
            block = emb[offset : offset + len(group)]
            offset += len(group)
            out.append([float(v) for v in block @ np.asarray(handle)])
        return out

    def score_matrix(self, handles: Sequence[Any], texts: Sequence[str]) -> np.ndarray:
        if not self.policy.pool_cache:  # ablation: every sample encodes the pool again, as the reference code does
            rows = []
            for handle in handles:
                self.counters["pool_encodes"] += len(texts)
                rows.append(self._encode_texts(list(texts)) @ np.asarray(handle))
            return np.asarray(np.stack(rows), dtype=np.float64)
        if list(texts) == self._pool_texts and self._pool_matrix is not None:
            matrix = self._pool_matrix
        else:
            matrix = self.text_embeddings(texts)
        # One matrix-vector product per target, not one product over the batch: the batch's shape
        # changes BLAS's rounding, and a sample's scores must not depend on its batch mates.
        if not len(handles):
            return np.zeros((0, len(texts)), np.float64)
        return np.asarray(np.stack([matrix @ np.asarray(h) for h in handles]), dtype=np.float64)

    def prepare_pool(self, texts: Sequence[str]) -> None:
        """Embed the initial pool once: from memory, from the disk cache, or by encoding."""
        texts = list(texts)
        if not self.policy.pool_cache:
            self._pool_texts, self._pool_index, self._pool_matrix = [], {}, None
            return
        if texts == self._pool_texts and self._pool_matrix is not None:
            return
        path = self._pool_cache_path(texts)
        matrix = self._load_pool(path, len(texts)) if path is not None else None
        if matrix is None:
            self.counters["pool_builds"] += 1
            self.counters["pool_encodes"] += len(texts)
            matrix = self._encode_texts(texts)
            if path is not None:
                self._save_pool(path, matrix, texts)
        else:
            self.counters["pool_disk_loads"] += 1
        self._pool_texts = texts
        self._pool_index = {t: i for i, t in enumerate(texts)}
        self._pool_matrix = matrix

    def export_pool(self) -> Any:
        """``{"identity", "texts", "matrix"}`` of the prepared pool (None before :meth:`prepare_pool`)."""
        if self._pool_matrix is None:
            return None
        return {"identity": self.cache_identity(), "texts": list(self._pool_texts), "matrix": self._pool_matrix}

    def import_pool(self, state: Any) -> None:
        """Adopt another process's pool embeddings; a later :meth:`prepare_pool` of the same texts is free."""
        if state is None or not self.policy.pool_cache:
            return
        if state.get("identity") != self.cache_identity():
            raise ValueError(f"pool embeddings of {state.get('identity')!r} cannot be used by {self.cache_identity()!r}")
        texts = list(state["texts"])
        matrix = np.asarray(state["matrix"], dtype=np.float32)
        if matrix.shape[0] != len(texts):
            raise ValueError(f"pool embeddings hold {matrix.shape[0]} rows for {len(texts)} texts")
        self.counters["pool_imports"] += 1
        self._pool_texts, self._pool_index, self._pool_matrix = texts, {t: i for i, t in enumerate(texts)}, matrix

    def stats(self) -> dict[str, int]:
        return dict(self.counters)

    # -- disk cache -----------------------------------------------------------------
    def _pool_cache_path(self, texts: Sequence[str]) -> Path | None:
        if self.policy.cache_dir is None:
            return None
        key = hashlib.sha256(f"{POOL_CACHE_VERSION}|{self.cache_identity()}|{content_hash(texts)}".encode()).hexdigest()
        return self.policy.cache_dir / "pool-embeddings" / f"{key[:32]}.npy"

    def _load_pool(self, path: Path, n: int) -> np.ndarray | None:
        return array_cache.load(path, shape=(n, None), dtype=np.float32)

    def _save_pool(self, path: Path, matrix: np.ndarray, texts: Sequence[str]) -> None:
        meta = {"scorer": self.cache_identity(), "texts": len(texts), "pool_sha256": content_hash(texts),
                "version": POOL_CACHE_VERSION}
        array_cache.save(path, np.asarray(matrix, dtype=np.float32), meta)

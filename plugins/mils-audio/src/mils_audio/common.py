"""What the audio scorers share: window options, pooling of window embeddings, tensor helpers.

Nothing here imports torch at module import time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from mils_core.errors import SampleError
from mils_core.media.audio import as_waveform, windows

__all__ = ["features_of", "pooled", "to_device", "window_batch"]


def window_batch(targets: Sequence[Any], rate: int, window: int, *, max_windows: int, pad: str
                 ) -> tuple[np.ndarray, list[int]]:
    """Every target's windows stacked, (sum of k_i, window), and each target's window count k_i."""
    stacks = [windows(as_waveform(t, rate), window, max_windows=max_windows, pad=pad) for t in targets]
    return np.concatenate(stacks), [len(s) for s in stacks]


def pooled(rows: np.ndarray, counts: Sequence[int]) -> np.ndarray:
    """One embedding per target: the mean of its windows' normalised embeddings (finite, or SampleError)."""
    rows = np.asarray(rows, dtype=np.float32)
    if not np.isfinite(rows).all():
        raise SampleError("the audio model produced non-finite embeddings for this clip")
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    rows = rows / np.maximum(norms, 1e-12)
    out, offset = [], 0
    for k in counts:
        out.append(rows[offset : offset + k].mean(axis=0))
        offset += k
    return np.stack(out)


def features_of(output: Any, keys: tuple[str, ...] = ("text_embeds", "audio_embeds")) -> Any:
    """The embedding tensor of ``get_*_features``: a tensor (transformers 4) or an output object (5)."""
    import torch

    if isinstance(output, torch.Tensor):
        return output
    pooled_out = getattr(output, "pooler_output", None)
    if isinstance(pooled_out, torch.Tensor):
        return pooled_out
    for key in keys:
        value = getattr(output, key, None)
        if isinstance(value, torch.Tensor):
            return value
    if isinstance(output, (tuple, list)) and output and isinstance(output[0], torch.Tensor):
        return output[0]
    raise TypeError(f"cannot find embeddings in a {type(output).__name__}")


def to_device(batch: Any, device: Any, dtype: Any) -> dict[str, Any]:
    """A tokenizer's or feature extractor's output on ``device``, floats in ``dtype``."""
    import torch

    out: dict[str, Any] = {}
    for key, value in dict(batch).items():
        if isinstance(value, torch.Tensor):
            value = value.to(device, dtype=dtype) if value.is_floating_point() else value.to(device)
        out[key] = value
    return out

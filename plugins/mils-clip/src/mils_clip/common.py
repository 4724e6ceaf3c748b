"""Helpers shared by the ``open-clip`` and ``hf-clip`` scorers.

Option validators, hub/offline rules and image decoding come from the core
(:mod:`mils_core.validators`, :mod:`mils_core.model_source`, :mod:`mils_core.media.image`).
Nothing here imports torch, transformers or open_clip at module import time.
"""

from __future__ import annotations

from typing import Any


def features_of(output: Any) -> Any:
    """The embedding tensor from ``get_*_features``: a tensor (transformers 4) or an output object (5)."""
    import torch

    if isinstance(output, torch.Tensor):
        return output
    pooled = getattr(output, "pooler_output", None)
    if isinstance(pooled, torch.Tensor):
        return pooled
    for key in ("text_embeds", "image_embeds"):
        value = getattr(output, key, None)
        if isinstance(value, torch.Tensor):
            return value
    if isinstance(output, (tuple, list)) and output and isinstance(output[0], torch.Tensor):
        return output[0]
    raise TypeError(f"cannot find embeddings in a {type(output).__name__}")

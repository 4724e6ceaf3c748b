"""The two losses of style transfer, on feature maps (torch tensors).

For a feature map ``F`` of shape (C, H, W), flattened to (C, N) with N = H*W:

* the **normalised Gram matrix** is ``G = F F^T / (C * N)`` (C x C);
* the **style loss** of a layer is the mean squared difference of two Gram matrices,
  ``mean((G_x - G_s)^2)`` over the C*C entries; over several layers it is their mean;
* the **content loss** is the mean squared difference of two feature maps of the same shape,
  ``mean((F_x - F_c)^2)``.

Both are minimised: 0 means identical statistics (style) or identical features (content).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["content_loss", "gram_matrix", "style_loss"]


def gram_matrix(features: Any) -> Any:
    """Normalised Gram matrices: (C, H, W) -> (C, C), or (B, C, H, W) -> (B, C, C)."""
    single = features.dim() == 3
    f = features.unsqueeze(0) if single else features
    b, c, h, w = f.shape
    flat = f.reshape(b, c, h * w).float()
    gram = flat @ flat.transpose(1, 2) / float(c * h * w)
    return gram[0] if single else gram


def style_loss(grams: Sequence[Any], style_grams: Sequence[Any]) -> Any:
    """Mean over layers of ``mean((G - G_style)^2)``; batched grams (B, C, C) give one loss per item (B,)."""
    if len(grams) != len(style_grams) or not grams:
        raise ValueError(f"style loss needs the same non-zero number of layers, got {len(grams)} and {len(style_grams)}")
    total = None
    for g, s in zip(grams, style_grams, strict=True):
        diff = (g - s) ** 2
        per = diff.mean(dim=(-2, -1))
        total = per if total is None else total + per
    assert total is not None
    return total / len(grams)


def content_loss(features: Any, content_features: Any) -> Any:
    """``mean((F - F_content)^2)``: a number for (C, H, W), one per item for (B, C, H, W)."""
    if features.shape[-3:] != content_features.shape[-3:]:
        raise ValueError(f"content loss needs feature maps of one shape, got {tuple(features.shape)} and "
                         f"{tuple(content_features.shape)}")
    diff = (features.float() - content_features.float()) ** 2
    return diff.mean(dim=(-3, -2, -1))

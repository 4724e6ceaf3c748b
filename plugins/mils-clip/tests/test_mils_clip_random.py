"""open-clip with random weights: a real architecture, no download, a local tokenizer."""

from __future__ import annotations

import math

from PIL import Image

from mils_clip.open_clip_scorer import OpenClipOptions, OpenClipScorer


def test_random_weights_need_no_hub() -> None:
    scorer = OpenClipScorer(OpenClipOptions(model="ViT-B-32", random_weights=True, device="cpu", dtype="float32"))
    handles = scorer.prepare_targets([Image.new("RGB", (64, 48), (200, 30, 30))])
    [row] = scorer.score(handles, [["a red square", "a photo of a dog"]])
    assert len(row) == 2 and all(math.isfinite(v) for v in row)  # type: ignore[arg-type]
    assert scorer.stats()["text_encodes"] == 2

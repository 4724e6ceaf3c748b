"""Named bundles of components and hyper-parameters for the ``video-captioning`` task.

* ``offline`` — packaged weights only: SmolLM2-135M-Instruct (transformers) and ``frame-pooled``
  over the ImageNet-bridge image scorer. Runs anywhere with no hub access; the scorer is weak.
* ``fast`` — hub models on a modest machine: SmolLM2-1.7B and ``frame-pooled`` SigLIP ViT-B/16,
  4 frames, a 3,000-text pool, 5 iterations of 20 texts.
* ``paper`` — the paper's loop (10 iterations x 50 new texts, top 50, 8 frames, Llama-3.1-8B) with
  ``x-clip`` (microsoft/xclip-base-patch32) as the video scorer. The paper used ViCLIP
  (InternVid-10M-FLT); a ``viclip`` scorer is pending, and this preset will switch to it then.
"""

from __future__ import annotations

from typing import Any

PRESETS: dict[str, dict[str, Any]] = {
    "offline": {
        "task": {"max_words": 14, "pool_size": 3000, "frames": 4, "max_side": 256},
        "generator": {"name": "transformers", "max_new_tokens": 100, "batch_size": 8, "temperature": 1.0},
        "scorer": {"name": "frame-pooled", "image_scorer": "imagenet-bridge"},
        "loop": {"top_k": 6, "n_new": 16, "prompts_per_sample": 4, "batch_samples": 4},
        "stop": [{"name": "max-iterations", "n": 4}, {"name": "plateau", "patience": 3, "min_delta": 0.0001}],
    },
    "fast": {
        "task": {"pool_size": 3000, "max_words": 18, "frames": 4},
        "generator": {"name": "transformers", "model": "HuggingFaceTB/SmolLM2-1.7B-Instruct", "max_new_tokens": 400},
        "scorer": {"name": "frame-pooled", "image_scorer": "open-clip",
                   "image_options": {"model": "ViT-B-16-SigLIP", "pretrained": "webli"}},
        "loop": {"top_k": 20, "n_new": 20, "batch_samples": 16},
        "stop": [{"name": "max-iterations", "n": 5}, {"name": "plateau", "patience": 2, "min_delta": 0.0005}],
    },
    "paper": {
        "task": {"max_words": 20, "frames": 8},
        "generator": {"name": "transformers", "model": "meta-llama/Llama-3.1-8B-Instruct", "max_new_tokens": 3000,
                      "temperature": 0.5, "top_p": 0.9, "batch_size": 16},
        "scorer": {"name": "x-clip", "model": "microsoft/xclip-base-patch32", "frames": 8},
        "loop": {"top_k": 50, "n_new": 50, "batch_samples": 16},
        "stop": [{"name": "max-iterations", "n": 10}],
    },
}

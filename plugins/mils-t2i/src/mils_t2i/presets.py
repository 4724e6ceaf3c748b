"""Named bundles of components and hyper-parameters for the ``t2i-enhancement`` task.

* ``fast`` — SDXL-Turbo (1 step, no guidance) at 256² for the search, the answer re-rendered
  at 512²; SmolLM2-1.7B-Instruct proposes 16 rewrites per iteration for 5 iterations.
* ``paper`` — the paper's loop: FLUX.1-schnell (4 steps) at 256², PickScore_v1 against the
  original prompt, Llama-3.1-8B-Instruct, 19 iterations x 50 new prompts, top 20 shown, the
  user's prompt as the initial pool; the answer re-rendered at 1024².

Both score with PickScore through the ``hf-clip`` scorer of mils-clip (images scored against
the prompt text: ``candidates = "image"``), with the processor PickScore was trained with.
"""

from __future__ import annotations

from typing import Any

#: PickScore_v1 through ``hf-clip``: rendered images (candidates) vs the original prompt (target).
PICKSCORE: dict[str, Any] = {
    "name": "hf-clip",
    "model": "yuvalkirstain/PickScore_v1",
    "processor": "laion/CLIP-ViT-H-14-laion2B-s32B-b79K",
    "candidates": "image",
    "batch_size": 32,
}

PRESETS: dict[str, dict[str, Any]] = {
    "fast": {
        "renderer": {"name": "sdxl", "model": "stabilityai/sdxl-turbo", "steps": 1, "guidance": 0.0,
                     "width": 256, "height": 256, "final_size": 512, "batch_size": 16},
        "generator": {"name": "transformers", "model": "HuggingFaceTB/SmolLM2-1.7B-Instruct", "max_new_tokens": 800},
        "scorer": dict(PICKSCORE),
        "loop": {"top_k": 10, "n_new": 16, "batch_samples": 8},
        "stop": [{"name": "max-iterations", "n": 5}],
    },
    "paper": {
        "renderer": {"name": "flux", "model": "black-forest-labs/FLUX.1-schnell", "steps": 4, "guidance": 0.0,
                     "width": 256, "height": 256, "final_size": 1024, "batch_size": 25},
        "generator": {"name": "transformers", "model": "meta-llama/Llama-3.1-8B-Instruct", "max_new_tokens": 3000,
                      "temperature": 0.7, "top_p": 0.9, "batch_size": 8},
        "scorer": dict(PICKSCORE),
        "loop": {"top_k": 20, "n_new": 50, "batch_samples": 4},
        "stop": [{"name": "max-iterations", "n": 19}],
    },
}

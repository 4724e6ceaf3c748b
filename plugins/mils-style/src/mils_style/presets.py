"""Named bundles of components and hyper-parameters for the ``style-transfer`` task (``mils stylize``).

* ``paper`` — the paper's setup: InstructPix2Pix (``timbrooks/instruct-pix2pix``, Euler-ancestral
  scheduler, a fixed seed per sample) edits the content image, a VGG-19 Gram scorer gives the style
  and content losses, Llama-3.1-8B-Instruct proposes edit instructions; 20 iterations, the 520-text
  pool, 100 new instructions per step, the top 100 shown. Needs a GPU and the models (hub or local
  copies via ``--set renderer.model=/path --set scorer.weights=/path/vgg19.pth --set generator.model=/path``).
* ``fast`` — the same components with less compute: 10 diffusion steps at 256 px, a 100-instruction
  pool, 5 iterations of 20, SmolLM2-1.7B-Instruct.
* ``offline`` — packaged weights only, runs on a laptop CPU in a minute or two: the ``image-ops``
  editor (mils-image-ops: Pillow/scikit-image operations written in a small language), the
  EfficientNet-Lite0 Gram scorer and SmolLM2-135M-Instruct (GGUF, llama.cpp). Weak next to a
  diffusion editor, but real.
"""

from __future__ import annotations

from typing import Any

#: [loop] weights of (style, content): the ranking number is style + 0.25 * content. On the scorer's
#: default scales both losses land between 0 and about 5; style is the objective, content the brake.
WEIGHTS = (1.0, 0.25)

PRESETS: dict[str, dict[str, Any]] = {
    "paper": {
        "renderer": {"name": "instruct-pix2pix", "model": "timbrooks/instruct-pix2pix", "steps": 20,
                     "guidance_scale": 7.5, "image_guidance_scale": 1.5, "size": 512, "batch_size": 8},
        "scorer": {"name": "gram-style", "network": "vgg19", "image_size": 512},
        "generator": {"name": "transformers", "model": "meta-llama/Llama-3.1-8B-Instruct", "max_new_tokens": 3000,
                      "temperature": 0.5, "top_p": 0.9, "batch_size": 16},
        "loop": {"top_k": 100, "n_new": 100, "batch_samples": 4},
        "stop": [{"name": "max-iterations", "n": 20}],
    },
    "fast": {
        "task": {"pool_size": 100},
        "renderer": {"name": "instruct-pix2pix", "model": "timbrooks/instruct-pix2pix", "steps": 10, "size": 256,
                     "batch_size": 8},
        "scorer": {"name": "gram-style", "network": "vgg19", "image_size": 256},
        "generator": {"name": "transformers", "model": "HuggingFaceTB/SmolLM2-1.7B-Instruct", "max_new_tokens": 600},
        "loop": {"top_k": 20, "n_new": 20, "batch_samples": 4},
        "stop": [{"name": "max-iterations", "n": 5}],
    },
    "offline": {
        "task": {"max_side": 256},
        "renderer": {"name": "image-ops", "max_side": 192},
        # the short description of the language keeps prompts near 700 tokens (a 135M model on a CPU)
        "prompt": {"name": "image-ops", "compact": True},
        # 100 instructions: each costs an edit and a score per sample; the LLM then has room to improve
        "pool": {"name": "image-ops-pool", "size": 100},
        "scorer": {"name": "gram-style", "network": "efficientnet-lite0", "image_size": 192},
        # A 135M model copies and recombines the shown instructions; at temperature 1.0 it also changes numbers.
        # transformers runs after `make demo`'s setup; where llama-cpp-python is built (`make test`),
        # --set generator.name=llama-cpp is ~3.5x faster (coffee pair: 35 s vs 125 s here).
        "generator": {"name": "transformers", "max_new_tokens": 120, "temperature": 1.0, "batch_size": 8},
        "loop": {"top_k": 8, "n_new": 8, "prompts_per_sample": 1, "batch_samples": 4},
        "stop": [{"name": "max-iterations", "n": 10}],
    },
}

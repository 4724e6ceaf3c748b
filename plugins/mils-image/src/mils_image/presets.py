"""Named bundles of components and hyper-parameters for ``mils caption`` and ``mils bench``.

* ``offline`` — packaged weights only (SmolLM2-135M-Instruct + the ImageNet-bridge scorer):
  runs anywhere with no hub access, in minutes on a laptop CPU. The scorer is weak.
* ``fast`` — a CPU-friendly compromise with hub models: SigLIP ViT-B/16 and SmolLM2-1.7B,
  a 5,000-text pool, 5 iterations of 20 texts. Trades caption quality for ~20x less compute.
* ``paper`` — the paper's setup: SigLIP SO400M/14 (webli) + Llama-3.1-8B-Instruct, the full
  pool, 10 iterations of 50 new texts with the top 50 shown. Needs a GPU and hub access
  (or local copies passed with ``--set scorer.pretrained=/path`` and ``--set generator.model=/path``).
"""

from __future__ import annotations

import copy
from typing import Any

PRESETS: dict[str, dict[str, Any]] = {
    "offline": {
        "task": {"max_words": 14, "pool_size": 24000},
        # A 135M model echoes the shown captions at the paper's temperature (0.5): at 1.0 it writes
        # 4-5x more new captions per iteration (chelsea.jpg: 44-51 scored vs 9-10).
        "generator": {"name": "transformers", "max_new_tokens": 72, "batch_size": 16, "temperature": 1.0,
                      "no_repeat_ngram_size": 4},
        "scorer": {"name": "imagenet-bridge"},
        # fluency: SmolLM2's own log-likelihood of each caption is a small second objective (a
        # weak scorer otherwise rewards word salad such as "computer toilets"; see scripts/heldout).
        "loop": {"top_k": 6, "n_new": 16, "prompts_per_sample": 4, "batch_samples": 4, "fluency": 0.005},
        "stop": [{"name": "max-iterations", "n": 5}, {"name": "plateau", "patience": 3, "min_delta": 0.0001}],
    },
    "fast": {
        "task": {"pool_size": 5000, "max_words": 18},
        "generator": {"name": "transformers", "model": "HuggingFaceTB/SmolLM2-1.7B-Instruct", "max_new_tokens": 400},
        "scorer": {"name": "open-clip", "model": "ViT-B-16-SigLIP", "pretrained": "webli"},
        "loop": {"top_k": 20, "n_new": 20, "batch_samples": 16},
        "stop": [{"name": "max-iterations", "n": 5}, {"name": "plateau", "patience": 2, "min_delta": 0.0005}],
    },
    "paper": {
        "task": {"max_words": 20},
        "generator": {"name": "transformers", "model": "meta-llama/Llama-3.1-8B-Instruct", "max_new_tokens": 3000,
                      "temperature": 0.5, "top_p": 0.9, "batch_size": 16},
        "scorer": {"name": "open-clip", "model": "ViT-SO400M-14-SigLIP", "pretrained": "webli"},
        "loop": {"top_k": 50, "n_new": 50, "batch_samples": 16},
        "stop": [{"name": "max-iterations", "n": 10}],
    },
}


def preset_config(name: str) -> dict[str, Any]:
    """A deep copy of a preset's config sections."""
    from mils_core.errors import ConfigError
    from mils_core.suggest import did_you_mean

    if name not in PRESETS:
        raise ConfigError(f"no preset named {name!r}.{did_you_mean(name, PRESETS)} Presets: {', '.join(PRESETS)}.")
    return copy.deepcopy(PRESETS[name])

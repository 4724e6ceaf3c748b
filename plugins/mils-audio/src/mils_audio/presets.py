"""Named bundles of components and hyper-parameters for the ``audio-captioning`` task.

* ``fast`` — hub models on a modest machine: ``hf-clap`` with ``laion/clap-htsat-unfused`` and
  SmolLM2-1.7B, a 6,000-text pool, 6 iterations of 20 texts with the top 10 shown.
* ``paper`` — the paper's setup: ImageBind-huge (``imagebind`` scorer, the official
  ``imagebind_huge.pth``, 3 clips of 2 s at 16 kHz) with Llama-3.1-8B-Instruct (temperature 0.5,
  top-p 0.9), the whole pool, 19 iterations of 50 new texts with the top 10 shown.

There is **no offline preset**: no audio-text model ships inside a PyPI package, so there is nothing
to run with no hub access. ``--preset offline`` fails with one line naming the presets to use; with
local copies of the models, pass them as ``--set scorer.model=/path --set generator.model=/path``.
"""

from __future__ import annotations

from typing import Any

#: What ``--preset offline`` says (audio has no packaged model to run without a hub).
NO_OFFLINE = ("audio-captioning has no offline preset: no audio-text model ships in a package; use --preset fast "
              "(downloads laion/clap-htsat-unfused and SmolLM2-1.7B once) or --preset paper (ImageBind-huge), or pass "
              "local copies with --set scorer.model=/path/to/clap --set generator.model=/path/to/llm")

PRESETS: dict[str, dict[str, Any]] = {
    "fast": {
        "task": {"pool_size": 6000, "max_words": 16, "examples": 3, "sample_rate": 48000},
        "generator": {"name": "transformers", "model": "HuggingFaceTB/SmolLM2-1.7B-Instruct", "max_new_tokens": 400},
        "scorer": {"name": "hf-clap", "model": "laion/clap-htsat-unfused", "max_windows": 3},
        "loop": {"top_k": 10, "n_new": 20, "batch_samples": 16},
        "stop": [{"name": "max-iterations", "n": 6}, {"name": "plateau", "patience": 2, "min_delta": 0.0005}],
    },
    "paper": {
        "task": {"max_words": 20, "examples": 5, "sample_rate": 16000},
        "generator": {"name": "transformers", "model": "meta-llama/Llama-3.1-8B-Instruct", "max_new_tokens": 3000,
                      "temperature": 0.5, "top_p": 0.9, "batch_size": 16},
        "scorer": {"name": "imagebind", "checkpoint": "imagebind_huge", "clips": 3},
        "loop": {"top_k": 10, "n_new": 50, "batch_samples": 16},
        "stop": [{"name": "max-iterations", "n": 19}],
    },
}

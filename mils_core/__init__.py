"""mils: a text-only LLM proposes, a multimodal scorer ranks, repeat (MILS, ICML 2025).

Importing this package is cheap: it imports neither torch nor any model library. The public
API (:mod:`mils_core.api`: ``run``, ``caption``, ``list_components``, the base classes, ``hookimpl``,
the batcher and the errors) is re-exported here and imported on first use.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

#: The names of :mod:`mils_core.api` (kept equal to its ``__all__``; a test checks).
_API = frozenset(
    [
        "Batcher",
        "Component",
        "ComponentInfo",
        "Config",
        "ConfigError",
        "Dataset",
        "EmbeddingScorer",
        "Generation",
        "Generator",
        "GeneratorError",
        "KINDS",
        "Kind",
        "Message",
        "MilsError",
        "MilsPluginManager",
        "ModelPathError",
        "ModelUnavailableError",
        "OutOfMemoryError",
        "PoolSource",
        "Prompt",
        "PromptStyle",
        "RegisterFn",
        "Renderer",
        "ResultsError",
        "RunSummary",
        "Sample",
        "SampleError",
        "SampleProgress",
        "SampleRecord",
        "Score",
        "ScoredText",
        "Scorer",
        "StoppingRule",
        "TEXT",
        "Task",
        "UnknownComponentError",
        "as_rgb_image",
        "caption",
        "close_at_exit",
        "derive_seed",
        "hf_offline",
        "hookimpl",
        "hub_access",
        "hub_file",
        "list_components",
        "load_config",
        "load_image",
        "looks_like_path",
        "make_plugin_manager",
        "models",
        "packaged_file",
        "read_sample_records",
        "run",
        "scalarize",
        "validators",
    ]
)


def __getattr__(name: str) -> Any:
    if name not in _API:  # submodules and unknown names take the normal path
        raise AttributeError(f"module 'mils_core' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module("mils_core.api"), name)


def __dir__() -> list[str]:
    return sorted({"__version__", *_API})


__all__ = ["__version__"]

"""mils-llm: text generators for MILS.

Registers three generators (see :mod:`mils_llm.plugin`):

* ``transformers`` -- any Hugging Face causal LM (hub name, local folder, or a ``.gguf`` file);
* ``llama-cpp`` -- GGUF models through llama-cpp-python;
* ``openai`` -- any OpenAI-compatible chat-completions server (vLLM, Ollama, OpenAI, ...).

Importing this package is cheap: torch, transformers and llama_cpp are imported only
when a model is loaded.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]

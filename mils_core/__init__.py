"""mils: a text-only LLM proposes, a multimodal scorer ranks, repeat (MILS, ICML 2025).

Importing this package is cheap: it imports neither torch nor any model library.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]

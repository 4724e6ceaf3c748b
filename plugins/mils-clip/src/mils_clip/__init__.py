"""Image-text scorers for MILS: ``open-clip`` (any open_clip model) and ``hf-clip`` (transformers)."""

__version__ = "0.1.0"

"""MILS video captioning for mils: task, prompt, initial pool, and the x-clip and frame-pooled scorers."""

__version__ = "0.1.0"

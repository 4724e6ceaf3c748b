"""MILS audio captioning: the ``audio-captioning`` task, an original audio pool, and audio-text scorers."""

__version__ = "0.1.0"

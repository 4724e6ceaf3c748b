"""MILS image captioning for mils: task, image loading, initial pool, `mils caption`."""

__version__ = "0.1.0"

"""mils-image-ops: an offline image editor for MILS style transfer (a small language of image operations)."""

__version__ = "0.1.0"

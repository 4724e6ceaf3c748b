"""An offline image-text scorer: ImageNet class probabilities bridged to captions by sentence embeddings."""

__version__ = "0.1.0"

"""MILS text-to-image prompt enhancement: diffusers renderers, the ``t2i-enhancement`` task and ``mils enhance``."""

__all__: list[str] = []

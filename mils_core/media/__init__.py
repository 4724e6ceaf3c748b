"""Decoding the media a task or scorer is given: images now (:mod:`mils_core.media.image`),
video and audio next to it.

Importing this package imports nothing heavy: each decoder imports its library (Pillow for
images) inside the functions that need it, and says how to install it when it is missing
(``pip install 'mils-core[media]'``). Every decoder raises
:class:`~mils_core.errors.SampleError` with a one-line reason for a file it cannot read, so
one bad file fails one sample, not the run.
"""

from __future__ import annotations

__all__: list[str] = []

"""Seeds derived from names and numbers: the same parts give the same seed everywhere.

The loop derives each sample's seed from the run seed and the sample id, and each prompt's
seed from that; generators fold the prompt's seed into their own. One function does all
of it, so a seed never depends on the process, the platform or ``PYTHONHASHSEED``.
"""

from __future__ import annotations

import hashlib

__all__ = ["derive_seed"]


def derive_seed(*parts: object, bits: int = 63) -> int:
    """A stable non-negative seed of ``bits`` bits (1 to 64) derived from ``parts``.

    The parts are joined with ``|`` as text (``str()`` of each), hashed with SHA-256, and the
    first eight bytes of the digest (big-endian) are cut to ``bits`` bits. ``bits=31`` fits a
    signed 32-bit seed (llama.cpp), the default 63 bits a signed 64-bit one (torch, numpy).
    """
    if isinstance(bits, bool) or not isinstance(bits, int) or not 1 <= bits <= 64:
        raise ValueError(f"bits must be an integer from 1 to 64, got {bits!r}")
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") & ((1 << bits) - 1)

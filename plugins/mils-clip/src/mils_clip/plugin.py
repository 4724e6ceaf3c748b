"""Registers the ``open-clip`` and ``hf-clip`` scorers (entry point ``clip`` of mils-clip).

Imports nothing heavy: torch, open_clip and transformers are imported in ``load()``.
"""

from __future__ import annotations

from mils_clip.hf_clip_scorer import HfClipOptions, HfClipScorer
from mils_clip.open_clip_scorer import OpenClipOptions, OpenClipScorer
from mils_core.hookspecs import hookimpl
from mils_core.registry import RegisterFn


@hookimpl
def mils_register_scorers(register: RegisterFn) -> None:
    register("open-clip", OpenClipScorer, options=OpenClipOptions,
             description="image-text cosine with any open_clip model (default SigLIP ViT-SO400M-14 / webli)")
    register("hf-clip", HfClipScorer, options=HfClipOptions,
             description="image-text cosine with a transformers CLIP/SigLIP model (hub name or local folder)")

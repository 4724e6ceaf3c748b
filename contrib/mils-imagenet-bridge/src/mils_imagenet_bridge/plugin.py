"""Registers the ``imagenet-bridge`` scorer (entry point ``imagenet-bridge`` of mils-imagenet-bridge).

Imports nothing heavy: torch, transformers and the classifier are imported in ``load()``.
"""

from __future__ import annotations

from mils_core.hookspecs import hookimpl
from mils_core.registry import RegisterFn
from mils_imagenet_bridge.scorer import BridgeOptions, ImagenetBridge


@hookimpl
def mils_register_scorers(register: RegisterFn) -> None:
    register("imagenet-bridge", ImagenetBridge, options=BridgeOptions,
             description="offline image-text score: ImageNet classes (EfficientNet-Lite0) x MiniLM (weak, runs anywhere)")

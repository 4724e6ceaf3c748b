"""The viclip scorer on a tiny ViCLIP checkpoint built at test time and saved in the official key layout.

The reference forward below is written from the model description (tokens, embeddings, blocks,
pooling) with plain tensor ops and torch's functional multi-head attention, independently of
the scorer's modules, and the two must agree on the same weights.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mils_core.errors import ConfigError, ModelUnavailableError
from mils_core.media.video import as_frames
from mils_core.testing.contracts import ScorerContract, unavailable_model_message

torch = pytest.importorskip("torch")
pytest.importorskip("open_clip")

from mils_video.viclip import (  # noqa: E402
    IMAGENET_MEAN,
    IMAGENET_STD,
    ViClipConfig,
    ViClipOptions,
    ViClipScorer,
    build_model,
    preprocess_frames,
    read_state_dict,
    tokenize,
)

TINY = ViClipConfig(vision_width=32, vision_layers=2, vision_heads=2, patch_size=8, image_size=32, frames=4,
                    embed_dim=16, text_width=32, text_layers=2, text_heads=2, context_length=32, text_embed_dim=16)
HEADS = {"vision_heads": 2, "text_heads": 2}


def official_keys(cfg: ViClipConfig) -> set[str]:
    """The state-dict keys of the released ViCLIP checkpoints, for a model of these shapes."""
    block = ["attn.in_proj_weight", "attn.in_proj_bias", "attn.out_proj.weight", "attn.out_proj.bias",
             "ln_1.weight", "ln_1.bias", "mlp.c_fc.weight", "mlp.c_fc.bias", "mlp.c_proj.weight", "mlp.c_proj.bias",
             "ln_2.weight", "ln_2.bias"]
    keys = {"temp"}
    keys |= {f"vision_encoder.{k}" for k in ("conv1.weight", "class_embedding", "positional_embedding",
                                             "temporal_positional_embedding", "ln_pre.weight", "ln_pre.bias",
                                             "ln_post.weight", "ln_post.bias", "proj")}
    keys |= {f"vision_encoder.transformer.resblocks.{i}.{k}" for i in range(cfg.vision_layers) for k in block}
    keys |= {f"text_encoder.{k}" for k in ("token_embedding.weight", "positional_embedding", "ln_final.weight",
                                           "ln_final.bias", "text_projection")}
    keys |= {f"text_encoder.transformer.resblocks.{i}.{k}" for i in range(cfg.text_layers) for k in block}
    return keys


def random_state(cfg: ViClipConfig, seed: int = 0) -> dict[str, Any]:
    """Random weights everywhere (LayerNorms and the temporal embedding too, so nothing hides behind an init)."""
    torch.manual_seed(seed)
    model = build_model(cfg)
    with torch.no_grad():
        for name, param in model.named_parameters():
            if name.endswith(("ln_1.weight", "ln_2.weight", "ln_pre.weight", "ln_post.weight", "ln_final.weight")):
                param.copy_(1 + 0.1 * torch.randn_like(param))
            elif name == "temp":
                param.fill_(0.01)
            else:
                param.copy_(0.2 * torch.randn_like(param))
    return {k: t.clone() for k, t in model.state_dict().items()}


@pytest.fixture(scope="module")
def tiny_state() -> dict[str, Any]:
    return random_state(TINY)


@pytest.fixture(scope="module")
def tiny_ckpt(tmp_path_factory: pytest.TempPathFactory, tiny_state: dict[str, Any]) -> Path:
    """Saved as the official file is: the state dict under ``model``, beside other entries."""
    path = tmp_path_factory.mktemp("viclip") / "ViClip-InternVid-10M-FLT.pth"
    torch.save({"model": tiny_state, "epoch": 3}, path)
    return path


def scorer_for(path: Path, **options: Any) -> ViClipScorer:
    return ViClipScorer(ViClipOptions(model=str(path), device="cpu", **{"frames": 4, **HEADS, **options}))


# -- the reference forward ---------------------------------------------------------------------
def _ln(x: Any, sd: dict[str, Any], name: str) -> Any:
    return torch.nn.functional.layer_norm(x, x.shape[-1:], sd[f"{name}.weight"], sd[f"{name}.bias"], 1e-5)


def _block(x: Any, sd: dict[str, Any], name: str, heads: int, mask: Any) -> Any:
    """One pre-LN residual block; x is (L, B, D) as torch's functional attention takes it."""
    F = torch.nn.functional
    h = _ln(x, sd, f"{name}.ln_1")
    attn, _ = F.multi_head_attention_forward(
        h, h, h, x.shape[-1], heads, sd[f"{name}.attn.in_proj_weight"], sd[f"{name}.attn.in_proj_bias"],
        None, None, False, 0.0, sd[f"{name}.attn.out_proj.weight"], sd[f"{name}.attn.out_proj.bias"],
        training=False, need_weights=False, attn_mask=mask)
    x = x + attn
    h = F.linear(_ln(x, sd, f"{name}.ln_2"), sd[f"{name}.mlp.c_fc.weight"], sd[f"{name}.mlp.c_fc.bias"])
    h = h * torch.sigmoid(1.702 * h)
    return x + F.linear(h, sd[f"{name}.mlp.c_proj.weight"], sd[f"{name}.mlp.c_proj.bias"])


def reference_video(sd: dict[str, Any], cfg: ViClipConfig, video: Any) -> Any:
    """video: (B, T, 3, S, S). Patches cut out by hand, one token per (patch, frame)."""
    p, g, d = cfg.patch_size, cfg.image_size // cfg.patch_size, cfg.vision_width
    B, T = video.shape[:2]
    w = sd["vision_encoder.conv1.weight"][:, :, 0].reshape(d, -1)  # kernel_size 1: (d, 3*p*p)
    tokens = [sd["vision_encoder.class_embedding"] + sd["vision_encoder.positional_embedding"][0]]
    tokens = [tokens[0].expand(B, d)]
    for i in range(g):
        for j in range(g):
            for t in range(T):
                patch = video[:, t, :, i * p:(i + 1) * p, j * p:(j + 1) * p].reshape(B, -1)
                tok = patch @ w.T + sd["vision_encoder.positional_embedding"][1 + i * g + j]
                tokens.append(tok + sd["vision_encoder.temporal_positional_embedding"][0, t])
    x = torch.stack(tokens, dim=0)  # (L, B, d)
    x = _ln(x, sd, "vision_encoder.ln_pre")
    for layer in range(cfg.vision_layers):
        x = _block(x, sd, f"vision_encoder.transformer.resblocks.{layer}", cfg.vision_heads, None)
    return _ln(x[0], sd, "vision_encoder.ln_post") @ sd["vision_encoder.proj"]


def reference_text(sd: dict[str, Any], cfg: ViClipConfig, tokens: Any) -> Any:
    """tokens: (B, context_length) zero-padded to the full context, as the authors' tokenizer pads."""
    L = tokens.shape[1]
    x = (sd["text_encoder.token_embedding.weight"][tokens] + sd["text_encoder.positional_embedding"]).transpose(0, 1)
    mask = torch.full((L, L), float("-inf")).triu(1)
    for layer in range(cfg.text_layers):
        x = _block(x, sd, f"text_encoder.transformer.resblocks.{layer}", cfg.text_heads, mask)
    x = _ln(x.transpose(0, 1), sd, "text_encoder.ln_final")
    eot = [int(np.flatnonzero(row == 49407)[0]) for row in tokens.numpy()]
    return x[torch.arange(len(eot)), eot] @ sd["text_encoder.text_projection"]


def _unit(x: Any) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


# -- contract ----------------------------------------------------------------------------------
class TestViClip(ScorerContract):
    @pytest.fixture
    def scorer(self, tiny_ckpt: Path) -> Any:
        from mils_core.plugins import make_plugin_manager

        spec = make_plugin_manager().registry.get("scorer", "viclip")
        return spec.build({"model": str(tiny_ckpt), "frames": 4, "device": "cpu", "target_batch_size": 1, **HEADS})

    @pytest.fixture
    def targets(self, clips: list[Any]) -> list[Any]:
        return clips


# -- layout and loading --------------------------------------------------------------------------
def test_the_state_dict_has_the_official_key_layout(tiny_state: dict[str, Any]) -> None:
    assert set(tiny_state) == official_keys(TINY)
    assert tuple(tiny_state["vision_encoder.conv1.weight"].shape) == (32, 3, 1, 8, 8)
    assert tuple(tiny_state["vision_encoder.temporal_positional_embedding"].shape) == (1, 4, 32)
    assert tuple(tiny_state["vision_encoder.positional_embedding"].shape) == (17, 32)
    assert tuple(tiny_state["text_encoder.positional_embedding"].shape) == (32, 32)
    assert tuple(tiny_state["vision_encoder.transformer.resblocks.0.attn.in_proj_weight"].shape) == (96, 32)
    assert tiny_state["temp"].shape == ()


@pytest.mark.slow
def test_the_released_shapes_have_the_official_keys() -> None:
    full = build_model()  # the released ViCLIP-L/14 shapes (random weights, nothing downloaded)
    keys = set(full.state_dict())
    assert keys == official_keys(ViClipConfig())
    assert sum(t.numel() for t in full.parameters()) > 400_000_000
    del full


def test_loads_strictly_and_infers_the_shapes(tiny_ckpt: Path, tiny_state: dict[str, Any]) -> None:
    scorer = scorer_for(tiny_ckpt)
    scorer.ensure_loaded()
    assert scorer.config == TINY
    loaded = scorer._model.state_dict()
    assert set(loaded) == set(tiny_state)
    for key, value in tiny_state.items():
        assert torch.equal(loaded[key], value), key


def test_video_and_text_embeddings_match_the_reference_forward(tiny_ckpt: Path, tiny_state: dict[str, Any],
                                                               clips: list[Any]) -> None:
    scorer = scorer_for(tiny_ckpt)
    scorer.ensure_loaded()
    video = torch.stack([preprocess_frames(as_frames(c, 4), 32) for c in clips])
    with torch.no_grad():
        expected_video = reference_video(tiny_state, TINY, video).numpy()
    got_video = scorer.encode_target_batch(clips)
    np.testing.assert_allclose(got_video, expected_video, atol=1e-5, rtol=1e-5)

    texts = ["a man rides a bicycle down a hill", "a car", " ".join(["word"] * 60)]
    full = torch.from_numpy(tokenize(texts, 32, pad_to=32))
    with torch.no_grad():
        expected_text = reference_text(tiny_state, TINY, full).numpy()
    got_text = scorer.encode_text_batch(texts)  # padded to the batch's longest, not the full context
    np.testing.assert_allclose(got_text, expected_text, atol=1e-5, rtol=1e-5)

    # embeddings come back normalised and the same every time
    handles = scorer.prepare_targets(clips)
    np.testing.assert_allclose(np.stack(handles), _unit(expected_video), atol=1e-5)
    np.testing.assert_allclose(np.linalg.norm(scorer.text_embeddings(texts), axis=1), 1.0, atol=1e-5)
    again = scorer_for(tiny_ckpt)
    np.testing.assert_array_equal(np.stack(again.prepare_targets(clips)), np.stack(handles))
    scores = np.array(scorer.score(handles, [texts] * len(clips)))
    np.testing.assert_allclose(scores, _unit(expected_video) @ _unit(expected_text).T, atol=1e-5)


def test_tokens_are_clip_bpe_truncated_with_the_end_token_last() -> None:
    from open_clip.tokenizer import SimpleTokenizer

    simple = SimpleTokenizer()
    ids = tokenize(["A man  rides a bicycle!", " ".join(["dog"] * 50)], 32)
    assert ids.shape == (2, 32)
    expected = [49406, *simple.encode("a man rides a bicycle!"), 49407]
    assert ids[0, : len(expected)].tolist() == expected and not ids[0, len(expected):].any()
    assert ids[1, 0] == 49406 and ids[1, -1] == 49407 and (ids[1] == 49407).sum() == 1
    assert tokenize(["a"], 32).shape == (1, 3)


def test_frames_are_resized_and_normalised_with_the_authors_values() -> None:
    frames = np.zeros((2, 48, 64, 3), np.uint8)
    frames[..., 0], frames[..., 1], frames[..., 2] = 200, 100, 50
    x = preprocess_frames(frames, 32)
    assert tuple(x.shape) == (2, 3, 32, 32)
    expected = (np.array([200, 100, 50]) / 255.0 - np.array(IMAGENET_MEAN)) / np.array(IMAGENET_STD)
    np.testing.assert_allclose(x.mean(dim=(0, 2, 3)).numpy(), expected, atol=1e-5)
    assert tuple(preprocess_frames(frames, 32, resize="center-crop", normalize="clip").shape) == (2, 3, 32, 32)


def test_wrapped_and_prefixed_checkpoints_and_a_folder(tmp_path: Path, tiny_state: dict[str, Any]) -> None:
    wrapped = tmp_path / "wrapped.pth"
    torch.save({"state_dict": {f"module.{k}": t for k, t in tiny_state.items()}}, wrapped)
    assert set(read_state_dict(wrapped)) == set(tiny_state)
    folder = tmp_path / "folder"
    folder.mkdir()
    torch.save(tiny_state, folder / "ViClip-InternVid-10M-FLT.pth")
    scorer = scorer_for(folder)
    scorer.ensure_loaded()
    assert scorer.config == TINY
    torch.save(tiny_state, folder / "ViCLIP-L_InternVid-200M.pth")
    assert scorer_for(folder, variant="200m").checkpoint_path().name == "ViCLIP-L_InternVid-200M.pth"
    (folder / "ViCLIP-L_InternVid-200M.pth").rename(folder / "mine.pth")
    with pytest.raises(ConfigError, match="2 other checkpoints"):
        scorer_for(folder, variant="200m").checkpoint_path()


def test_bfloat16_agrees_with_float32(tiny_ckpt: Path, clips: list[Any]) -> None:
    texts = ["a man rides a bicycle", "a red car on a road"]
    exact = scorer_for(tiny_ckpt)
    half = scorer_for(tiny_ckpt, dtype="bfloat16")
    got = np.array(half.score(half.prepare_targets(clips), [texts] * len(clips)))
    expected = np.array(exact.score(exact.prepare_targets(clips), [texts] * len(clips)))
    np.testing.assert_allclose(got, expected, atol=0.05)


def test_a_checkpoint_with_pickled_classes_loads_without_running_them(tmp_path: Path,
                                                                      tiny_state: dict[str, Any]) -> None:
    """Like the 200M file, which pickles a training-config class beside the weights."""
    (tmp_path / "trainer_cfg.py").write_text("class EasyDict(dict):\n    pass\n")
    torch.save(tiny_state, tmp_path / "plain.pth")
    script = textwrap.dedent("""
        import sys, torch, trainer_cfg
        state = torch.load(sys.argv[1], weights_only=True)
        cfg = trainer_cfg.EasyDict(lr=1e-4, frames=8)
        cfg.extra = "x"
        torch.save({"model": state, "config": cfg}, sys.argv[2])
    """)
    out = tmp_path / "with-config.pth"
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "plain.pth"), str(out)], check=True, env=env,
                   timeout=120)
    assert "trainer_cfg" not in sys.modules
    assert set(read_state_dict(out)) == set(tiny_state)
    assert "trainer_cfg" not in sys.modules


def test_layout_mismatches_fail_in_one_line(tmp_path: Path, tiny_state: dict[str, Any]) -> None:
    extra = tmp_path / "extra.pth"
    torch.save({"model": {**tiny_state, "vision_encoder.head.weight": torch.zeros(2)}}, extra)
    with pytest.raises(ConfigError, match="does not match the ViCLIP layout") as excinfo:
        scorer_for(extra).ensure_loaded()
    assert "\n" not in str(excinfo.value)
    missing = tmp_path / "missing.pth"
    torch.save({"model": {k: t for k, t in tiny_state.items() if k != "vision_encoder.proj"}}, missing)
    with pytest.raises(ConfigError, match="vision_encoder.proj"):
        scorer_for(missing).ensure_loaded()
    other = tmp_path / "other.pth"
    torch.save({"weights": {"a": torch.zeros(1)}}, other)
    with pytest.raises(ConfigError, match="no ViCLIP weights"):
        scorer_for(other).ensure_loaded()
    with pytest.raises(ConfigError, match="attention heads"):
        ViClipScorer(ViClipOptions(model=str(extra), device="cpu", vision_heads=5, text_heads=2)).ensure_loaded()


def test_other_frame_counts_adapt_the_temporal_embedding(tiny_ckpt: Path, tiny_state: dict[str, Any],
                                                         clips: list[Any]) -> None:
    old = tiny_state["vision_encoder.temporal_positional_embedding"]
    fewer = scorer_for(tiny_ckpt, frames=2)
    assert fewer.prepare_targets(clips[:1])[0].shape == (16,)
    assert torch.equal(fewer._model.vision_encoder.temporal_positional_embedding, old[:, :2])
    more = scorer_for(tiny_ckpt, frames=8)
    assert more.prepare_targets(clips[:1])[0].shape == (16,)
    expected = torch.nn.functional.interpolate(old.transpose(1, 2), size=8, mode="linear").transpose(1, 2)
    assert torch.allclose(more._model.vision_encoder.temporal_positional_embedding, expected)
    one = scorer_for(tiny_ckpt, frames=1)  # a single frame gets the mean of the temporal rows
    assert one.prepare_targets(clips[:1])[0].shape == (16,)


def test_missing_paths_and_the_hub_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ModelUnavailableError, match="does not exist"):
        ViClipScorer(ViClipOptions(model=str(tmp_path / "nope.pth"), device="cpu")).ensure_loaded()
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelUnavailableError, match="has no ViClip-InternVid-10M-FLT.pth"):
        ViClipScorer(ViClipOptions(model=str(tmp_path / "empty"), device="cpu")).ensure_loaded()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub-cache"))
    message = unavailable_model_message(ViClipScorer(ViClipOptions(device="cpu")))
    assert "OpenGVLab/ViCLIP" in message and "ViClip-InternVid-10M-FLT.pth" in message and "model = " in message
    message = unavailable_model_message(ViClipScorer(ViClipOptions(variant="200m", device="cpu")))
    assert "ViCLIP-L_InternVid-200M.pth" in message and "aliyuncs.com" in message


def test_options_are_checked() -> None:
    with pytest.raises((ConfigError, ValueError, TypeError)):
        ViClipOptions(variant="1b")
    with pytest.raises((ConfigError, ValueError, TypeError)):
        ViClipOptions(frames=0)


def test_importing_the_plugin_and_the_module_stays_light() -> None:
    code = "import sys, mils_video.plugin, mils_video.viclip; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)

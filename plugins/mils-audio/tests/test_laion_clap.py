"""The clap scorer (laion-clap's model code) on a tiny checkpoint saved like the released ones; offline safety."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mils_core.errors import ConfigError, ModelUnavailableError
from mils_core.media.audio import load_audio, windows
from mils_core.testing.contracts import ScorerContract, unavailable_model_message

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::FutureWarning"),
              pytest.mark.filterwarnings("ignore:torch.meshgrid:UserWarning")]
_LOADED: dict[str, Any] = {}


def loaded(ckpt: Path, tokenizer: Path) -> Any:
    """One loaded scorer per checkpoint for the module (building HTSAT-tiny takes seconds), caches reset."""
    from mils_audio.laion_clap import ClapOptions, ClapScorer

    key = str(ckpt)
    if key not in _LOADED:
        scorer = ClapScorer(ClapOptions(checkpoint=str(ckpt), text_tokenizer=str(tokenizer), device="cpu",
                                        max_windows=2))
        scorer.ensure_loaded()
        _LOADED[key] = scorer
    _LOADED[key].reset_caches()
    return _LOADED[key]


class TestClapContract(ScorerContract):
    @pytest.fixture
    def scorer(self, laion_ckpt: Path, roberta_dir: Path) -> Any:
        return loaded(laion_ckpt, roberta_dir)

    @pytest.fixture
    def targets(self, clips: list[Any]) -> list[Any]:
        return clips[:2]


def test_matches_laion_clap_called_directly(laion_ckpt: Path, roberta_dir: Path, clips: list[Any]) -> None:
    import torch
    from transformers import AutoTokenizer

    scorer = loaded(laion_ckpt, roberta_dir)
    texts = ["a dog barks", "rain falls on a roof"]
    got = np.array(scorer.score(scorer.prepare_targets(clips[:1]), [texts])[0])
    model = scorer._model  # the loaded model itself, called the way laion-clap's CLAP_Module calls it
    wave = load_audio(clips[0].path, 48000).samples
    n = 480000 // len(wave)
    padded = np.zeros(480000, np.float32)
    padded[: n * len(wave)] = np.tile(wave, n)  # laion-clap's repeatpad
    quant = (np.clip(padded, -1, 1) * 32767).astype(np.int16).astype(np.float32) / 32767
    with torch.no_grad():
        audio = model.get_audio_embedding([{"waveform": torch.from_numpy(quant), "longer": torch.tensor([False])}])
        tok = AutoTokenizer.from_pretrained(roberta_dir)(texts, padding="max_length", truncation=True, max_length=77,
                                                         return_tensors="pt")
        text = model.get_text_embedding({"input_ids": tok["input_ids"], "attention_mask": tok["attention_mask"]})
    assert np.allclose(got, (text @ audio.T).numpy()[:, 0], atol=1e-4)
    distinct = scorer.text_embeddings(["a dog barks", "people talk and laugh"])
    assert not np.allclose(distinct[0], distinct[1])  # a real tokenizer: different texts, different tokens


def test_long_clips_pool_windows_and_silence_is_finite(laion_ckpt: Path, roberta_dir: Path, sound_dir: Path) -> None:
    scorer = loaded(laion_ckpt, roberta_dir)
    long = load_audio(sound_dir / "long.wav", 48000)
    handles = scorer.prepare_targets([long, load_audio(sound_dir / "silence.wav"), load_audio(sound_dir / "dc.wav")])
    assert scorer.stats()["windows_encoded"] == 4  # two windows of the 40 s clip (max_windows=2), one each
    rows = scorer.encode_windows(windows(long.samples, 480000, max_windows=2))
    rows = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    mean = rows.mean(axis=0)
    assert np.allclose(handles[0], mean / np.linalg.norm(mean), atol=1e-5)
    assert np.isfinite(np.array(scorer.score(handles, [["a dog barks"]] * 3))).all()


def test_fusion_checkpoints_and_the_layout_read_from_weights(tmp_path: Path, roberta_dir: Path, clips: list[Any],
                                                             laion_ckpt: Path, make_laion_clap: Any) -> None:
    import torch
    from mils_audio.laion_clap import ClapOptions, ClapScorer, infer_layout, read_state_dict
    from transformers import AutoTokenizer

    assert infer_layout(read_state_dict(laion_ckpt)) == ("HTSAT-tiny", False)
    vocab = len(AutoTokenizer.from_pretrained(roberta_dir))
    fused = make_laion_clap(tmp_path / "tiny-fusion.pt", vocab_size=vocab, fusion=True, seed=1)
    state = read_state_dict(fused)
    assert infer_layout(state) == ("HTSAT-tiny", True)
    assert "text_branch.embeddings.position_ids" not in state and not any(k.startswith("module.") for k in state)
    scorer = ClapScorer(ClapOptions(checkpoint=str(fused), text_tokenizer=str(roberta_dir), device="cpu"))
    scores = scorer.score(scorer.prepare_targets(clips[:1]), [["a dog barks", "birds chirp"]])
    assert np.isfinite(scores).all() and scorer._fusion
    # a bare state dict (no wrapper, no prefix) reads the same; a tokenizer larger than the text tower is refused
    bare = tmp_path / "bare.pt"
    torch.save(read_state_dict(laion_ckpt), bare)
    assert infer_layout(read_state_dict(bare)) == ("HTSAT-tiny", False)
    small = {k: (v[:10] if k == "text_branch.embeddings.word_embeddings.weight" else v)
             for k, v in read_state_dict(laion_ckpt).items()}
    torch.save(small, tmp_path / "small-vocab.pt")
    with pytest.raises(ConfigError, match="tokens but the checkpoint's text tower 10") as info:
        ClapScorer(ClapOptions(checkpoint=str(tmp_path / "small-vocab.pt"), text_tokenizer=str(roberta_dir),
                               device="cpu")).ensure_loaded()
    assert "\n" not in str(info.value)
    torch.save({"weights": [1, 2]}, tmp_path / "junk.pt")
    with pytest.raises(ConfigError, match="no state dict"):
        read_state_dict(tmp_path / "junk.pt")


def test_offline_is_fast_and_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, laion_ckpt: Path,
                                      roberta_dir: Path) -> None:
    from mils_audio.laion_clap import ClapOptions, ClapScorer

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "cache"))
    message = unavailable_model_message(ClapScorer(ClapOptions(checkpoint=str(laion_ckpt), device="cpu")))
    assert "roberta-base" in message and "text_tokenizer" in message
    message = unavailable_model_message(ClapScorer(ClapOptions(text_tokenizer=str(roberta_dir), device="cpu")))
    assert "630k-audioset-best.pt" in message and "checkpoint" in message
    with pytest.raises(ModelUnavailableError, match="does not exist"):
        ClapScorer(ClapOptions(checkpoint=str(tmp_path / "nope.pt"), text_tokenizer=str(roberta_dir))).ensure_loaded()
    with pytest.raises(ConfigError, match="unknown CLAP checkpoint"):
        ClapScorer(ClapOptions(checkpoint="best-ever", text_tokenizer=str(roberta_dir))).ensure_loaded()


def test_an_empty_tokenizer_is_refused(tmp_path: Path) -> None:
    """What transformers 5 builds offline for laion-clap's import-time tokenizers: specials only."""
    from mils_audio.laion_clap import load_tokenizer
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import RobertaTokenizerFast

    tok = Tokenizer(models.BPE(vocab={"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}, merges=[], unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    RobertaTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", unk_token="<unk>", pad_token="<pad>",
                         sep_token="</s>", cls_token="<s>", mask_token="<unk>").save_pretrained(tmp_path / "empty")
    with pytest.raises(ConfigError, match="is empty"):
        load_tokenizer(str(tmp_path / "empty"))


GUARD = r"""
import json, socket, sys, time
attempts = []
def refuse(self, address, *a, **k):
    attempts.append(str(address))
    raise OSError("network blocked by the test")
socket.socket.connect = refuse
socket.socket.connect_ex = lambda self, address: (attempts.append(str(address)), 111)[1]
socket.create_connection = lambda address, *a, **k: refuse(None, address)
t0 = time.time()
from mils_audio.laion_clap import ClapOptions, ClapScorer
import numpy as np
scorer = ClapScorer(ClapOptions(checkpoint=sys.argv[1], text_tokenizer=sys.argv[2], device="cpu", max_windows=1))
scorer.ensure_loaded()
emb = scorer.text_embeddings(["a dog barks", "rain falls on a roof"])
ids = scorer._tokenizer(["a dog barks", "rain falls on a roof"])["input_ids"]
print(json.dumps({"attempts": attempts, "seconds": time.time() - t0, "laion_clap_imported": "laion_clap" in sys.modules,
                  "training_imported": any(m.startswith("training") for m in sys.modules),
                  "distinct_ids": ids[0] != ids[1], "distinct_embeddings": bool(not np.allclose(emb[0], emb[1]))}))
"""


def test_loading_never_reaches_for_the_network(laion_ckpt: Path, roberta_dir: Path) -> None:
    """Import and load in a fresh process whose sockets refuse to connect, with HF_HUB_OFFLINE *unset*
    (nothing tells the libraries to stay off the hub): no connection is attempted, laion_clap's
    import-time tokenizers are never built, and the tokenizer in use is a real one."""
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    env["HF_ENDPOINT"] = "http://127.0.0.1:9"
    proc = subprocess.run([sys.executable, "-c", GUARD, str(laion_ckpt), str(roberta_dir)], capture_output=True,
                          text=True, env=env, timeout=240)
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert report["attempts"] == [], report
    assert not report["laion_clap_imported"] and not report["training_imported"]
    assert report["distinct_ids"] and report["distinct_embeddings"]

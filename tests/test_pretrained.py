"""The core's transformers loader: folder or hub name, a capability check, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from mils_core.errors import ConfigError, ModelUnavailableError
from mils_core.model_source import ModelPathError

pytest.importorskip("transformers")

from mils_core.pretrained import load_pretrained  # noqa: E402


def test_a_folder_without_config_and_a_missing_path(tmp_path: Path) -> None:
    (tmp_path / "bare").mkdir()
    with pytest.raises(ModelPathError, match="has no config.json"):
        load_pretrained(str(tmp_path / "bare"), what="m", needs=(), use="x")
    with pytest.raises(ModelPathError):
        load_pretrained(str(tmp_path / "nope") + "/", what="m", needs=(), use="x")


def test_a_broken_folder_is_a_config_error(tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "config.json").write_text('{"model_type": "clip"}')  # no weights
    with pytest.raises(ConfigError, match="transformers could not load") as info:
        load_pretrained(str(folder), what="m", needs=(), use="x")
    assert "\n" not in str(info.value)


def test_an_offline_hub_name_fails_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelUnavailableError, match="some-org/some-model"):
        load_pretrained("some-org/some-model", what="X-CLIP model", needs=(), use="x")

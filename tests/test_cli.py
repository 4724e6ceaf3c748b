"""The command line: exit codes, messages, JSON logs, and the core working without torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mils_core.builtin.vocabulary import targets
from mils_core.cli import main
from mils_core.testing.helpers import assert_import_is_light


def _cfg(tmp_path: Path, extra: str = "", samples: str = '"targets.txt"') -> Path:
    (tmp_path / "targets.txt").write_text("\n".join(targets(4)) + "\n")
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'[run]\ntask = "text-target"\nsamples = {samples}\noutput = "out"\n'
                   f'[task]\npool_size = 200\n[[stop]]\nname = "max-iterations"\nn = 2\n{extra}')
    return cfg


def test_run_ok_exit_0(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["run", str(_cfg(tmp_path)), "--no-progress"]) == 0
    assert "4 ok, 0 failed" in capsys.readouterr().out
    assert (tmp_path / "out" / "config.toml").exists() and (tmp_path / "out" / "plugins.json").exists()
    plugins = json.loads((tmp_path / "out" / "plugins.json").read_text())
    assert plugins["components"]["scorer"] == {"name": "word-overlap", "distribution": "mils-core", "version": "0.1.0"}


def test_some_failed_exit_1(tmp_path: Path) -> None:
    cfg = _cfg(tmp_path, samples='["a dog runs", "", "the cat"]')
    assert main(["run", str(cfg), "--no-progress"]) == 1


def test_misspelled_component_exit_2_one_line(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    cfg = _cfg(tmp_path)
    assert main(["run", str(cfg), "--set", "generator.name=mutat"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("mils: error: no generator named 'mutat'. Did you mean 'mutate'?")
    assert "Traceback" not in "\n".join(err)


def test_usage_errors_exit_2(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["frobnicate"]) == 2
    assert main([]) == 2
    assert main(["run", str(tmp_path / "missing.toml")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_config_command_prints_resolved(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["config", str(_cfg(tmp_path)), "--set", "loop.n_new=7"]) == 0
    out = capsys.readouterr().out
    assert "n_new = 7" in out and 'name = "mutate"' in out and "max_edits = 2" in out


def test_list_and_plugins(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["list", "tasks"]) == 0
    assert "text-target" in capsys.readouterr().out
    assert main(["plugins"]) == 0
    assert "builtin (mils-core" in capsys.readouterr().out


def _python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env})


def test_json_logs(tmp_path: Path) -> None:
    cfg = _cfg(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "mils_core", "--log-format", "json", "run", str(cfg), "--no-progress"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stderr.splitlines() if line.startswith("{")]
    assert {"run starting", "run finished"} <= {e["event"] for e in events}


def test_import_is_light() -> None:
    assert_import_is_light("mils_core", "mils_core.cli", "mils_core.loop", "mils_core.runner", "mils_core.builtin.plugin")


def test_core_works_without_torch_installed(tmp_path: Path) -> None:
    # Make 'import torch' fail as if it were not installed, then list plugins and run the demo.
    cfg = _cfg(tmp_path)
    code = ("import sys; sys.modules['torch'] = None\n"
            "from mils_core.cli import main\n"
            f"assert main(['plugins']) == 0\nassert main(['run', {str(cfg)!r}, '--no-progress']) == 0\n")
    proc = _python(code)
    assert proc.returncode == 0, proc.stderr


def test_model_library_progress_bars_are_off_unless_debug(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from mils_core import cli as cli_module

    monkeypatch.delenv("HF_HUB_DISABLE_PROGRESS_BARS", raising=False)
    assert cli_module.main(["list", "tasks"]) == 0
    assert os.environ.get("HF_HUB_DISABLE_PROGRESS_BARS") == "1"
    monkeypatch.delenv("HF_HUB_DISABLE_PROGRESS_BARS")
    assert cli_module.main(["--debug", "list", "tasks"]) == 0
    assert "HF_HUB_DISABLE_PROGRESS_BARS" not in os.environ

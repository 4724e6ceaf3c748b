"""The public API: the README's Python example runs as written; the API re-exports what plugins need."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import mils_core
from mils_core import api

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_python_example() -> str:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### From Python"):]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None, "the README's 'From Python' section has no python block"
    return match.group(1)


def test_the_readme_example_runs(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", readme_python_example()], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    first, second = done.stdout.strip().splitlines()[-2:]
    *text, best, initial = first.split()
    assert float(best) >= float(initial) and text  # a best text, its score, at least the pool's best
    assert "word-overlap" in second
    assert (tmp_path / "runs" / "api-demo" / "results.jsonl").is_file()


def test_run_returns_typed_records_and_resumes(tmp_path: Path) -> None:
    config = {"run": {"task": "text-target", "samples": ["a cat on a mat", "a dog"], "output": str(tmp_path / "r")},
              "stop": [{"name": "max-iterations", "n": 2}]}
    records = api.run(config)
    assert sorted(r.id for r in records) == sorted(r.id for r in api.run(config))  # resumed, nothing added
    assert all(isinstance(r, api.SampleRecord) and r.ok for r in records)


def test_components_lists_by_kind_and_names_bad_kinds() -> None:
    scorers = api.list_components("scorers")
    assert any(c.name == "word-overlap" and c.distribution == "mils-core" for c in scorers)
    assert {c.kind for c in api.list_components()} >= {"task", "generator", "scorer", "stopping-rule"}
    with pytest.raises(api.ConfigError, match="no component kind 'scorerz'"):
        api.list_components("scorerz")


def test_mils_core_reexports_the_api_lazily() -> None:
    assert mils_core.Renderer is api.Renderer and mils_core.hookimpl is api.hookimpl
    assert set(api.__all__) == mils_core._API and set(api.__all__) <= set(dir(mils_core))
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        mils_core.nope  # noqa: B018
    done = subprocess.run([sys.executable, "-c", "import sys, mils_core; print('numpy' in sys.modules)"],
                          capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "False"


def test_caption_names_a_missing_preset() -> None:
    with pytest.raises(api.ConfigError, match="no preset named 'nope'"):
        api.caption(["x.jpg"], preset="nope", task="text-target")

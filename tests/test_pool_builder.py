"""mils pool build: grows a pool file, resumes, and stops with a clear error when stuck."""

from __future__ import annotations

from pathlib import Path

import pytest

from mils_core.builtin.text_target import GuessList
from mils_core.components import Prompt
from mils_core.errors import GeneratorError
from mils_core.pool_builder import build_pool
from mils_core.testing.fakes import FakeGenerator


def counting(prompt: Prompt) -> str:
    return "\n".join(f"{i + 1}. scene number {prompt.seed % 100_000} item {i}" for i in range(prompt.n_new))


def test_builds_and_resumes_without_duplicates(tmp_path: Path) -> None:
    out = tmp_path / "pool.txt"
    assert build_pool(GuessList(), FakeGenerator(respond=counting), out, 30, per_prompt=4, batch=2) == 30
    first = out.read_text().splitlines()
    assert build_pool(GuessList(), FakeGenerator(respond=counting), out, 70, per_prompt=4, batch=2) == 70
    lines = out.read_text().splitlines()
    assert lines[:30] == first and len(lines) == len(set(lines)) == 70


def test_stalls_raise(tmp_path: Path) -> None:
    same = FakeGenerator(respond=lambda p: "1. the very same text")
    with pytest.raises(GeneratorError, match="gave no new text; the pool holds 1 of 10"):
        build_pool(GuessList(), same, tmp_path / "p.txt", 10, max_stalls=3)


def test_cli(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from mils_core.cli import main

    out = tmp_path / "p.txt"
    assert main(["pool", "build", "--generator", "mutate", "--task", "text-target", "--n", "20", "--out", str(out)]) == 0
    assert len(out.read_text().splitlines()) == 20

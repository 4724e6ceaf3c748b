"""Every hookspec is documented, and a real run through the command line calls every one of them."""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mils_core import cli, hookspecs
from mils_core.plugins import make_plugin_manager

SPECS: dict[str, Callable[..., Any]] = {
    name: fn for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if hasattr(fn, f"{hookspecs.PROJECT}_spec")
}


def test_the_hookspecs_are_found() -> None:
    assert len(SPECS) >= 10
    assert all(name.startswith("mils_") for name in SPECS)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_hookspec_documents_when_it_is_called_and_each_parameter(name: str) -> None:
    doc = inspect.getdoc(SPECS[name]) or ""
    summary = doc.split("\n\n")[0]
    assert len(summary) > 30, f"{name} lacks a summary of what it is for"
    params = list(inspect.signature(SPECS[name]).parameters)
    assert params, f"{name} takes no arguments"
    for param in params:
        match = next((line for line in doc.splitlines() if line.startswith(f":param {param}:")), None)
        assert match is not None, f"{name} does not document {param!r}"
        assert len(match) > len(f":param {param}:") + 10, f"{name} documents {param!r} with almost nothing: {match!r}"


class HookRecorder:
    """A plugin implementing every hookspec; it records the arguments of each call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        for name, spec in SPECS.items():
            setattr(self, name, hookspecs.hookimpl(self._recorder(name, spec)))

    def _recorder(self, name: str, spec: Callable[..., Any]) -> Callable[..., None]:
        signature = inspect.signature(spec)

        @functools.wraps(spec)  # pluggy reads the argument names of the spec through __wrapped__
        def record(*args: Any, **kwargs: Any) -> None:
            bound = signature.bind(*args, **kwargs)  # every argument the spec names, no other
            self.calls.append((name, dict(bound.arguments)))

        return record

    def of(self, name: str) -> list[dict[str, Any]]:
        return [kwargs for hook, kwargs in self.calls if hook == name]


def test_a_real_run_calls_every_hook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = HookRecorder()
    monkeypatch.setattr(cli, "make_plugin_manager", lambda: make_plugin_manager(plugins=[recorder]))
    targets = ["a dog runs on the beach", "two cats sleep on a red sofa"]
    (tmp_path / "run.toml").write_text(
        '[run]\ntask = "text-target"\nsamples = ' + json.dumps(targets) + '\noutput = "out"\n'
        '[task]\npool_size = 50\n[[stop]]\nname = "max-iterations"\nn = 2\n[loop]\ntop_k = 5\nn_new = 5\n'
    )
    assert cli.main(["run", str(tmp_path / "run.toml"), "--no-progress"]) == 0

    never = sorted(set(SPECS) - {hook for hook, _ in recorder.calls})
    assert not never, f"a real run never calls {never}"

    for name in (n for n in SPECS if n.startswith("mils_register_") and n != "mils_register_commands"):
        (call,) = recorder.of(name)  # once, when the registry is built
        assert callable(call["register"])
    (commands,) = recorder.of("mils_register_commands")
    assert "run" in commands["subparsers"].choices  # after the core commands exist

    out = tmp_path / "out"
    records = [json.loads(line) for line in (out / "results.jsonl").read_text().splitlines()]
    (started,) = recorder.of("mils_run_started")
    (finished,) = recorder.of("mils_run_finished")
    assert started["run"].output_dir == out and finished["run"] is started["run"]
    assert finished["summary"]["ok"] == 2 and finished["summary"]["failed"] == 0
    assert [c["record"] for c in recorder.of("mils_sample_finished")] == records
    for record in records:
        its = [c for c in recorder.of("mils_iteration_finished") if c["sample_id"] == record["id"]]
        assert [c["iteration"] for c in its] == [1, 2]
        assert [c["best_score"] for c in its] == record["history"][1:]
        assert all(c["run"] is started["run"] for c in its)
    order = [hook for hook, _ in recorder.calls if not hook.startswith("mils_register_")]
    assert order[0] == "mils_run_started" and order[-1] == "mils_run_finished"

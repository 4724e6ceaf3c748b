"""Assertion helpers of the test kit: light imports, and a config run through the real runner."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from mils_core.config import Config, config_from_dict, load_config
from mils_core.plugins import MilsPluginManager, make_plugin_manager

#: What a plugin's entry-point module must not import (it is imported by every ``mils`` command).
HEAVY_MODULES = ("torch", "torchvision", "transformers", "open_clip", "llama_cpp", "huggingface_hub", "PIL", "matplotlib")

# Runs in a child interpreter: watch every import attempt of a forbidden module (even one that fails,
# e.g. an optional ``import torch`` where torch is not installed), import the modules, report.
_PROBE = r"""
import importlib, json, sys, traceback

modules, forbidden = json.loads(sys.argv[1]), json.loads(sys.argv[2])

def banned(name):
    return next((f for f in forbidden if name == f or name.startswith(f + ".")), None)

class Watch:
    attempts = {}

    def find_spec(self, name, path=None, target=None):
        hit = banned(name)
        if hit is None or hit in self.attempts:
            return None
        # An import statement reaches here through importlib's frozen frames only; a probe such as
        # importlib.util.find_spec() passes through a frame of ordinary Python code first.
        frame, importing = sys._getframe(1), False
        while frame is not None and frame.f_code.co_filename.startswith("<frozen"):
            if frame.f_code.co_name == "_find_and_load":
                importing = True
                break
            frame = frame.f_back
        if importing:
            stack = [f for f in traceback.extract_stack()[:-1] if not f.filename.startswith("<frozen")]
            self.attempts[hit] = "".join(traceback.format_list(stack[-6:]))
        return None

already = sorted({b for n in list(sys.modules) if (b := banned(n))})
sys.meta_path.insert(0, Watch())
for module in modules:
    importlib.import_module(module)
loaded = sorted({b for n in list(sys.modules) if (b := banned(n))} - set(already))
print(json.dumps({"already": already, "loaded": loaded, "attempts": Watch.attempts}))
"""


def assert_import_is_light(*modules: str, forbidden: Iterable[str] = HEAVY_MODULES, timeout: float = 120.0) -> None:
    """Import ``modules`` in a fresh interpreter and fail if that imports any ``forbidden`` module.

    A forbidden name also covers its submodules (``"torch"`` covers ``torch.nn``). An import
    attempt counts even when it fails (``try: import torch`` where torch is not installed), since
    it would load the module where it is installed; the failure shows where the import happens.
    """
    names, banned = list(modules), sorted(set(forbidden))
    if not names or not banned:
        raise ValueError("assert_import_is_light needs at least one module and one forbidden module name")
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(names), json.dumps(banned)],
        capture_output=True, text=True, timeout=timeout, check=False,
    )
    assert proc.returncode == 0, f"importing {', '.join(names)} failed:\n{proc.stderr[-3000:]}"
    report = json.loads(proc.stdout.strip().splitlines()[-1])
    assert not report["already"], f"{report['already']} loaded before {names} were imported (a .pth file or sitecustomize?)"
    heavy = sorted(set(report["loaded"]) | set(report["attempts"]))
    where = "".join(f"\n--- {name} imported from:\n{report['attempts'].get(name, '(unknown)')}" for name in heavy)
    assert not heavy, f"importing {', '.join(names)} imports {', '.join(heavy)}; import them inside functions{where}"


class RunRecords(list[dict[str, Any]]):
    """The records of a run (``results.jsonl`` order), with the run's summary, config and folder."""

    def __init__(self, records: Iterable[dict[str, Any]], summary: dict[str, Any], config: Config) -> None:
        super().__init__(records)
        self.summary = summary
        self.config = config
        self.output: Path = config.output_dir()

    @property
    def by_id(self) -> dict[str, dict[str, Any]]:
        """The records keyed by sample id."""
        return {str(r["id"]): r for r in self}


def as_config(config: Config | Mapping[str, Any] | str | Path, base_dir: Path, overrides: Iterable[str] = ()) -> Config:
    """A validated config from a :class:`Config`, a dict, TOML text (a ``str``) or a TOML file (a ``Path``).

    Relative paths of a dict or TOML text are taken from ``base_dir``; a file's from its folder.
    """
    overrides = list(overrides)
    if isinstance(config, Config):
        if overrides:
            return config_from_dict(config.raw, base_dir=config.base_dir, overrides=overrides)
        return config
    if isinstance(config, Path):
        return load_config(config, overrides)
    raw = tomllib.loads(config) if isinstance(config, str) else config
    return config_from_dict(raw, base_dir=base_dir, overrides=overrides)


def run_config(
    config: Config | Mapping[str, Any] | str | Path,
    base_dir: Path,
    *,
    pm: MilsPluginManager | None = None,
    overrides: Iterable[str] = (),
    components: Any = None,
) -> RunRecords:
    """Run ``config`` through :func:`mils_core.runner.execute` (no progress bar) and read back its records.

    :param pm: the plugin manager (default: a fresh one with every installed plugin).
    :param components: already-built components to reuse, as for ``execute``.
    """
    from mils_core.results import read_records
    from mils_core.runner import execute

    cfg = as_config(config, base_dir, overrides)
    summary = execute(cfg, pm if pm is not None else make_plugin_manager(), progress=False, components=components)
    return RunRecords(read_records(cfg.output_dir()), summary, cfg)

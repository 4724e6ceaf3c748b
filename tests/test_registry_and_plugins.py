"""Registry, plugin manager, entry-point discovery and error messages."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mils_core.errors import ComponentCollisionError, ConfigError, UnknownComponentError
from mils_core.hookspecs import hookimpl
from mils_core.plugins import make_plugin_manager
from mils_core.registry import Provenance, Registry


class _Scorers:
    @hookimpl
    def mils_register_scorers(self, register):  # type: ignore[no-untyped-def]
        register("word-overlap", object)


def test_misspelled_hook_is_rejected() -> None:
    class Typo:
        @hookimpl
        def mils_register_scorer(self, register):  # type: ignore[no-untyped-def]
            pass

    pm = make_plugin_manager(entry_points=False)
    pm.register(Typo())
    with pytest.raises(Exception, match="mils_register_scorer"):
        pm.check_pending()


def test_unknown_name_suggests_and_lists_installed(mils_plugin_manager) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UnknownComponentError) as err:
        mils_plugin_manager.registry.get("scorer", "word-overlp")
    msg = str(err.value)
    assert "no scorer named 'word-overlp'. Did you mean 'word-overlap'?" in msg
    assert "word-overlap (mils-core" in msg and "mils plugins" in msg
    assert isinstance(err.value, LookupError)


def test_collision_names_both_distributions(mils_plugin_manager, mils_register) -> None:  # type: ignore[no-untyped-def]
    mils_register(_Scorers())
    with pytest.raises(ComponentCollisionError, match=r"'word-overlap' is registered twice: by mils-core .* and by"):
        _ = mils_plugin_manager.registry


def test_register_fixture_unregisters(mils_plugin_manager, mils_register) -> None:  # type: ignore[no-untyped-def]
    class Extra:
        @hookimpl
        def mils_register_generators(self, register):  # type: ignore[no-untyped-def]
            register("echo-test", object)

    plugin = mils_register(Extra())
    assert mils_plugin_manager.registry.get("generator", "echo-test").name == "echo-test"
    mils_plugin_manager.unregister(plugin)
    with pytest.raises(UnknownComponentError):
        mils_plugin_manager.registry.get("generator", "echo-test")


def test_names_must_be_kebab_case() -> None:
    reg = Registry()
    register = reg.register_fn("scorer", Provenance("p", "dist", "1"))
    with pytest.raises(ConfigError, match="kebab-case"):
        register("My_Scorer", object)


def test_aliases_resolve(mils_plugin_manager) -> None:  # type: ignore[no-untyped-def]
    assert mils_plugin_manager.registry.get("stopping-rule", "iterations").name == "max-iterations"


def _fake_distribution(site: Path, name: str, module_body: str, version: str = "0.3.1") -> None:
    pkg = name.replace("-", "_")
    (site / pkg).mkdir(parents=True)
    (site / pkg / "__init__.py").write_text(textwrap.dedent(module_body))
    info = site / f"{pkg}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(f"[mils]\n{name.removeprefix('mils-')} = {pkg}\n")


def _mils(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "mils_core", *args], capture_output=True, text=True, env=env, timeout=120)


GOOD_PLUGIN = """
from mils_core.hookspecs import hookimpl
from mils_core.builtin.word_overlap import WordOverlap

class Shouty(WordOverlap):
    '''Word overlap, but louder.'''

@hookimpl
def mils_register_scorers(register):
    register("shouty-overlap", Shouty, description="fixture scorer")
"""


def test_real_entry_point_discovery(tmp_path: Path) -> None:
    _fake_distribution(tmp_path, "mils-fixture", GOOD_PLUGIN)
    result = _mils("plugins", "--json", env_extra={"PYTHONPATH": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    rows = {r["plugin"]: r for r in json.loads(result.stdout)}
    assert rows["fixture"]["distribution"] == "mils-fixture"
    assert rows["fixture"]["version"] == "0.3.1"
    assert "scorer shouty-overlap" in rows["fixture"]["components"]
    listed = _mils("list", "scorers", env_extra={"PYTHONPATH": str(tmp_path)})
    assert "shouty-overlap" in listed.stdout and "[mils-fixture 0.3.1]" in listed.stdout


def test_broken_plugin_is_named_and_skipped(tmp_path: Path) -> None:
    _fake_distribution(tmp_path, "mils-broken", "import not_a_real_module_xyz\n", version="2.0")
    env = {"PYTHONPATH": str(tmp_path)}
    listing = _mils("plugins", env_extra=env)
    assert listing.returncode == 0
    assert "broken (mils-broken 2.0) [failed: ModuleNotFoundError" in listing.stdout
    assert "not_a_real_module_xyz" in listing.stderr  # the warning names the cause
    # a run that needs a component the broken plugin would provide fails with that message
    cfg = tmp_path / "c.toml"
    cfg.write_text('[run]\ntask = "text-target"\nsamples = ["a b"]\n[scorer]\nname = "missing-one"\n')
    run = _mils("run", str(cfg), env_extra=env)
    assert run.returncode == 2
    line = run.stderr.strip().splitlines()[-1]
    assert re.search(r"plugin entry point 'broken' from mils-broken 2.0 failed to load: ModuleNotFoundError", line)
    assert "Traceback" not in run.stderr


def test_block_list_skips_plugin(tmp_path: Path) -> None:
    _fake_distribution(tmp_path, "mils-broken", "import not_a_real_module_xyz\n")
    listing = _mils("plugins", env_extra={"PYTHONPATH": str(tmp_path), "MILS_DISABLE_PLUGINS": "broken"})
    assert "[disabled]" in listing.stdout
    assert "not_a_real_module_xyz" not in listing.stderr


def test_disabled_argument(monkeypatch: pytest.MonkeyPatch) -> None:
    pm = make_plugin_manager(disabled=["builtin"])
    assert all(spec.provenance.plugin != "builtin" for spec in pm.registry.all_specs())
    assert "builtin" in pm.blocked


def test_plugin_commands_hook_adds_a_subcommand() -> None:
    from mils_core.cli import build_parser

    class Cmd:
        @hookimpl
        def mils_register_commands(self, subparsers):  # type: ignore[no-untyped-def]
            p = subparsers.add_parser("hello")
            p.set_defaults(handler=lambda args: 7)

    pm = make_plugin_manager(plugins=[Cmd()])
    args = build_parser(pm).parse_args(["hello"])
    assert args.handler(args) == 7


def test_a_plugin_whose_commands_hook_fails_is_skipped(capsys: pytest.CaptureFixture[str]) -> None:
    from mils_core.cli import build_parser

    class Broken:
        @hookimpl
        def mils_register_commands(self, subparsers):  # type: ignore[no-untyped-def]
            import mils_no_such_module  # noqa: F401

    class Fine:
        @hookimpl
        def mils_register_commands(self, subparsers):  # type: ignore[no-untyped-def]
            subparsers.add_parser("hello").set_defaults(handler=lambda args: 7)

    pm = make_plugin_manager(plugins=[Broken(), Fine()])
    args = build_parser(pm).parse_args(["hello"])
    assert args.handler(args) == 7
    captured = capsys.readouterr()
    assert "failed to add its commands" in captured.out + captured.err

"""The ``mils`` command line.

Exit codes: 0 every sample ok; 1 some samples failed; 2 usage or config error (one line on
stderr, no traceback unless ``--debug``); 3 a component failed while running; 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from mils_core import __version__
from mils_core.errors import MilsError
from mils_core.kinds import BY_PLURAL, KINDS
from mils_core.plugins import MilsPluginManager, make_plugin_manager

EXIT_OK, EXIT_FAILED_SAMPLES, EXIT_USAGE, EXIT_RUNTIME, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class UsageError(MilsError):
    """A command-line usage error."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse exits 2 too, but keep our one-line format
        raise UsageError(f"{self.prog}: {message}")


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by commands that start a run (``run``, ``caption``, ...)."""
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE",
                        help="override a config value, e.g. --set scorer.batch_size=32 (repeatable)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.add_argument("--shard", metavar="I/N", help="process every N-th sample starting at I (0-based)")


def cmd_run(args: argparse.Namespace, pm: MilsPluginManager) -> int:
    from pathlib import Path

    from mils_core.config import config_from_dict
    from mils_core.pipeline import is_pipeline, pipeline_from_dict, read_toml, run_pipeline
    from mils_core.runner import execute

    overrides = list(args.overrides) + ([f"run.shard={args.shard!r}"] if args.shard else [])
    if args.ray is not None:
        overrides.append("run.executor='ray'")
        if args.ray:
            overrides.append(f"ray.address={args.ray!r}")
    raw = read_toml(args.config)
    base = Path(args.config).resolve().parent
    if is_pipeline(raw):
        summaries = run_pipeline(pipeline_from_dict(raw, base_dir=base, overrides=overrides), pm,
                                 progress=not args.no_progress)
        for name, s in summaries.items():
            print(f"{name}: {s['ok']} ok, {s['failed']} failed, {s['skipped']} already done -> {s['output']}")
        return EXIT_FAILED_SAMPLES if any(s["failed"] for s in summaries.values()) else EXIT_OK
    summary = execute(config_from_dict(raw, base_dir=base, overrides=overrides), pm, progress=not args.no_progress)
    print(f"{summary['ok']} ok, {summary['failed']} failed, {summary['skipped']} already done -> {summary['output']}")
    return EXIT_FAILED_SAMPLES if summary["failed"] else EXIT_OK


def cmd_config(args: argparse.Namespace, pm: MilsPluginManager) -> int:
    import tomli_w

    from mils_core.config import load_config
    from mils_core.resolve import resolve_components
    from mils_core.runner import resolved_config

    config = load_config(args.config, args.overrides)
    print(tomli_w.dumps(resolved_config(config, resolve_components(config, pm))), end="")
    return EXIT_OK


def cmd_plugins(args: argparse.Namespace, pm: MilsPluginManager) -> int:
    registry = pm.registry
    by_plugin: dict[str, list[str]] = {}
    for spec in registry.all_specs():
        by_plugin.setdefault(spec.provenance.plugin, []).append(f"{spec.kind} {spec.name}")
    rows = []
    for name, origin in sorted(pm.origins.items()):
        rows.append({"plugin": name, "distribution": origin.distribution, "version": origin.version,
                     "components": by_plugin.get(name, []), "status": "ok"})
    for name in sorted(pm.blocked):
        rows.append({"plugin": name, "distribution": "", "version": "", "components": [], "status": "disabled"})
    for name, failed in sorted(pm.failed.items()):
        rows.append({"plugin": name, "distribution": failed.error.distribution, "version": failed.error.version,
                     "components": [], "status": f"failed: {type(failed.error.cause).__name__}: {failed.error.cause}"})
    if args.json:
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    for row in rows:
        head = f"{row['plugin']} ({row['distribution']} {row['version']})".replace(" ( )", "")
        print(head if row["status"] == "ok" else f"{head} [{row['status']}]")
        for comp in row["components"]:
            print(f"  {comp}")
    return EXIT_OK


def cmd_list(args: argparse.Namespace, pm: MilsPluginManager) -> int:
    for spec in pm.registry.specs(BY_PLURAL[args.kind].name):
        aliases = f" (aliases: {', '.join(spec.aliases)})" if spec.aliases else ""
        media = spec.media()
        print(f"{spec.name:<20} {spec.description}{aliases}{f'  ({media})' if media else ''}  [{spec.provenance}]")
    return EXIT_OK


#: ``mils bench --ablate`` names, for the help text (the bench module checks them; a test keeps them equal).
BENCH_ABLATIONS = ("pool-cache", "score-cache", "batching", "early-stop", "length-sort", "list-stop")


def cmd_bench(args: argparse.Namespace, pm: MilsPluginManager) -> int:
    from mils_core.bench import cmd_bench as run_bench

    return run_bench(args, pm)


def add_bench_command(sub: Any) -> None:
    """``mils bench``: any task, any preset it registers, its bundled samples or ``--samples``."""
    p = sub.add_parser("bench", help="benchmark a task: time per stage, encodes, tokens, what each saving is worth")
    p.add_argument("--task", default="image-captioning", help="the task to measure (default: image-captioning)")
    p.add_argument("--preset", help="one of the task's presets (default: its first; a task without presets: its defaults)")
    p.add_argument("--samples", nargs="+", metavar="SAMPLE",
                   help="what the task reads: files, a folder, a glob, or text samples (default: the task's bundled examples)")
    p.add_argument("--iterations", type=int, default=5, help="iteration cap for every variant")
    p.add_argument("--ablate", metavar="LIST", help="'all' or a comma list of: " + ", ".join(BENCH_ABLATIONS))
    p.add_argument("--random-weights", action="store_true",
                   help="random models at the configured shapes (no download; components without the option keep real weights)")
    p.add_argument("--generator", help="a generator name instead of the preset's")
    p.add_argument("--scorer", help="a scorer name instead of the preset's")
    p.add_argument("--out", default="bench.json", help="where to write the JSON report (rewritten after each variant)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE",
                   help="override a config value, e.g. --set loop.n_new=20 (repeatable)")
    p.set_defaults(handler=cmd_bench)


def build_parser(pm: MilsPluginManager) -> argparse.ArgumentParser:
    """The full parser: core commands plus those plugins add through ``mils_register_commands``."""
    parser = _Parser(prog="mils", description="MILS: an LLM proposes, a multimodal scorer ranks, repeat.")
    parser.add_argument("--version", action="version", version=f"mils {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    parser.add_argument("--log-format", choices=("console", "json"), default="console", help="log line format")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("run", help="run a config file (resumes an existing output folder)")
    p.add_argument("config", help="path of a TOML config")
    add_run_options(p)
    p.add_argument("--ray", nargs="?", const="", default=None, metavar="ADDRESS",
                   help="run on Ray actors: a local Ray started for this run, or the cluster at ADDRESS "
                        "(auto, ray://head:10001); see [ray] in the README")
    p.set_defaults(handler=cmd_run)

    p = sub.add_parser("config", help="print the fully resolved config")
    p.add_argument("config")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="SECTION.KEY=VALUE")
    p.set_defaults(handler=cmd_config)

    p = sub.add_parser("plugins", help="list installed plugins and the components they register")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_plugins)

    p = sub.add_parser("list", help="list registered components of one kind")
    p.add_argument("kind", choices=[k.plural for k in KINDS])
    p.set_defaults(handler=cmd_list)

    from mils_core.arithmetic import add_arithmetic_command
    from mils_core.caption import add_caption_command
    from mils_core.pool_builder import add_pool_command

    add_pool_command(sub)
    add_bench_command(sub)
    add_caption_command(sub)
    add_arithmetic_command(sub)
    pm.hooks.register_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mils`` console script."""
    from mils_core.logs import configure_logging

    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    if not debug:  # a clean terminal: no model-library download or weight-loading bars (--debug keeps them)
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    fmt = "json" if "--log-format=json" in argv or ("--log-format" in argv and "json" in argv) else "console"
    configure_logging(fmt, "debug" if debug else "info")
    try:
        pm = make_plugin_manager()
        parser = build_parser(pm)
        args = parser.parse_args(argv)
        if not getattr(args, "handler", None):
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        handler = args.handler
        return int(handler(args, pm) if _takes_pm(handler) else handler(args))
    except KeyboardInterrupt:
        print("mils: interrupted; finished samples are saved, run the same command to resume", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (MilsError, LookupError, ValueError) as exc:
        if debug:
            raise
        code = EXIT_RUNTIME if _is_runtime(exc) else EXIT_USAGE
        print(f"mils: error: {exc}", file=sys.stderr)
        return code
    except Exception as exc:  # noqa: BLE001 - a component broke: one line, details with --debug
        if debug:
            raise
        print(f"mils: error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", file=sys.stderr)
        return EXIT_RUNTIME


def _takes_pm(handler: Any) -> bool:
    import inspect

    return len(inspect.signature(handler).parameters) >= 2


def _is_runtime(exc: BaseException) -> bool:
    from mils_core.batching import OutOfMemoryError
    from mils_core.errors import GeneratorError, ModelUnavailableError

    return isinstance(exc, (OutOfMemoryError, GeneratorError, ModelUnavailableError))


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

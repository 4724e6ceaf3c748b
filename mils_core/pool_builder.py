"""``mils pool build``: grow or replace an initial pool with any generator, resumably.

New texts are appended to the output file as each batch arrives (flushed and synced), so
an interrupted build continues where it stopped; texts already in the file are never
added twice.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

import structlog

from mils_core.components import Generator, PromptStyle
from mils_core.config import ComponentConfig, apply_overrides
from mils_core.errors import ConfigError, GeneratorError
from mils_core.kinds import kind
from mils_core.parsing import normalize
from mils_core.plugins import MilsPluginManager
from mils_core.resolve import task_defaults
from mils_core.seeds import derive_seed

log = structlog.get_logger("mils.pool")


def build_pool(style: PromptStyle[Any], generator: Generator[Any], out: Path, n: int, *,
               per_prompt: int = 25, batch: int = 8, seed: int = 0, max_stalls: int = 5) -> int:
    """Append generated texts to ``out`` until it holds ``n`` distinct texts; return how many it holds."""
    existing = out.read_text(encoding="utf-8").splitlines() if out.exists() else []
    seen = {normalize(t) for t in existing if t.strip()}
    count = len(seen)
    round_no = count  # resuming continues the seed sequence from where the file stands
    stalls = 0
    generator.ensure_loaded()
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "a", encoding="utf-8") as fh:
        if existing and not out.read_text(encoding="utf-8").endswith("\n"):
            fh.write("\n")
        while count < n:
            prompts = [style.pool_prompt(per_prompt, derive_seed(seed, "pool", round_no, i)) for i in range(batch)]
            round_no += 1
            replies = generator.generate(prompts)
            errors = [r.error for r in replies if r.error]
            if errors and len(errors) == len(replies):
                raise GeneratorError(f"pool build: every request failed, e.g. {errors[0]}")
            added: list[str] = []
            for reply in replies:
                for text in style.parse(reply.text):
                    key = normalize(text)
                    if key and key not in seen and count + len(added) < n:
                        seen.add(key)
                        added.append(text)
            if added:
                fh.write("".join(t + "\n" for t in added))
                fh.flush()
                os.fsync(fh.fileno())
                count += len(added)
                stalls = 0
                log.info("pool growing", texts=count, target=n)
            else:
                stalls += 1
                if stalls >= max_stalls:
                    raise GeneratorError(
                        f"pool build: {max_stalls} rounds in a row gave no new text; the pool holds {count} of {n}. "
                        "Use a larger or more varied generator (e.g. --set generator.temperature=0.9)"
                    )
    return count


def cmd_pool_build(args: argparse.Namespace, pm: MilsPluginManager) -> int:
    """Handler of ``mils pool build``."""
    raw = apply_overrides({"generator": {"name": args.generator}}, args.overrides)
    gen_options = dict(raw["generator"])
    name = gen_options.pop("name")
    task = pm.registry.get("task", args.task).build({})
    generator = pm.registry.get("generator", name).build(gen_options)
    if args.prompt:
        style_cfg = ComponentConfig(args.prompt)
    else:
        defaults = task_defaults(kind("prompt-style"), task)
        if not defaults:
            raise ConfigError(f"pool build: task {args.task!r} names no prompt style; pass --prompt NAME")
        style_cfg = defaults[0]
    style = pm.registry.get("prompt-style", style_cfg.name).build(style_cfg.options)
    count = build_pool(style, generator, Path(args.out), args.n, per_prompt=args.per_prompt, batch=args.batch, seed=args.seed)
    print(f"{args.out}: {count} texts")
    return 0


def add_pool_command(subparsers: Any) -> None:
    """Register ``mils pool build``."""
    pool = subparsers.add_parser("pool", help="build initial pools")
    sub = pool.add_subparsers(dest="pool_command", metavar="ACTION", parser_class=type(pool))
    p = sub.add_parser("build", help="grow or replace a pool with a generator (resumable)")
    p.add_argument("--generator", required=True, help="generator name, e.g. transformers")
    p.add_argument("--task", required=True, help="task whose kind of texts to write, e.g. image-captioning")
    p.add_argument("--prompt", help="prompt style to ask with (default: the task's)")
    p.add_argument("--n", type=int, required=True, help="how many distinct texts the file should hold")
    p.add_argument("--out", required=True, help="the pool file (appended to; resumable)")
    p.add_argument("--per-prompt", type=int, default=25, help="texts asked for per request")
    p.add_argument("--batch", type=int, default=8, help="requests per generator call")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="generator.KEY=VALUE")
    p.set_defaults(handler=cmd_pool_build)

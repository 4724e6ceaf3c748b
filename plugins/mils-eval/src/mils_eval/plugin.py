"""Registers the dataset readers and the ``mils eval`` / ``mils report`` commands (entry point ``eval``).

Nothing heavy is imported here: pycocoevalcap, matplotlib and PIL are imported by the
command handlers when they run.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from mils_core.hookspecs import hookimpl
from mils_core.registry import RegisterFn
from mils_eval.datasets import Clotho, CocoKarpathy, Manifest, MsrVtt


@hookimpl
def mils_register_datasets(register: RegisterFn) -> None:
    register("coco-karpathy", CocoKarpathy, options=CocoKarpathy.Options,
             description="MSCOCO captions, Karpathy split (test: 5,000 val2014 images)")
    register("msrvtt", MsrVtt, options=MsrVtt.Options, description="MSR-VTT videos and captions (test: 2,990 videos)")
    register("clotho", Clotho, options=Clotho.Options, description="Clotho audio captions, evaluation split (1,045 clips)")
    register("manifest", Manifest, options=Manifest.Options,
             description="your own CSV/JSONL manifest: id, path, references")


def cmd_eval(args: argparse.Namespace) -> int:
    """``mils eval``: metrics of a run's final captions."""
    from mils_eval.evaluate import evaluate_run, format_table
    from mils_eval.metrics import parse_metrics

    metrics = parse_metrics(args.metrics)
    result = evaluate_run(args.run_dir, args.refs, metrics, spice_corenlp=args.spice_corenlp)
    if args.json:
        print(json.dumps({k: v for k, v in result.items() if k != "per_sample"}, indent=2, ensure_ascii=False))
    else:
        print(format_table(result))
        print(f"wrote {args.run_dir.rstrip('/')}/metrics.json")
    return 0 if result["counts"]["evaluated"] else 1


def cmd_report(args: argparse.Namespace) -> int:
    """``mils report``: a self-contained HTML report of a run."""
    from mils_eval.report import build_report

    path = build_report(args.run_dir, args.out, gallery=args.gallery)
    print(f"wrote {path}")
    return 0


@hookimpl
def mils_register_commands(subparsers: argparse._SubParsersAction[Any]) -> None:
    p = subparsers.add_parser("eval", help="caption metrics (BLEU, METEOR, ROUGE-L, CIDEr, SPICE, SPIDEr) of a run")
    p.add_argument("run_dir", metavar="RUN_DIR", help="the run's output folder (holds results.jsonl)")
    p.add_argument("--refs", metavar="REFS",
                   help="JSON object {sample id: [references]} or a COCO captions file; default: the records' "
                        "meta.references (set by the dataset readers)")
    p.add_argument("--metrics", metavar="LIST", default=None,
                   help="comma-separated subset of Bleu,METEOR,ROUGE_L,CIDEr,SPICE (SPIDEr = CIDEr+SPICE); default: all")
    p.add_argument("--spice-corenlp", metavar="PATH", default=None,
                   help="folder holding stanford-corenlp-3.6.0.jar and -models.jar (SPICE needs them; never downloaded)")
    p.add_argument("--json", action="store_true", help="print metrics.json (without per-sample scores) instead of a table")
    p.set_defaults(handler=cmd_eval)

    p = subparsers.add_parser("report", help="a self-contained HTML report (plots, gallery, timings) of a run")
    p.add_argument("run_dir", metavar="RUN_DIR", help="the run's output folder (holds results.jsonl)")
    p.add_argument("--out", metavar="FILE", default=None, help="where to write the HTML (default: RUN_DIR/report.html)")
    p.add_argument("--gallery", type=int, default=24, metavar="N", help="samples shown in the gallery (default 24)")
    p.set_defaults(handler=cmd_report)

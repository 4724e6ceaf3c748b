"""Caption the held-out set and judge the captions by their human-written references.

Writes the 22 held-out images (``make_heldout.py``), captions them with the ``offline`` preset
(plus any ``--set`` overrides), and reports CIDEr and BLEU-4 of the initial pool's best caption
and of the final caption, next to the scorer's own score of both. A higher score with a weak
scorer is not a better caption: this table is what says whether captions got better. Usage::

    .venv/bin/python plugins/mils-image/scripts/heldout/evaluate_heldout.py [--set loop.fluency=0]
        [--json OUT.json]

Never tune anything on these images or references.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# a clean terminal, as `mils` itself keeps it: no weight-loading or conversion progress bars
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_heldout import main as make_heldout  # noqa: E402


def _metrics(refs: dict[str, list[str]], texts: dict[str, str]) -> dict[str, float]:
    from mils_eval.metrics import compute_metrics

    result = compute_metrics(refs, texts, ("Bleu", "CIDEr"))
    return {"CIDEr": round(100 * result.scores["CIDEr"], 1), "BLEU-4": round(100 * result.scores["Bleu_4"], 1)}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                        help="override the offline preset (JSON values), e.g. loop.fluency=0")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args(argv)

    from mils_core.bench import base_config
    from mils_core.config import config_from_dict
    from mils_core.plugins import make_plugin_manager
    from mils_core.results import read_sample_records
    from mils_core.runner import execute

    work = args.workdir or Path(tempfile.mkdtemp(prefix="mils-heldout-"))
    images = work / "images"
    make_heldout([str(images)])
    manifest = [json.loads(line) for line in (images / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    refs = {row["id"]: row["references"] for row in manifest}

    pm = make_plugin_manager()
    _preset, raw = base_config(pm, task="image-captioning", preset="offline", samples=str(images / "manifest.jsonl"))
    for item in args.set:
        dotted, _, value = item.partition("=")
        section, _, key = dotted.partition(".")
        raw.setdefault(section, {})[key] = json.loads(value)
    raw["run"].update(output=str(work / "run"), cache_dir=str(work / "cache"))
    config = config_from_dict(raw, base_dir=Path.cwd())
    t0 = time.perf_counter()
    execute(config, pm, progress=False)
    wall = time.perf_counter() - t0
    records = {r.id: r for r in read_sample_records(config.output_dir()) if r.ok}
    ids = [i for i in refs if i in records]
    if not ids:
        print("no sample finished", file=sys.stderr)
        return 1

    from mils_core.media.image import load_image
    from mils_core.resolve import resolve_components

    scorer = resolve_components(config, pm).scorer
    scorer.ensure_loaded()
    handles = scorer.prepare_targets([load_image(images / f"{i}.png") for i in ids])
    pairs = [[records[i].initial_best_text or "", records[i].best_text or ""] for i in ids]
    scored = scorer.score(handles, pairs)
    initial = {i: records[i].initial_best_text or "" for i in ids}
    final = {i: records[i].best_text or "" for i in ids}
    report: dict[str, Any] = {
        "settings": args.set,
        "images": len(ids),
        "s_per_image": round(wall / len(ids), 2),
        "pool_best": {**_metrics({i: refs[i] for i in ids}, initial),
                      "scorer": round(sum(float(s[0]) for s in scored) / len(ids), 4)},
        "final": {**_metrics({i: refs[i] for i in ids}, final),
                  "scorer": round(sum(float(s[1]) for s in scored) / len(ids), 4)},
        "unchanged": sum(initial[i] == final[i] for i in ids),
        "captions": {i: {"pool_best": initial[i], "final": final[i]} for i in ids},
    }
    print(json.dumps(report["captions"], indent=1))
    print(f"\n{'':<10} {'CIDEr':>6} {'BLEU-4':>7} {'scorer':>7}   ({len(ids)} images, {report['s_per_image']} s each,"
          f" {report['unchanged']} unchanged)")
    for name in ("pool_best", "final"):
        row = report[name]
        print(f"{name:<10} {row['CIDEr']:>6.1f} {row['BLEU-4']:>7.1f} {row['scorer']:>7.4f}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Run the ``offline`` preset on the bundled pairs (examples/style) and print the losses before/after.

"Before" is the best instruction of the initial pool (by the ranking number, style + 0.25 content);
"after" is the final best. One JSON line per pair, then a summary line::

    HF_HUB_OFFLINE=1 python plugins/mils-style/scripts/measure_offline.py [--output runs/style-offline] [--set k=v ...]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def main() -> int:
    from mils_style.task import StyleTransfer

    from mils_core.config import config_from_dict
    from mils_core.plugins import make_plugin_manager
    from mils_core.results import read_sample_records
    from mils_core.runner import execute

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--samples", default=str(REPO / "examples" / "style"))
    parser.add_argument("--output", default="runs/style-offline")
    parser.add_argument("--preset", default="offline")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    args = parser.parse_args()
    raw = StyleTransfer.preset(args.preset)
    raw["run"] = {"task": "style-transfer", "samples": args.samples, "output": args.output, "seed": 0}
    config = config_from_dict(raw, base_dir=Path.cwd(), overrides=args.overrides)
    summary = execute(config, make_plugin_manager(), progress=False)
    lowered = 0
    records = list(read_sample_records(config.output_dir()))
    for r in records:
        if not r.ok:
            print(json.dumps({"id": r.id, "error": r.error}))
            continue
        before, after = r.history_objectives[0], [r.best_objectives["style"], r.best_objectives["content"]]
        lowered += after[0] < before[0]
        print(json.dumps({"id": r.id, "before": {"instruction": r.initial_best_text, "style": round(before[0], 4),
                                                 "content": round(before[1], 4)},
                          "after": {"instruction": r.best_text, "style": round(after[0], 4),
                                    "content": round(after[1], 4)},
                          "iterations": r.iterations, "seconds": r.timings.get("total")}))
    print(json.dumps({"pairs": len(records), "style_lowered": lowered, "seconds": summary.get("seconds"),
                      "output": summary["output"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

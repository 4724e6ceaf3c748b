"""A reference-style MILS loop and mils, side by side, with the same models on the same images.

The reference-style loop is written here from the paper's description (its own tiny generator and
scorer classes, one prompt per image per step, nothing cached): every image re-encodes the whole
initial pool, shows the top K captions with their scores, asks for N new ones, parses one per
numbered line, drops what it has seen, scores the rest and keeps the best K. Both sides use the
same loaded SmolLM2 model (transformers) and the same ``imagenet-bridge`` scorer object. Usage::

    .venv/bin/python plugins/mils-image/scripts/side_by_side.py [--images A.jpg B.jpg ...]
        [--skip-reference] [--mils-configs offline,reference-hparams] [--json OUT.json]

Prints one row per run: seconds per image, the scorer's mean best pool -> final, reply lines
parsed per image (repeats included) and new distinct candidates scored per image. Timing needs a
quiet machine: run nothing else meanwhile.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# a clean terminal, as `mils` itself keeps it: no weight-loading or conversion progress bars
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

import numpy as np

REPO = Path(__file__).resolve().parents[3]
DEFAULT_IMAGES = [REPO / "examples" / "images" / f"{n}.jpg" for n in ("rocket", "chelsea", "coffee")]

#: The reference's hyper-parameters (5 steps x 20 asked, top 20 shown, T 0.5, top-p 0.9).
REF = {"iterations": 5, "n_new": 20, "top_k": 20, "max_new_tokens": 300, "temperature": 0.5, "top_p": 0.9}

_NUMBERED = re.compile(r"^\s*\d+\s*[.)]\s*")


class RefScorer:
    """Scores captions for one image at a time; encodes every text it is given, every time."""

    def __init__(self, bridge: Any) -> None:
        self.bridge = bridge

    def image_vector(self, image: Any) -> np.ndarray:
        vec = np.asarray(self.bridge.encode_target_batch([image])[0], dtype=np.float64)
        return vec / max(1e-12, float(np.linalg.norm(vec)))

    def score(self, vec: np.ndarray, texts: list[str]) -> list[float]:
        out: list[float] = []
        for start in range(0, len(texts), 128):
            emb = np.asarray(self.bridge.encode_text_batch(texts[start:start + 128]), dtype=np.float64)
            emb /= np.maximum(1e-12, np.linalg.norm(emb, axis=1, keepdims=True))
            out.extend((emb @ vec).tolist())
        return out


class RefGenerator:
    """One chat prompt in, one sampled reply out (transformers ``generate``)."""

    def __init__(self, model: Any, tokenizer: Any) -> None:
        self.model, self.tokenizer = model, tokenizer
        self.completion_tokens = 0

    def reply(self, scored: list[tuple[float, str]], n: int) -> str:
        import torch

        listing = "\n".join(f"{s:.3f}: {t}" for s, t in scored)
        user = (
            "You are helping to describe one image you cannot see. A model that can see it gave each caption "
            f"below a score; higher means a better match.\n{listing}\n\n"
            f"Propose {n} new captions that could score higher. Combine and rephrase the good ones, remove "
            "details that may be wrong and add plausible ones. Keep each caption under 20 words. Write one "
            f"caption per line, counting them: 1. ... up to {n}."
        )
        text = self.tokenizer.apply_chat_template([{"role": "user", "content": user}], tokenize=False,
                                                  add_generation_prompt=True)
        ids = self.tokenizer(text, return_tensors="pt", add_special_tokens=False)
        with torch.inference_mode():
            out = self.model.generate(**ids, do_sample=True, temperature=REF["temperature"], top_p=REF["top_p"],
                                      top_k=None, max_new_tokens=REF["max_new_tokens"],
                                      pad_token_id=self.tokenizer.eos_token_id)
        new = out[0, ids["input_ids"].shape[1]:]
        self.completion_tokens += int(new.shape[0])
        return str(self.tokenizer.decode(new, skip_special_tokens=True))


def parse(reply: str) -> list[str]:
    """One candidate per non-empty line, counters removed."""
    lines = (_NUMBERED.sub("", line).strip() for line in reply.splitlines())
    return [line for line in lines if line]


def reference_loop(images: list[Path], pool: list[str], bridge: Any, model: Any, tokenizer: Any) -> dict[str, Any]:
    import torch

    from mils_core.media.image import load_image

    scorer, generator = RefScorer(bridge), RefGenerator(model, tokenizer)
    per_image: list[dict[str, Any]] = []
    for i, path in enumerate(images):
        torch.manual_seed(i)
        t0 = time.perf_counter()
        vec = scorer.image_vector(load_image(path))
        scores = scorer.score(vec, pool)
        t_pool = time.perf_counter() - t0
        ranked = sorted(zip(scores, pool, strict=True), reverse=True)[: REF["top_k"]]
        initial, seen, new, lines = ranked[0][0], set(pool), 0, 0
        for _ in range(REF["iterations"]):
            parsed = parse(generator.reply(ranked, REF["n_new"]))
            fresh = [c for c in dict.fromkeys(parsed) if c not in seen]
            seen.update(fresh)
            new, lines = new + len(fresh), lines + len(parsed)
            if fresh:
                ranked = sorted(ranked + list(zip(scorer.score(vec, fresh), fresh, strict=True)), reverse=True)
                ranked = ranked[: REF["top_k"]]
        per_image.append({"image": path.name, "s": round(time.perf_counter() - t0, 2), "pool_s": round(t_pool, 2),
                          "initial_best": round(initial, 4), "best": round(ranked[0][0], 4), "caption": ranked[0][1],
                          "new_candidates": new, "lines_parsed": lines})
    return summarise("reference-style loop", per_image, wall=sum(r["s"] for r in per_image),
                     completion_tokens=generator.completion_tokens)


def summarise(name: str, rows: list[dict[str, Any]], *, wall: float, completion_tokens: int) -> dict[str, Any]:
    n = max(1, len(rows))
    return {
        "run": name, "images": rows, "wall_s": round(wall, 2), "s_per_image": round(wall / n, 2),
        "mean_initial_best": round(sum(r["initial_best"] for r in rows) / n, 4),
        "mean_best": round(sum(r["best"] for r in rows) / n, 4),
        "new_candidates_per_image": round(sum(r["new_candidates"] for r in rows) / n, 1),
        # every parsed reply line, repeats and already-seen texts included (what a loop without
        # duplicate rules would score)
        "lines_parsed_per_image": round(sum(r["lines_parsed"] for r in rows) / n, 1),
        "completion_tokens_per_image": round(completion_tokens / n, 1),
    }


def mils_raw(name: str, pm: Any, images: list[Path]) -> dict[str, Any]:
    from mils_core.bench import base_config

    _preset, raw = base_config(pm, task="image-captioning", preset="offline", samples=[str(p) for p in images])
    if name == "reference-hparams":
        raw["task"] = {"max_words": 20}
        raw["generator"].update(max_new_tokens=REF["max_new_tokens"], temperature=REF["temperature"], top_p=REF["top_p"])
        raw["loop"] = {"top_k": REF["top_k"], "n_new": REF["n_new"], "prompts_per_sample": 1, "batch_samples": 4}
        raw["stop"] = [{"name": "max-iterations", "n": REF["iterations"]}]
    elif name != "offline":
        raise SystemExit(f"unknown mils config {name!r}; use offline or reference-hparams")
    return raw


def mils_run(name: str, raw: dict[str, Any], pm: Any, workdir: Path) -> dict[str, Any]:
    """One mils run of ``raw``; its components are resolved afresh (their options differ between
    configs) and find the loaded models in the process-wide model cache."""
    from mils_core.config import config_from_dict
    from mils_core.resolve import resolve_components
    from mils_core.results import read_sample_records
    from mils_core.runner import execute

    raw = copy.deepcopy(raw)
    raw["run"].update(output=str(workdir / name), cache_dir=str(workdir / "cache"))
    config = config_from_dict(raw, base_dir=Path.cwd())
    components = resolve_components(config, pm)
    components.generator.ensure_loaded()
    components.scorer.ensure_loaded()
    t0 = time.perf_counter()
    execute(config, pm, progress=False, components=components)
    wall = time.perf_counter() - t0
    records = [r for r in read_sample_records(config.output_dir()) if r.ok]
    rows = [{"image": r.id, "initial_best": round(r.initial_best_score or 0.0, 4), "best": round(r.best_score or 0.0, 4),
             "caption": r.best_text, "new_candidates": r.counters.get("candidates_scored", 0),
             "duplicates_dropped": r.counters.get("duplicates_dropped", 0),
             "degenerate_dropped": r.counters.get("degenerate_dropped", 0),
             "lines_not_parsed": r.counters.get("lines_not_parsed", 0),
             "lines_parsed": sum(r.counters.get(k, 0) for k in ("candidates_scored", "duplicates_dropped",
                                                                  "degenerate_dropped")),
             "initial_scorer": r.history_objectives[0][0] if r.history_objectives else r.initial_best_score,
             "objectives": r.best_objectives} for r in records]
    tokens = sum(r.tokens.get("completion", 0) for r in records)
    result = summarise(f"mils {name}", rows, wall=wall, completion_tokens=tokens)
    result["stage_s_per_image"] = {k: round(sum(r.timings.get(k, 0.0) for r in records) / max(1, len(records)), 2)
                                   for k in ("load", "initial", "generate", "score")}
    stats = getattr(components.generator, "decode_stats", None)
    if stats is not None:  # the batched decoder's own accounting
        result["decode"] = {"prefill_s": round(stats.prefill_s, 2), "decode_s": round(stats.decode_s, 2),
                            "steps": stats.steps, "row_steps": stats.row_steps,
                            "prompt_tokens_encoded": stats.prompt_tokens_encoded,
                            "decode_tokens_per_s": round(stats.row_steps / stats.decode_s, 1) if stats.decode_s else None}
    if any(r["objectives"] for r in rows):  # the scorer's own score, without the fluency term
        result["mean_best_scorer"] = round(sum(r["objectives"].get("score", r["best"]) for r in rows) / len(rows), 4)
        result["mean_initial_best_scorer"] = round(sum(r["initial_scorer"] or 0.0 for r in rows) / len(rows), 4)
    return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", nargs="+", type=Path, default=DEFAULT_IMAGES)
    parser.add_argument("--skip-reference", action="store_true")
    parser.add_argument("--mils-configs", default="offline,reference-hparams")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--seed", type=int, default=0, help="run seed of the mils runs")
    parser.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                        help="override the mils configs (JSON values), e.g. generator.dtype=\"float32\" or a whole "
                             "section: stop='[{\"name\": \"max-iterations\", \"n\": 5}]'")
    args = parser.parse_args(argv)

    from mils_core.config import config_from_dict
    from mils_core.plugins import make_plugin_manager
    from mils_core.resolve import resolve_components

    pm = make_plugin_manager()
    names = [n for n in args.mils_configs.split(",") if n]
    workdir = Path(tempfile.mkdtemp(prefix="mils-side-by-side-"))
    raws = {n: mils_raw(n, pm, args.images) for n in names or ["offline"]}
    for raw in raws.values():
        raw["run"]["seed"] = args.seed
    for item in args.set:
        dotted, _, value = item.partition("=")
        section, _, key = dotted.partition(".")
        for raw in raws.values():
            if key:
                raw.setdefault(section, {})[key] = json.loads(value)
            else:  # a whole section, e.g. stop=[{"name": "max-iterations", "n": 5}]
                raw[section] = json.loads(value)
    first = copy.deepcopy(next(iter(raws.values())))
    first["run"].update(output=str(workdir / "load"), cache_dir=str(workdir / "load-cache"))
    components = resolve_components(config_from_dict(first, base_dir=Path.cwd()), pm)
    generator, scorer = components.generator, components.scorer
    generator.ensure_loaded()
    scorer.ensure_loaded()
    from mils_image.task import builtin_pool

    pool = list(builtin_pool())  # the whole shipped pool, as the reference would use
    # warm both models once so neither side pays first-call costs
    scorer.encode_text_batch(pool[:8])
    RefGenerator(generator.model, generator.tokenizer).reply([(0.5, "a photo")], 2)

    # warm the disk caches (pool embeddings, class embeddings) the way a second run finds them
    for name, raw in raws.items():
        warm = copy.deepcopy(raw)
        warm["run"]["samples"] = [str(args.images[0])]
        warm["stop"] = [{"name": "max-iterations", "n": 1}]
        mils_run(f"warmup-{name}", warm, pm, workdir)

    rows: list[dict[str, Any]] = []
    if not args.skip_reference:
        rows.append(reference_loop(args.images, pool, scorer, generator.model, generator.tokenizer))
        print(json.dumps(rows[-1]), flush=True)
    for name in names:
        rows.append(mils_run(name, raws[name], pm, workdir))
        print(json.dumps(rows[-1]), flush=True)
    print(f"\n{'run':<28} {'s/image':>8} {'scorer best: pool -> final':>27} {'lines parsed/image':>19}"
          f" {'new distinct/image':>19}")
    for row in rows:  # the scorer's own score (a fluency term, if any, left out)
        pool_best = row.get("mean_initial_best_scorer", row["mean_initial_best"])
        best = row.get("mean_best_scorer", row["mean_best"])
        print(f"{row['run']:<28} {row['s_per_image']:>8.1f} {pool_best:>16.3f} -> {best:<8.3f}"
              f" {row['lines_parsed_per_image']:>19.1f} {row['new_candidates_per_image']:>19.1f}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

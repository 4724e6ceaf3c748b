"""Does the imagenet-bridge scorer rank a correct caption above wrong ones? Naive vs tuned formula.

Twenty real images that ship with scikit-image and scikit-learn, each with two hand-written
correct captions and four hand-written wrong but plausible ones. Every image is also scored
against five generic captions ("a photo", ...) and the correct captions of the other images
in its half. The images are split in two fixed halves (alternating, decided before any
measurement): the formula knobs are tuned on the first half and reported on the second.

Metrics, per image, averaged over images:
  pairwise  fraction of (correct, wrong) caption pairs ranked the right way round (ties 1/2)
  top-1     the best-scoring caption is a correct one
  generic   pairwise accuracy against the five generic captions only

Run (about two minutes on 2 CPU cores):
    HF_HUB_OFFLINE=1 python contrib/mils-imagenet-bridge/scripts/measure_ranking.py [--json out.json]
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from typing import Any

import numpy as np

from mils_imagenet_bridge.scorer import BridgeOptions, ImagenetBridge, bridge_vectors, probabilities

GENERIC = ["a photo", "an image of something", "a close-up picture", "a blurry photograph",
           "a picture with many colors"]

# name: (correct captions, wrong captions). Written for this measurement by looking at the images.
IMAGES: dict[str, tuple[list[str], list[str]]] = {
    "astronaut": (["an astronaut in an orange spacesuit posing for a portrait",
                   "a smiling woman in a space suit next to an american flag"],
                  ["a firefighter in protective gear", "a businessman in a suit at his desk",
                   "a football player holding his helmet", "a nurse in a hospital corridor"]),
    "chelsea": (["a close-up of a tabby cat's face", "a striped cat with green eyes"],
                ["a tiger walking through the jungle", "a brown dog lying on a rug", "a red fox in the snow",
                 "a lion resting in the savanna"]),
    "coffee": (["a cup of espresso on a red saucer", "a small coffee cup with a spoon on a wooden table"],
               ["a glass of orange juice", "a bowl of tomato soup", "a teapot and biscuits",
                "a plate of pancakes with syrup"]),
    "rocket": (["a rocket standing on the launch pad at night", "a spacecraft ready for launch between tall towers"],
               ["a lighthouse on a rocky coast", "a city skyline at night", "an airplane taking off from a runway",
                "a tall chimney of a factory"]),
    "camera": (["a man looking through a camera on a tripod", "a black and white photo of a cameraman in a field"],
               ["a man playing golf on a green", "a soldier aiming a rifle", "a painter standing at an easel",
                "a man reading a newspaper in the park"]),
    "horse": (["a black silhouette of a horse", "the shape of a standing horse on a white background"],
              ["a silhouette of a dog", "a black cow in a field", "a shadow of a man walking", "a black piano"]),
    "coins": (["rows of old coins on a table", "a collection of ancient silver coins"],
              ["buttons sewn on a shirt", "a tray of cookies", "a pile of pebbles", "bottle caps on the ground"]),
    "hubble_deep_field": (["a deep space image full of distant galaxies",
                           "thousands of stars and galaxies in the night sky"],
                          ["colorful confetti on a black floor", "city lights seen from an airplane",
                           "fireworks over a harbor", "glitter on black paper"]),
    "retina": (["a photograph of the retina of a human eye", "blood vessels at the back of the eye"],
               ["an orange planet seen from space", "a slice of blood orange", "a red balloon",
                "a map of a river delta"]),
    "immunohistochemistry": (["a microscope image of stained tissue", "cells under a microscope with brown staining"],
                             ["a slice of marble cake", "tree bark up close", "a map of islands in the sea",
                              "a wool sweater"]),
    "moon": (["the cratered surface of the moon", "a grey lunar landscape with craters"],
             ["a concrete wall with holes", "a snowy field", "a grey sand beach", "a crumpled sheet of paper"]),
    "page": (["a page of text about image segmentation", "a printed document with a title and a paragraph"],
             ["a restaurant menu", "a handwritten letter", "a street sign", "a newspaper crossword"]),
    "text": (["handwritten numbers and symbols on paper", "a sheet of paper with handwriting on it"],
             ["a computer keyboard", "a maze drawn on paper", "a musical score", "a wooden table top"]),
    "colorwheel": (["a color wheel with all the colors of the rainbow", "a circle of bright colors on a black background"],
                   ["a sunset over the sea", "a bowl of fruit", "a colorful umbrella", "a stained glass window"]),
    "brick": (["a brick wall", "rows of bricks in a pavement"],
              ["a wooden fence", "a tiled bathroom floor", "a stack of books", "a chess board"]),
    "grass": (["a close-up of grass", "a lawn of green grass seen from above"],
              ["a bowl of noodles", "a pile of hay in a barn", "the fur of a dog", "a forest seen from a plane"]),
    "gravel": (["a close-up of gravel", "a pile of small stones"],
               ["a bowl of cereal", "a heap of coffee beans", "a sandy beach", "a crowd of people seen from above"]),
    "china": (["a traditional chinese pagoda on a hill", "an old temple with red columns next to a lake"],
              ["a modern skyscraper in a city", "a wooden cabin in the mountains", "a castle in europe",
               "a lighthouse by the sea"]),
    "flower": (["an orange dahlia flower", "a close-up of an orange flower in a garden"],
               ["an orange on a tree", "a basket of peaches", "a bowl of pumpkin soup", "a butterfly on a leaf"]),
    "logo": (["a logo with a snake on a green and orange circle", "an illustration of a snake in a circle"],
             ["a basketball on a court", "a slice of lime and orange", "a green traffic light", "a yin yang symbol"]),
}
NAMES = list(IMAGES)
TUNE = NAMES[0::2]
HELD_OUT = NAMES[1::2]

NAIVE: dict[str, Any] = {"normalization": "imagenet", "views": "center", "temperature": 1.0, "top_k": 0, "center": 0.0,
         "class_template": "{name}"}
GRID: dict[str, list[Any]] = {
    "normalization": ["imagenet", "tf-lite"],
    "views": ["center", "center+full"],
    "temperature": [1.0, 0.5, 2.0],
    "top_k": [0, 5, 20],
    "center": [0.0, 0.5, 1.0, 1.5],
    "class_template": ["{name}", "{a_name}", "a photo of {a_name}"],
}


def load_image(name: str) -> Any:
    """An RGB PIL image from scikit-image or scikit-learn's bundled samples."""
    from PIL import Image

    if name in ("china", "flower"):
        from sklearn.datasets import load_sample_images

        array = load_sample_images().images[["china", "flower"].index(name)]
    else:
        import skimage.data

        array = getattr(skimage.data, name)()
    array = np.asarray(array)
    if array.dtype == bool:
        array = array.astype(np.uint8) * 255
    if array.ndim == 2:
        array = np.stack([array] * 3, axis=-1)
    return Image.fromarray(array[..., :3]).convert("RGB")


def candidates(names: list[str]) -> tuple[list[str], dict[str, tuple[list[int], list[int]]]]:
    """All caption texts of a split, and per image the indices of its correct and wrong captions."""
    texts: list[str] = []

    def idx(text: str) -> int:
        if text not in texts:
            texts.append(text)
        return texts.index(text)

    for name in names:
        for text in IMAGES[name][0] + IMAGES[name][1]:
            idx(text)
    for text in GENERIC:
        idx(text)
    per_image = {}
    for name in names:
        correct = [idx(t) for t in IMAGES[name][0]]
        wrong = [idx(t) for t in IMAGES[name][1] + GENERIC]
        wrong += [idx(t) for other in names if other != name for t in IMAGES[other][0]]
        per_image[name] = (correct, wrong)
    return texts, per_image


def metrics(scores: np.ndarray, names: list[str], per_image: dict[str, tuple[list[int], list[int]]],
            generic_idx: set[int]) -> dict[str, float]:
    pairwise, top1, generic = [], [], []
    for row, name in zip(scores, names, strict=True):
        correct, wrong = per_image[name]
        diff = row[correct][:, None] - row[wrong][None, :]
        pairwise.append(float(((diff > 0) + 0.5 * (diff == 0)).mean()))
        gen = [j for j, w in enumerate(wrong) if w in generic_idx]
        generic.append(float(((diff[:, gen] > 0) + 0.5 * (diff[:, gen] == 0)).mean()))
        candidates_ = correct + wrong
        top1.append(float(candidates_[int(np.argmax(row[candidates_]))] in correct))
    return {"pairwise": float(np.mean(pairwise)), "top1": float(np.mean(top1)), "generic": float(np.mean(generic))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write all numbers to this file")
    args = parser.parse_args()
    start = time.perf_counter()
    images = {name: load_image(name) for name in NAMES}

    # Classifier logits for every (normalisation, views) setting; temperature is applied below.
    logits: dict[tuple[str, str], dict[str, np.ndarray]] = {}
    base = ImagenetBridge(BridgeOptions(device="cpu"))
    base.ensure_loaded()
    for normalization, views in itertools.product(GRID["normalization"], GRID["views"]):
        out = base.class_logits([images[n] for n in NAMES], normalization=normalization, views=views)
        logits[(normalization, views)] = dict(zip(NAMES, out, strict=True))
    class_emb = {t: base.class_embeddings(t) for t in GRID["class_template"]}

    splits = {}
    for split, names in (("tune", TUNE), ("held_out", HELD_OUT)):
        texts, per_image = candidates(names)
        emb = base.text_embeddings(texts)
        splits[split] = (names, texts, per_image, emb, {texts.index(t) for t in GENERIC})

    def evaluate(cfg: dict[str, Any], split: str) -> dict[str, float]:
        names, _texts, per_image, emb, generic_idx = splits[split]
        lg = np.stack([logits[(cfg["normalization"], cfg["views"])][n] for n in names])
        probs = probabilities(lg, cfg["temperature"])
        vectors = bridge_vectors(probs, class_emb[cfg["class_template"]], top_k=cfg["top_k"], center=cfg["center"])
        vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return metrics(vectors @ emb.T, names, per_image, generic_idx)

    keys = list(GRID)
    results = []
    for values in itertools.product(*(GRID[k] for k in keys)):
        cfg = dict(zip(keys, values, strict=True))
        results.append((cfg, evaluate(cfg, "tune")))

    def changed(cfg: dict[str, Any]) -> int:
        return sum(cfg[k] != NAIVE[k] for k in keys)

    # Best on the tuning half: pairwise accuracy, then top-1, then the fewest changes from naive.
    results.sort(key=lambda r: (-r[1]["pairwise"], -r[1]["top1"], changed(r[0])))
    best_cfg, best_tune = results[0]
    top10_held = [evaluate(cfg, "held_out")["pairwise"] for cfg, _ in results[:10]]

    rows = [("naive", NAIVE), ("tuned (chosen)", best_cfg)]
    for key in keys:  # one knob of the chosen configuration at a time, on top of naive
        if best_cfg[key] != NAIVE[key]:
            rows.append((f"naive + {key}={best_cfg[key]!r}", {**NAIVE, key: best_cfg[key]}))
    for key in keys:  # the chosen configuration with one knob put back to naive
        if best_cfg[key] != NAIVE[key]:
            rows.append((f"tuned - {key}", {**best_cfg, key: NAIVE[key]}))

    report: dict[str, Any] = {"tune_images": TUNE, "held_out_images": HELD_OUT, "configs_tried": len(results),
              "chosen": best_cfg}
    report_rows: list[dict[str, Any]] = []
    report["rows"] = report_rows
    print(f"{len(results)} configurations tried on the tuning half ({', '.join(TUNE)})")
    print(f"held-out half: {', '.join(HELD_OUT)}")
    print(f"chosen: {best_cfg}")
    print(f"\n{'formula':44s} {'tune pair':>9s} {'top1':>5s} {'held pair':>9s} {'top1':>5s} {'generic':>7s}")
    for label, cfg in rows:
        tune, held = evaluate(cfg, "tune"), evaluate(cfg, "held_out")
        report_rows.append({"label": label, "config": cfg, "tune": tune, "held_out": held})
        print(f"{label:44s} {tune['pairwise']:9.3f} {tune['top1']:5.2f} {held['pairwise']:9.3f} {held['top1']:5.2f}"
              f" {held['generic']:7.3f}")
    print(f"\nheld-out pairwise of the 10 best tuning configurations: mean {np.mean(top10_held):.3f}, "
          f"min {min(top10_held):.3f}, max {max(top10_held):.3f}")
    report["top10_held_out_pairwise"] = top10_held

    # The chosen configuration through the real scorer API (defaults of BridgeOptions), as a check.
    scorer = ImagenetBridge(BridgeOptions(device="cpu", **best_cfg))
    names, texts, per_image, _emb, generic_idx = splits["held_out"]
    matrix = scorer.score_matrix(scorer.prepare_targets([images[n] for n in names]), texts)
    via_api = metrics(matrix, names, per_image, generic_idx)
    print(f"held-out through ImagenetBridge.score_matrix: {via_api}")
    print(f"defaults of BridgeOptions are the chosen configuration: "
          f"{all(getattr(BridgeOptions(), k) == v for k, v in best_cfg.items())}")
    for name in HELD_OUT:
        top = ", ".join(f"{c} {p:.2f}" for c, p in scorer.top_classes(images[name], 3))
        print(f"  {name:22s} {top}")
    report["held_out_via_scorer_api"] = via_api
    print(f"\n{time.perf_counter() - start:.0f} s")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(report, fh, indent=1)


if __name__ == "__main__":
    main()

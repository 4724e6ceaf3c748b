"""Caption metrics computed with pycocoevalcap (BLEU-1..4, METEOR, ROUGE-L, CIDEr-D, SPICE) plus SPIDEr.

Nothing here re-implements a metric: tokenisation, BLEU, METEOR, ROUGE-L and CIDEr are
pycocoevalcap's classes, and SPICE is pycocoevalcap's ``spice-1.0.jar``. What this module adds:

* **No Java on PATH**: BLEU, ROUGE-L and CIDEr (pure Python) still run; METEOR and SPICE are
  skipped with one warning; tokenisation uses :mod:`mils_eval.ptb`, a pure-Python equivalent
  of the PTB tokenizer (its docstring lists the differences).
* **SPICE never downloads**: pycocoevalcap's ``Spice()`` constructor downloads Stanford CoreNLP
  3.6.0 (``get_stanford_models``) when ``spice/lib/stanford-corenlp-3.6.0.jar`` is absent. This
  module never builds ``Spice()``; it runs the same jar itself with the CoreNLP jars found in
  the ``--spice-corenlp`` folder (or already in pycocoevalcap's ``spice/lib``), else skips SPICE.
* pycocoevalcap's ``Cider`` is CIDEr-D (clipped n-gram counts, Gaussian length penalty with
  sigma 6, scores x10); its IDF comes from the references of the samples being evaluated, so
  scores depend on the evaluated set (as in the COCO evaluation server).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import structlog

from mils_core.errors import ConfigError
from mils_core.suggest import did_you_mean

log = structlog.get_logger("mils.eval")

#: Metric groups a user can ask for, and the keys each one produces (pycocoevalcap's names).
METRIC_KEYS: dict[str, tuple[str, ...]] = {
    "Bleu": ("Bleu_1", "Bleu_2", "Bleu_3", "Bleu_4"),
    "METEOR": ("METEOR",),
    "ROUGE_L": ("ROUGE_L",),
    "CIDEr": ("CIDEr",),
    "SPICE": ("SPICE",),
}
DEFAULT_METRICS = tuple(METRIC_KEYS)
JAVA_METRICS = ("METEOR", "SPICE")
JAVA_HINT = "install a Java runtime (e.g. 'apt-get install default-jre-headless') to get them"

CORENLP_JARS = ("stanford-corenlp-3.6.0.jar", "stanford-corenlp-3.6.0-models.jar")
CORENLP_ZIP = "stanford-corenlp-full-2015-12-09"
CORENLP_HINT = (f"download {CORENLP_ZIP}.zip (from nlp.stanford.edu/software/), unzip it and "
                f"pass --spice-corenlp <path>/{CORENLP_ZIP}")
_LINE_BREAKS = str.maketrans({c: " " for c in "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"})


def parse_metrics(text: str | Sequence[str] | None) -> tuple[str, ...]:
    """Metric groups from ``"Bleu,METEOR,..."`` (case-insensitive; ``SPIDEr`` means CIDEr + SPICE)."""
    if text is None:
        return DEFAULT_METRICS
    items = [p.strip() for p in (text.split(",") if isinstance(text, str) else text) if p.strip()]
    lookup = {k.lower(): k for k in METRIC_KEYS}
    lookup.update({"bleu_1": "Bleu", "bleu_2": "Bleu", "bleu_3": "Bleu", "bleu_4": "Bleu", "rouge": "ROUGE_L",
                   "rouge-l": "ROUGE_L", "cider-d": "CIDEr"})
    chosen: list[str] = []
    for item in items:
        if item.lower() == "spider":
            chosen += ["CIDEr", "SPICE"]
            continue
        name = lookup.get(item.lower())
        if name is None:
            raise ConfigError(f"unknown metric {item!r}.{did_you_mean(item, list(METRIC_KEYS) + ['SPIDEr'])} "
                              f"Metrics: {', '.join(METRIC_KEYS)}, SPIDEr.")
        chosen.append(name)
    if not chosen:
        raise ConfigError("--metrics is empty; name some of: " + ", ".join(METRIC_KEYS))
    return tuple(m for m in METRIC_KEYS if m in chosen)


@attrs.define
class MetricResult:
    """Corpus scores, per-sample scores, and what was skipped and why."""

    scores: dict[str, float] = attrs.field(factory=dict)
    per_sample: dict[str, dict[str, float]] = attrs.field(factory=dict)
    skipped: dict[str, str] = attrs.field(factory=dict)
    tokenizer: str = ""
    warnings: list[str] = attrs.field(factory=list)
    seconds: dict[str, float] = attrs.field(factory=dict)


def java_available() -> str | None:
    """The ``java`` executable on PATH, or None."""
    return shutil.which("java")


def _package_dir() -> Path:
    import pycocoevalcap

    return Path(next(iter(pycocoevalcap.__path__)))


def _tokenize(gts: Mapping[str, list[str]], res: Mapping[str, str], java: bool, result: MetricResult
              ) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    gts_in = {k: [{"caption": c.translate(_LINE_BREAKS)} for c in v] for k, v in gts.items()}
    res_in = {k: [{"caption": c.translate(_LINE_BREAKS)}] for k, c in res.items()}
    if java:
        try:
            from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

            tok = PTBTokenizer()
            gts_t, res_t = tok.tokenize(gts_in), tok.tokenize(res_in)
            if all(len(gts_t.get(k, [])) == len(v) for k, v in gts_in.items()) and all(
                len(res_t.get(k, [])) == 1 for k in res_in
            ):
                result.tokenizer = "ptb-java"
                return gts_t, res_t
            reason = "its output lines did not match the input captions"
        except (OSError, subprocess.SubprocessError, UnicodeError) as exc:
            reason = f"{type(exc).__name__}: {exc}"
        message = f"pycocoevalcap's Java PTB tokenizer failed ({reason}); using the pure-Python PTB tokenizer instead"
        log.warning(message)
        result.warnings.append(message)
    from mils_eval.ptb import tokenize

    result.tokenizer = "ptb-python"
    return tokenize(gts_in), tokenize(res_in)


def find_corenlp(spice_corenlp: str | Path | None) -> tuple[list[Path], str | None]:
    """The two CoreNLP 3.6.0 jars SPICE needs, or ([], why SPICE is skipped). Never downloads."""
    if spice_corenlp:
        given = Path(spice_corenlp).expanduser()
        folder = given.parent if given.suffix == ".jar" else given
        for candidate in (folder, folder / CORENLP_ZIP):
            jars = [candidate / name for name in CORENLP_JARS]
            if all(j.is_file() for j in jars):
                return jars, None
        if not folder.exists():
            return [], f"--spice-corenlp folder {str(folder)!r} not found; {CORENLP_HINT}"
        return [], (f"--spice-corenlp folder {str(folder)!r} lacks {' and '.join(CORENLP_JARS)}; {CORENLP_HINT}")
    lib = _package_dir() / "spice" / "lib"
    jars = [lib / name for name in CORENLP_JARS]
    if all(j.is_file() for j in jars):
        return jars, None
    return [], f"SPICE needs Stanford CoreNLP 3.6.0, which is not installed (mils never downloads it); {CORENLP_HINT}"


def _spice_cache_dir() -> Path:
    from mils_core.config import default_cache_dir

    return default_cache_dir() / "spice"


def run_spice(gts: Mapping[str, list[str]], res: Mapping[str, list[str]], jars: Sequence[Path]
              ) -> tuple[float, list[float]]:
    """SPICE F-scores from pycocoevalcap's ``spice-1.0.jar`` (same input, flags and averaging as its ``Spice``)."""
    spice_jar = _package_dir() / "spice" / "spice-1.0.jar"
    ids = list(gts)
    data = [{"image_id": k, "test": res[k][0], "refs": gts[k]} for k in ids]
    cache = _spice_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mils-spice-") as tmp:
        in_file, out_file = Path(tmp) / "in.json", Path(tmp) / "out.json"
        in_file.write_text(json.dumps(data), encoding="utf-8")
        classpath = os.pathsep.join([str(spice_jar), *map(str, jars)])
        cmd = ["java", "-Xmx8G", "-cp", classpath, "edu.anu.spice.SpiceScorer", str(in_file),
               "-cache", str(cache), "-out", str(out_file), "-subset", "-silent"]
        proc = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, check=False)
        if proc.returncode != 0 or not out_file.exists():
            lines = [ln.strip() for ln in (proc.stderr or proc.stdout or "").splitlines() if ln.strip()]
            causes = [ln for ln in lines if "Exception" in ln or "Error" in ln]
            why = (causes[-1] if causes else lines[-1] if lines else "no output")[:300]
            raise RuntimeError(f"SPICE jar exited with code {proc.returncode}: {why}")
        results = json.loads(out_file.read_text(encoding="utf-8"))
    by_id = {str(item["image_id"]): item["scores"]["All"]["f"] for item in results}

    def as_float(value: Any) -> float:
        try:
            return float(value)
        except (TypeError, ValueError):
            return math.nan

    scores = [as_float(by_id.get(k)) for k in ids]
    return float(sum(scores) / len(scores)) if scores else math.nan, scores


def compute_metrics(
    gts: Mapping[str, Sequence[str]],
    res: Mapping[str, str],
    metrics: Sequence[str] = DEFAULT_METRICS,
    *,
    spice_corenlp: str | Path | None = None,
) -> MetricResult:
    """Score ``res[id]`` (one caption) against ``gts[id]`` (its references) for every id.

    ``gts`` and ``res`` must have the same keys and every ``gts`` list at least one caption.
    """
    if set(gts) != set(res):
        raise ValueError("compute_metrics: gts and res must have the same ids")
    if not gts:
        raise ValueError("compute_metrics: nothing to evaluate")
    result = MetricResult()
    java = java_available() is not None
    wanted = [m for m in DEFAULT_METRICS if m in metrics]
    if not java:
        lost = [m for m in wanted if m in JAVA_METRICS]
        message = (f"no Java runtime on PATH: {' and '.join(lost) + ' skipped, ' if lost else ''}"
                   f"tokenising with the pure-Python PTB tokenizer; {JAVA_HINT}")
        log.warning(message)
        result.warnings.append(message)
        for m in lost:
            result.skipped[m] = f"no Java runtime on PATH; {JAVA_HINT}"
    ids = list(gts)
    t0 = time.perf_counter()
    gts_t, res_t = _tokenize({k: list(gts[k]) for k in ids}, {k: res[k] for k in ids}, java, result)
    gts_t = {k: gts_t[k] for k in ids}
    res_t = {k: res_t[k] for k in ids}
    result.seconds["tokenize"] = round(time.perf_counter() - t0, 3)

    def keep(name: str, score: float, per: Sequence[float]) -> None:
        result.scores[name] = float(score)
        for key, value in zip(ids, per, strict=True):
            result.per_sample.setdefault(key, {})[name] = float(value)

    for group in wanted:
        if group in result.skipped:
            continue
        t0 = time.perf_counter()
        try:
            if group == "Bleu":
                from pycocoevalcap.bleu.bleu import Bleu

                with contextlib.redirect_stdout(io.StringIO()):  # BleuScorer prints its counts
                    score, scores = Bleu(4).compute_score(gts_t, res_t, verbose=0)
                for n, name in enumerate(METRIC_KEYS["Bleu"]):
                    keep(name, score[n], scores[n])
            elif group == "ROUGE_L":
                from pycocoevalcap.rouge.rouge import Rouge

                score, scores = Rouge().compute_score(gts_t, res_t)
                keep("ROUGE_L", score, list(scores))
            elif group == "CIDEr":
                from pycocoevalcap.cider.cider import Cider

                score, scores = Cider().compute_score(gts_t, res_t)
                keep("CIDEr", score, list(scores))
            elif group == "METEOR":
                score, scores = _meteor(gts_t, res_t)
                keep("METEOR", score, scores)
            elif group == "SPICE":
                jars, why = find_corenlp(spice_corenlp)
                if why:
                    log.info("SPICE skipped", reason=why)
                    result.skipped["SPICE"] = why
                    continue
                score, scores = run_spice(gts_t, res_t, jars)
                keep("SPICE", score, scores)
        except (OSError, RuntimeError, ValueError, subprocess.SubprocessError) as exc:
            why = f"{group} failed: {type(exc).__name__}: {exc}"
            log.warning("metric skipped", metric=group, reason=why)
            result.skipped[group] = why
            for name in METRIC_KEYS[group]:
                result.scores.pop(name, None)
        result.seconds[group] = round(time.perf_counter() - t0, 3)
    if "CIDEr" in result.scores and "SPICE" in result.scores:
        result.scores["SPIDEr"] = (result.scores["CIDEr"] + result.scores["SPICE"]) / 2
        for per in result.per_sample.values():
            if "CIDEr" in per and "SPICE" in per:
                per["SPIDEr"] = (per["CIDEr"] + per["SPICE"]) / 2
    return result


def _meteor(gts: dict[str, list[str]], res: dict[str, list[str]]) -> tuple[float, list[float]]:
    from pycocoevalcap.meteor.meteor import Meteor

    meteor = Meteor()
    try:
        score, scores = meteor.compute_score(gts, res)
    except (ValueError, OSError) as exc:  # the jar died: a broken pipe, or nothing to parse
        if meteor.lock.locked():  # Meteor.__del__ takes the lock: release it or it waits forever
            meteor.lock.release()
        err = ""
        if meteor.meteor_p.poll() is not None and meteor.meteor_p.stderr is not None:
            err = meteor.meteor_p.stderr.read(4000).decode(errors="replace").strip()
        raise RuntimeError(f"the METEOR jar stopped ({err.splitlines()[-1] if err else exc})") from None
    finally:
        del meteor
    return float(score), [float(s) for s in scores]

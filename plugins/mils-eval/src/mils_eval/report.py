"""``mils report``: one self-contained HTML file (inline CSS, images as data URIs) plus PNG plots.

The plots are drawn with matplotlib's object API on an Agg canvas (no pyplot, no display),
written into the run folder (``report-curves.png``, ``report-scores.png``, ``report-timing.png``)
and inlined into the HTML. Thumbnails of image sources are small JPEGs made with PIL.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import time
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from mils_core.records import RunSummary, SampleRecord
from mils_core.results import atomic_write_text, read_sample_records
from mils_core.runner import SUMMARY_FILE
from mils_eval import __version__
from mils_eval.evaluate import METRICS_FILE, ORDER, check_run_dir, unique_records

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff"}
VIDEO_SUFFIXES = {".mp4", ".avi", ".webm", ".mkv", ".mov"}
AUDIO_SUFFIXES = {".wav", ".flac", ".mp3", ".ogg", ".m4a"}
STAGES = ("load", "initial", "generate", "score")
BLUE, ORANGE, GREY = "#2f6db5", "#e07b39", "#8a8f98"


# --------------------------------------------------------------------------- helpers


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _num(value: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return out


def _fmt(value: Any, digits: int = 4) -> str:
    v = _num(value)
    return "–" if not math.isfinite(v) else f"{v:.{digits}f}"


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _read_summary(folder: Path) -> RunSummary | None:
    """The run's ``summary.json`` (any schema version), or None if it is absent or unreadable."""
    data = _read_json(folder / SUMMARY_FILE)
    if not isinstance(data, dict):
        return None
    try:
        return RunSummary.from_dict(data)
    except (TypeError, ValueError):
        return None


def _png_uri(data: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def _as_path(source: Any) -> Path | None:
    if not isinstance(source, str) or not source or "\n" in source or len(source) > 4096:
        return None
    try:
        path = Path(source)
        return path if path.is_file() else None
    except (OSError, ValueError):
        return None


def thumbnail(path: Path, size: int = 320) -> str | None:
    """A small JPEG of an image file as a data URI, or None if it cannot be read."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            img.thumbnail((size, size))
            buf = io.BytesIO()
            img.convert("RGB").save(buf, format="JPEG", quality=82)
    except (OSError, UnidentifiedImageError, ValueError):
        return None
    return _png_uri(buf.getvalue(), "image/jpeg")


# --------------------------------------------------------------------------- plots


def _duration(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} µs"


def _figure(width: float, height: float) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=110, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Any, path: Path) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    data = buf.getvalue()
    path.write_bytes(data)
    return data


def _style(ax: Any) -> None:
    ax.grid(True, color="#e3e6ea", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _carry_forward(series: Sequence[Sequence[Any]]) -> np.ndarray:
    """Rows padded to the longest one with their last value (a stopped sample keeps its best)."""
    length = max(len(s) for s in series)
    out = np.full((len(series), length), np.nan)
    for i, s in enumerate(series):
        vals = [_num(v) for v in s]
        out[i, : len(vals)] = vals
        if vals:
            out[i, len(vals):] = vals[-1]
    return out


def plot_curves(ok: list[SampleRecord], path: Path) -> bytes | None:
    best = [r.history or [] for r in ok]
    mean = [r.history_mean or [] for r in ok]
    if not any(best):
        return None
    fig = _figure(10, 3.6)
    axes = fig.subplots(1, 2)
    for ax, series, title in ((axes[0], best, "best score"), (axes[1], mean, "mean of the top-K")):
        series = [s for s in series if s]
        if not series:
            ax.set_axis_off()
            continue
        data = _carry_forward(series)
        x = np.arange(data.shape[1])
        with np.errstate(all="ignore"):
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                q1, med, q3 = np.nanpercentile(data, [25, 50, 75], axis=0)
        ax.fill_between(x, q1, q3, color=BLUE, alpha=0.18, linewidth=0, label="inter-quartile range")
        ax.plot(x, med, color=BLUE, linewidth=2, marker="o" if len(x) <= 30 else None, markersize=3.5, label="median")
        ax.set_title(f"{title} per iteration ({len(series)} samples)", fontsize=10)
        ax.set_xlabel("iteration (0 = initial pool)")
        ax.set_ylabel("score")
        if len(x) <= 12:
            ax.set_xticks(x)
        _style(ax)
        ax.legend(frameon=False, fontsize=8, loc="lower right")
    return _save(fig, path)


def plot_scores(ok: list[SampleRecord], path: Path) -> bytes | None:
    final = np.array([_num(r.best_score) for r in ok])
    initial = np.array([_num(r.initial_best_score) for r in ok])
    final, initial = final[np.isfinite(final)], initial[np.isfinite(initial)]
    if final.size == 0:
        return None
    fig = _figure(10, 3.4)
    ax = fig.subplots(1, 1)
    both = np.concatenate([final, initial])
    lo, hi = float(both.min()), float(both.max())
    nbins = min(40, max(8, int(math.sqrt(both.size)) * 2))
    if hi - lo < 1e-9:  # every score equal: one bar centred on it
        pad = max(abs(lo) * 0.05, 0.05)
        lo, hi, nbins = lo - pad, hi + pad, 9
    bins = np.linspace(lo, hi, nbins + 1)
    if initial.size:
        ax.hist(initial, bins=bins, color=GREY, alpha=0.55, label=f"initial-pool best (median {np.median(initial):.3f})")
    ax.hist(final, bins=bins, color=BLUE, alpha=0.7, label=f"final best (median {np.median(final):.3f})")
    ax.ticklabel_format(axis="x", useOffset=False)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title("distribution of scores across samples", fontsize=10)
    ax.set_xlabel("score")
    ax.set_ylabel("samples")
    _style(ax)
    ax.legend(frameon=False, fontsize=8)
    return _save(fig, path)


def plot_timing(records: list[SampleRecord], path: Path) -> bytes | None:
    if not records:
        return None
    stage = {s: float(np.nansum([_num((r.timings or {}).get(s)) for r in records])) for s in STAGES}
    tokens = {k: float(np.nansum([_num((r.tokens or {}).get(k)) for r in records])) for k in ("prompt", "completion")}
    fig = _figure(10, 2.6)
    ax1, ax2 = fig.subplots(1, 2)
    names = list(stage)
    vals = [stage[s] / len(records) for s in names]
    ax1.barh(names[::-1], vals[::-1], color=[BLUE, ORANGE, "#4caf7a", GREY][::-1])
    for y, v in enumerate(vals[::-1]):
        ax1.text(v, y, f" {_duration(v)}", va="center", fontsize=8)
    ax1.set_title("mean time per sample, by stage", fontsize=10)
    ax1.set_xlabel("seconds")
    ax1.set_xlim(0, max(vals) * 1.3 if max(vals) > 0 else 1)
    _style(ax1)
    if sum(tokens.values()) > 0:
        tv = [tokens["prompt"] / len(records), tokens["completion"] / len(records)]
        ax2.barh(["completion", "prompt"], tv[::-1], color=[ORANGE, BLUE])
        for y, v in enumerate(tv[::-1]):
            ax2.text(v, y, f" {v:,.0f}", va="center", fontsize=8)
        ax2.set_xlim(0, max(tv) * 1.3)
        ax2.set_title("mean LLM tokens per sample", fontsize=10)
        ax2.set_xlabel("tokens")
        _style(ax2)
    else:
        ax2.set_axis_off()
        ax2.text(0.5, 0.5, "no LLM tokens recorded\n(the generator reports none)", ha="center", va="center",
                 fontsize=9, color=GREY, transform=ax2.transAxes)
    return _save(fig, path)


# --------------------------------------------------------------------------- HTML

CSS = """
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;
color:#1f2328;background:#f5f6f8}
main{max-width:1180px;margin:0 auto;padding:24px 28px 60px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:34px 0 10px;padding-bottom:6px;border-bottom:1px solid #dde1e6}
.sub{color:#5c6370;margin:0 0 18px;word-break:break-all}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:10px}
.card{background:#fff;border:1px solid #e1e4e8;border-radius:8px;padding:10px 12px}
.card .k{color:#5c6370;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .v{font-size:20px;font-weight:600;margin-top:2px;overflow-wrap:anywhere}
.card .v.small{font-size:14px;font-weight:500}
.bad{color:#b3261e}.good{color:#1e7b3a}.muted{color:#6a717c}
figure{margin:10px 0 6px;background:#fff;border:1px solid #e1e4e8;border-radius:8px;padding:8px}
figure img{width:100%;height:auto;display:block}
figcaption{color:#5c6370;font-size:12px;padding:4px 6px 0}
table{border-collapse:collapse;background:#fff;border:1px solid #e1e4e8;border-radius:8px;overflow:hidden;font-size:13px}
th,td{padding:6px 12px;text-align:left;border-bottom:1px solid #eef0f2;vertical-align:top}
th{background:#f0f2f5;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.gallery{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:12px}
.item{background:#fff;border:1px solid #e1e4e8;border-radius:8px;overflow:hidden;display:flex;flex-direction:column}
.item img{width:100%;height:190px;object-fit:cover;display:block;background:#e9ecef}
.strip{display:flex;gap:2px;background:#e9ecef}.strip figure{margin:0;flex:1;min-width:0}
.strip img{height:150px}.strip figcaption{font-size:11px;color:#5c6370;text-align:center;padding:2px 0}
.spark{display:block;margin-top:4px}
.target{background:#eef3fb;padding:10px 12px;font-style:italic;min-height:64px;border-bottom:1px solid #e1e4e8}
.target b{font-style:normal;color:#5c6370;font-size:11px;text-transform:uppercase;letter-spacing:.04em;display:block}
.media{background:#eef3fb;padding:10px 12px;border-bottom:1px solid #e1e4e8;color:#3b4450;word-break:break-all}
.body{padding:10px 12px;display:flex;flex-direction:column;gap:6px}
.id{font-size:11px;color:#6a717c;display:flex;justify-content:space-between;gap:6px}
.cap{font-weight:600}
.score{font-variant-numeric:tabular-nums;font-size:12px;color:#3b4450}
.init{color:#6a717c;font-size:12.5px;border-left:3px solid #d5d9de;padding-left:8px}
.refs{font-size:12px;color:#5c6370}.refs summary{cursor:pointer}
.pill{display:inline-block;background:#eef0f2;border-radius:10px;padding:0 7px;font-size:11px;margin-right:4px}
pre{background:#fff;border:1px solid #e1e4e8;border-radius:8px;padding:12px;overflow:auto;font-size:12px;max-height:520px}
.two{display:grid;grid-template-columns:1fr 1fr;gap:16px}@media(max-width:900px){.two{grid-template-columns:1fr}}
.note{color:#5c6370;font-size:12.5px;margin:6px 0}
.metrics .k{text-transform:none;font-size:13px;letter-spacing:0}.metrics .v{font-variant-numeric:tabular-nums}
.x100{font-size:12px;font-weight:400;color:#6a717c;margin-left:8px}
ul.skipped{padding-left:18px}code{background:#eef0f2;border-radius:4px;padding:1px 5px}
"""


def _card(label: str, value: str, cls: str = "") -> str:
    return f'<div class="card"><div class="k">{_esc(label)}</div><div class="v {cls}">{value}</div></div>'


def _figure_html(data: bytes | None, alt: str, caption: str) -> str:
    if data is None:
        return f'<p class="note">{_esc(alt)}: nothing to plot.</p>'
    return f'<figure><img alt="{_esc(alt)}" src="{_png_uri(data)}"><figcaption>{_esc(caption)}</figcaption></figure>'


def _pick(ok: list[SampleRecord], n: int) -> list[tuple[int, SampleRecord]]:
    ranked = sorted(ok, key=lambda r: -_num(r.best_score) if math.isfinite(_num(r.best_score)) else math.inf)
    if n <= 0:
        return []
    if len(ranked) <= n:
        return list(enumerate(ranked, 1))
    idx = sorted({int(round(i)) for i in np.linspace(0, len(ranked) - 1, n)})
    return [(i + 1, ranked[i]) for i in idx]


def _source_images(source: Any) -> list[tuple[str, Path]]:
    """Image files a sample was read from, labelled (a pair's ``content`` and ``style``, ...)."""
    items: list[tuple[str, Any]] = []
    if isinstance(source, dict):
        items = [(str(k), v) for k, v in source.items()]
    elif isinstance(source, (list, tuple)):
        items = [(f"input {i}", v) for i, v in enumerate(source, 1)]
    out = []
    for label, value in items:
        path = _as_path(value)
        if path is not None and path.suffix.lower() in IMAGE_SUFFIXES:
            out.append((label, path))
    return out


def _artifact_images(record: SampleRecord, run_dir: Path | None) -> list[tuple[str, Path]]:
    """The record's artifacts that are images in the run folder, in the record's order."""
    if run_dir is None:
        return []
    out = []
    for name, relative in (record.artifacts or {}).items():
        path = run_dir / relative
        if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file():
            out.append((str(name), path))
    return out


def sparkline(values: Sequence[Any], width: int = 160, height: int = 34) -> str:
    """A small inline SVG of a sample's best score per iteration (empty for fewer than 2 points)."""
    points = [v for v in (_num(x) for x in values) if math.isfinite(v)]
    if len(points) < 2:
        return ""
    lo, hi = min(points), max(points)
    span = (hi - lo) or 1.0
    xy = " ".join(f"{i * (width - 4) / (len(points) - 1) + 2:.1f},{height - 2 - (v - lo) / span * (height - 4):.1f}"
                  for i, v in enumerate(points))
    return (f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">'
            f'<title>best score per iteration: {_esc(", ".join(f"{v:.4f}" for v in points))}</title>'
            f'<polyline fill="none" stroke="{BLUE}" stroke-width="2" points="{xy}"/></svg>')


def _strip(images: list[tuple[str, Path]]) -> str:
    figures = []
    for label, path in images:
        uri = thumbnail(path)
        body = (f'<img alt="{_esc(label)}" src="{uri}">' if uri else f'<div class="media">unreadable: {_esc(path.name)}</div>')
        figures.append(f'<figure>{body}<figcaption>{_esc(label)}</figcaption></figure>')
    return f'<div class="strip">{"".join(figures)}</div>'


def _gallery_item(rank: int, record: SampleRecord, per_sample: dict[str, Any], run_dir: Path | None = None) -> str:
    source = record.source
    path = _as_path(source)
    top = ""
    inputs = _source_images(source) + _source_images({k: v for k, v in (record.meta or {}).items() if isinstance(v, str)})
    artifacts = _artifact_images(record, run_dir)
    side_by_side = inputs + artifacts if artifacts or len(inputs) > 1 else []
    if side_by_side:
        if path is not None and path.suffix.lower() in IMAGE_SUFFIXES and all(p != path for _, p in inputs):
            side_by_side.insert(0, ("input", path))
        top = _strip(side_by_side)
        if isinstance(source, str) and path is None and source:
            top += f'<div class="target"><b>target</b>{_esc(source)}</div>'
    elif path is not None and path.suffix.lower() in IMAGE_SUFFIXES:
        uri = thumbnail(path)
        top = (f'<img alt="{_esc(path.name)}" src="{uri}">' if uri
               else f'<div class="media">unreadable image: {_esc(path.name)}</div>')
    elif path is not None:
        kind = ("video" if path.suffix.lower() in VIDEO_SUFFIXES else
                "audio" if path.suffix.lower() in AUDIO_SUFFIXES else "file")
        top = f'<div class="media"><span class="pill">{kind}</span>{_esc(path.name)}</div>'
    elif source not in (None, ""):
        top = f'<div class="target"><b>target</b>{_esc(source)}</div>'
    best, init = _num(record.best_score), _num(record.initial_best_score)
    delta = best - init
    delta_html = (f' <span class="{"good" if delta > 0 else "muted"}">({delta:+.4f} vs initial)</span>'
                  if math.isfinite(delta) else "")
    metrics = per_sample.get(record.id) or {}
    pills = "".join(f'<span class="pill">{_esc(k)} {_fmt(metrics[k], 3)}</span>'
                    for k in ("CIDEr", "SPICE", "Bleu_4", "METEOR") if k in metrics)
    if len(record.best_objectives or {}) > 1:
        pills += "".join(f'<span class="pill">{_esc(k)} {_fmt(v)}</span>' for k, v in record.best_objectives.items())
    refs = (record.meta or {}).get("references") or []
    refs_html = ""
    if refs:
        items = "".join(f"<li>{_esc(r)}</li>" for r in refs[:5])
        refs_html = f'<details class="refs"><summary>{len(refs)} references</summary><ul>{items}</ul></details>'
    init_html = ""
    if record.initial_best_text is not None:
        init_html = (f'<div class="init">initial-pool best: {_esc(record.initial_best_text)} '
                     f'<span class="score">({_fmt(init)})</span></div>')
    return (
        f'<div class="item">{top}<div class="body">'
        f'<div class="id"><span>#{rank} · {_esc(record.id)}</span><span>{_esc(record.iterations)} it · '
        f'{_esc(record.stop_reason or "")}</span></div>'
        f'<div class="cap">{_esc(record.best_text or "")}</div>'
        f'<div class="score">score {_fmt(best)}{delta_html}</div>{sparkline(record.history)}'
        f"{init_html}{('<div>' + pills + '</div>') if pills else ''}{refs_html}</div></div>"
    )


def _metrics_html(metrics: dict[str, Any] | None) -> str:
    if not metrics:
        return ('<p class="note">No metrics.json in this run folder; run <code>mils eval RUN_DIR --refs REFS</code> '
                "and rebuild the report to see caption metrics here.</p>")
    cards = "".join(_card(k, f'{_fmt(v)}<span class="x100">{_fmt(_num(v) * 100, 2)}</span>')
                    for k, v in (metrics.get("metrics") or {}).items() if k in ORDER)
    skipped = "".join(f"<li><b>{_esc(k)}</b> skipped: {_esc(v)}</li>" for k, v in (metrics.get("skipped") or {}).items())
    c = metrics.get("counts") or {}
    note = (f"evaluated {c.get('evaluated', 0)} of {c.get('records', 0)} records · failed {c.get('failed', 0)} · "
            f"missing {c.get('missing', 0)} · without references {c.get('no_references', 0)} · "
            f"tokenizer {metrics.get('tokenizer') or '–'} · references: {metrics.get('references', '')}")
    return (f'<div class="cards metrics">{cards or "<p class=note>no metric could be computed.</p>"}</div>'
            f'<p class="note">{_esc(note)}. Averages over evaluated samples only; the small number is ×100.</p>'
            + (f'<ul class="note skipped">{skipped}</ul>' if skipped else ""))


def _timing_table(records: list[SampleRecord], summary: RunSummary | None) -> str:
    n = max(1, len(records))
    rows = ""
    for s in (*STAGES, "total"):
        total = float(np.nansum([_num((r.timings or {}).get(s)) for r in records]))
        rows += f'<tr><td>{s}</td><td class="n">{total:.2f}</td><td class="n">{total / n:.3f}</td></tr>'
    for k in ("prompt", "completion"):
        total = float(np.nansum([_num((r.tokens or {}).get(k)) for r in records]))
        rows += f'<tr><td>{k} tokens</td><td class="n">{total:,.0f}</td><td class="n">{total / n:,.1f}</td></tr>'
    wall = f'<p class="note">wall time of the last run invocation: {_fmt(summary.seconds if summary else None, 2)} s</p>'
    return f"<table><tr><th>stage</th><th>total (s)</th><th>per sample</th></tr>{rows}</table>{wall}"


def _plugins_html(plugins: dict[str, Any] | None) -> str:
    if not plugins:
        return '<p class="note">no plugins.json in this run folder.</p>'
    rows = "".join(
        f"<tr><td>{_esc(role)}</td><td>{_esc(c.get('name', ''))}</td><td>{_esc(c.get('distribution', ''))}</td>"
        f"<td>{_esc(c.get('version', ''))}</td></tr>"
        for role, c in (plugins.get("components") or {}).items()
    )
    loaded = ", ".join(f"{_esc(k)} ({_esc(v.get('distribution', ''))} {_esc(v.get('version', ''))})"
                       for k, v in (plugins.get("loaded") or {}).items())
    return (f"<table><tr><th>role</th><th>component</th><th>distribution</th><th>version</th></tr>{rows}</table>"
            f'<p class="note">mils-core {_esc(plugins.get("mils_core", "?"))} · Python {_esc(plugins.get("python", "?"))}'
            f" · plugins loaded: {loaded or '–'}</p>")


def build_report(run_dir: Path | str, out: Path | str | None = None, *, gallery: int = 24) -> Path:
    """Write the HTML report (and the PNG plots) of a run folder; return the HTML path."""
    folder = check_run_dir(run_dir)
    records = unique_records(read_sample_records(folder))
    ok = [r for r in records if r.ok]
    failed = [r for r in records if not r.ok]
    config_text = (folder / "config.toml").read_text(encoding="utf-8") if (folder / "config.toml").is_file() else ""
    try:
        config = tomllib.loads(config_text) if config_text else {}
    except tomllib.TOMLDecodeError:
        config = {}
    plugins = _read_json(folder / "plugins.json")
    summary = _read_summary(folder)
    metrics = _read_json(folder / METRICS_FILE)
    per_sample = (metrics or {}).get("per_sample") or {}

    curves = plot_curves(ok, folder / "report-curves.png")
    scores = plot_scores(ok, folder / "report-scores.png")
    timing = plot_timing(records, folder / "report-timing.png")

    best = np.array([_num(r.best_score) for r in ok])
    init = np.array([_num(r.initial_best_score) for r in ok])
    gain = best - init
    finite_gain = gain[np.isfinite(gain)]
    iters = [int(r.iterations or 0) for r in ok]

    def mean(a: np.ndarray) -> str:
        a = a[np.isfinite(a)]
        return _fmt(float(a.mean())) if a.size else "–"

    run = config.get("run", {}) if isinstance(config, dict) else {}

    def comp(key: str) -> str:
        section = config.get(key) if isinstance(config, dict) else None
        return str(section.get("name", "–")) if isinstance(section, dict) else "–"

    cards = "".join([
        _card("samples", f"{len(records)}"),
        _card("ok / failed", f'{len(ok)} / <span class="{"bad" if failed else ""}">{len(failed)}</span>'),
        _card("mean final score", mean(best)),
        _card("mean initial score", mean(init)),
        _card("mean gain", mean(gain), "good" if finite_gain.size and finite_gain.mean() > 0 else ""),
        _card("median iterations", f"{int(np.median(iters))}" if iters else "–"),
        _card("task", _esc(run.get("task", "–")), "small"),
        _card("generator", _esc(comp("generator")), "small"),
        _card("scorer", _esc(comp("scorer")), "small"),
    ])

    picks = _pick(ok, gallery)
    gallery_html = ("".join(_gallery_item(rank, r, per_sample, folder) for rank, r in picks)
                    or '<p class="note">no ok samples.</p>')
    shown = (f"{len(picks)} of {len(ok)} ok samples, ranked by final score (high to low)"
             + (", picked evenly across the ranking" if len(picks) < len(ok) else ""))
    limit = 500
    failed_rows = "".join(
        f"<tr><td>{_esc(r.id)}</td><td>{_esc(r.error or 'no error recorded')}</td></tr>" for r in failed[:limit]
    )
    failed_html = (
        f'<table><tr><th>sample</th><th>error</th></tr>{failed_rows}</table>'
        + (f'<p class="note">... and {len(failed) - limit} more (see results.jsonl)</p>' if len(failed) > limit else "")
        if failed else '<p class="note good">No sample failed.</p>'
    )
    generated = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    doc = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>MILS report · {_esc(folder.name)}</title><style>{CSS}</style></head>
<body><main>
<h1>MILS run report</h1>
<p class="sub">{_esc(folder.resolve())} · generated {generated} by mils-eval {__version__}</p>
<div class="cards">{cards}</div>
<h2>Caption metrics</h2>{_metrics_html(metrics)}
<h2>Search progress</h2>
{_figure_html(curves, "score curves", "Median (line) and inter-quartile range (band) across ok samples; a sample that "
              "stopped early keeps its final value in later iterations.")}
{_figure_html(scores, "score distribution", "Final best score of each sample, against the best text of the initial pool.")}
<h2>Samples</h2><p class="note">{_esc(shown)}.</p>
<div class="gallery">{gallery_html}</div>
<h2>Failed samples ({len(failed)})</h2>{failed_html}
<h2>Time and tokens</h2>
{_figure_html(timing, "time and tokens", "Per-sample means over every record (ok and failed).")}
{_timing_table(records, summary)}
<h2>Configuration</h2>
<div class="two"><div><pre>{_esc(config_text or "(no config.toml)")}</pre></div><div>{_plugins_html(plugins)}</div></div>
</main></body></html>
"""
    target = Path(out) if out else folder / "report.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(target, doc)
    return target

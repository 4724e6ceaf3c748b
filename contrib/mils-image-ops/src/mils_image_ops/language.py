"""A small language of image operations, and its interpreter (Pillow + scikit-image).

An **instruction** is one or more operations separated by ``;``, applied left to right::

    transfer(0.8); posterize(4); edges(0.5)

An **operation** is a name, optionally followed by arguments in parentheses, separated by commas:
``blur(2)``, ``hue(+20)``, ``edges``. Names are case-insensitive; spaces are free. A missing
argument takes its default; a number outside an operation's range is clamped into it. At most
:data:`MAX_OPS` operations per instruction. Anything else (an unknown name, a word where a number
belongs, unbalanced parentheses, too many arguments) is a :class:`InstructionError` with one line
saying what is wrong.

Operations that use the **style image** (the second image of the sample) are marked *style*;
with no style image they fail. See :data:`OPERATIONS` for every name, its arguments and ranges.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from typing import Any

import attrs
import numpy as np

__all__ = ["MAX_OPS", "OPERATIONS", "InstructionError", "Op", "apply", "describe_language", "parse"]

MAX_OPS = 8


class InstructionError(ValueError):
    """An instruction that is not in the language (the message says why, in one line)."""


@attrs.frozen
class Param:
    name: str
    default: float
    low: float
    high: float


@attrs.frozen
class OpSpec:
    """One operation: its parameters, whether it needs the style image, and what it does."""

    name: str
    params: tuple[Param, ...]
    help: str
    needs_style: bool = False


@attrs.frozen
class Op:
    """A parsed operation: its name and its (clamped) argument values."""

    name: str
    args: tuple[float, ...]

    def __str__(self) -> str:
        if not self.args:
            return self.name
        return f"{self.name}({', '.join(_fmt(a) for a in self.args)})"


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _p(name: str, default: float, low: float, high: float) -> Param:
    return Param(name, default, low, high)


#: Every operation of the language.
OPERATIONS: dict[str, OpSpec] = {spec.name: spec for spec in (
    OpSpec("transfer", (_p("strength", 1.0, 0.0, 1.0),),
           "move the colour statistics (mean, spread per Lab channel) to the style image's", True),
    OpSpec("match", (_p("strength", 1.0, 0.0, 1.0),), "match each colour channel's histogram to the style image's", True),
    OpSpec("palette", (_p("colors", 8, 2, 32),), "repaint with the style image's main colours", True),
    OpSpec("texture", (_p("strength", 0.5, 0.0, 1.0),), "add the style image's fine texture (brush strokes, grain)", True),
    # at most half: an edit keeps the content image (blend(1) would be the style image itself)
    OpSpec("blend", (_p("alpha", 0.3, 0.0, 0.5),), "mix in the style image itself (at most half)", True),
    OpSpec("posterize", (_p("bits", 4, 1, 8),), "fewer tone levels per channel (flat colour areas)"),
    OpSpec("blur", (_p("radius", 2, 0, 10),), "Gaussian blur"),
    OpSpec("sharpen", (_p("amount", 1.5, 0, 5),), "unsharp-mask sharpening"),
    OpSpec("median", (_p("size", 3, 1, 9),), "median filter (smooth, painterly areas)"),
    OpSpec("pixelate", (_p("size", 4, 1, 32),), "blocky pixels of this size"),
    OpSpec("edges", (_p("strength", 1.0, 0.0, 1.0),), "dark outlines along edges (ink, cartoon)"),
    OpSpec("emboss", (_p("strength", 1.0, 0.0, 1.0),), "relief / embossed look"),
    OpSpec("hue", (_p("degrees", 20, -180, 180),), "rotate hues"),
    OpSpec("saturation", (_p("factor", 1.4, 0, 3),), "colour saturation (0 = gray)"),
    OpSpec("contrast", (_p("factor", 1.2, 0, 3),), "contrast"),
    OpSpec("brightness", (_p("factor", 1.1, 0, 3),), "brightness"),
    OpSpec("gamma", (_p("gamma", 1.0, 0.2, 5),), "gamma curve (> 1 darkens mid-tones)"),
    OpSpec("sepia", (_p("strength", 1.0, 0.0, 1.0),), "warm brown old-photo tones"),
    OpSpec("grayscale", (), "remove colour"),
    OpSpec("invert", (), "negative"),
    OpSpec("solarize", (_p("threshold", 128, 0, 255),), "invert tones above a threshold"),
    OpSpec("noise", (_p("amount", 0.1, 0.0, 1.0),), "film grain"),
    OpSpec("vignette", (_p("strength", 0.5, 0.0, 1.0),), "darker corners"),
    OpSpec("swirl", (_p("strength", 2.0, 0.0, 10.0),), "swirl around the centre"),
)}

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_OP = re.compile(r"^([A-Za-z_]+)\s*(?:\((.*)\))?$", re.S)


def parse(instruction: str) -> list[Op]:
    """The operations of ``instruction``; :class:`InstructionError` (one line) if it is not in the language."""
    text = " ".join(str(instruction).split()).strip().strip(".").strip()
    if not text:
        raise InstructionError("empty instruction")
    parts = [p.strip() for p in text.split(";")]
    parts = [p for p in parts if p]
    if len(parts) > MAX_OPS:
        raise InstructionError(f"{len(parts)} operations; at most {MAX_OPS} per instruction")
    ops = []
    for part in parts:
        m = _OP.match(part)
        if m is None:
            raise InstructionError(f"{part[:40]!r} is not an operation (write name or name(number, ...))")
        name, body = m.group(1).lower(), m.group(2)
        spec = OPERATIONS.get(name)
        if spec is None:
            raise InstructionError(f"unknown operation {name!r}")
        raw = [a.strip() for a in body.split(",")] if body is not None and body.strip() else []
        if len(raw) > len(spec.params):
            raise InstructionError(f"{name} takes at most {len(spec.params)} argument(s), got {len(raw)}")
        values = []
        for i, param in enumerate(spec.params):
            if i < len(raw):
                arg = raw[i].removeprefix(f"{param.name}=").strip()
                if arg.lower() == "style" and spec.needs_style:  # transfer(style): the default strength
                    values.append(param.default)
                    continue
                if not _NUMBER.match(arg):
                    raise InstructionError(f"{name}: {param.name} must be a number, got {arg[:20]!r}")
                values.append(min(param.high, max(param.low, float(arg))))
            else:
                values.append(param.default)
        ops.append(Op(name, tuple(values)))
    return ops


def normalise(instruction: str) -> str:
    """The canonical spelling of an instruction (``blur(2); hue(20)``)."""
    return "; ".join(str(op) for op in parse(instruction))


def describe_language(compact: bool = False) -> str:
    """One line per operation (name, arguments with default and range, what it does): for prompts and docs.

    ``compact``: ``name(low..high)`` only, several per line (a short prompt for small models).
    """
    if compact:
        heads = [f"{s.name}({', '.join(f'{_fmt(p.low)}..{_fmt(p.high)}' for p in s.params)})" if s.params else s.name
                 for s in OPERATIONS.values()]
        styled = ", ".join(s.name for s in OPERATIONS.values() if s.needs_style)
        rows = [" ".join(heads[i:i + 6]) for i in range(0, len(heads), 6)]
        return "\n".join([*rows, f"({styled} take colours or textures from the style image)"])
    lines = []
    for spec in OPERATIONS.values():
        args = ", ".join(f"{p.name} {_fmt(p.low)}..{_fmt(p.high)}, default {_fmt(p.default)}" for p in spec.params)
        head = f"{spec.name}({args})" if spec.params else spec.name
        lines.append(f"- {head}: {spec.help}{' [style]' if spec.needs_style else ''}")
    return "\n".join(lines)


# -- the interpreter ---------------------------------------------------------------------------
def _f(img: Any) -> np.ndarray:
    return np.asarray(img, dtype=np.float32) / 255.0


def _img(arr: np.ndarray) -> Any:
    from PIL import Image

    return Image.fromarray(np.clip(np.rint(arr * 255.0), 0, 255).astype(np.uint8), "RGB")


def _mix(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    return a * (1.0 - t) + b * t


def _style_like(style: Any, size: tuple[int, int]) -> Any:
    from PIL import Image

    return style.resize(size, Image.Resampling.BICUBIC)


def _transfer(img: Any, style: Any, t: float) -> Any:
    from skimage import color

    a = color.rgb2lab(_f(img))
    s = color.rgb2lab(_f(style))
    mu_a, sd_a = a.reshape(-1, 3).mean(0), a.reshape(-1, 3).std(0) + 1e-6
    mu_s, sd_s = s.reshape(-1, 3).mean(0), s.reshape(-1, 3).std(0)
    moved = (a - mu_a) / sd_a * sd_s + mu_s
    with warnings.catch_warnings():  # out-of-gamut colours are clipped, as intended
        warnings.simplefilter("ignore", UserWarning)
        out = np.clip(color.lab2rgb(moved), 0.0, 1.0)
    return _img(_mix(_f(img), out, t))


def _match(img: Any, style: Any, t: float) -> Any:
    from skimage.exposure import match_histograms

    src = _f(img)
    out = match_histograms(src, _f(style), channel_axis=-1)
    return _img(_mix(src, np.asarray(out, dtype=np.float32), t))


def _palette(img: Any, style: Any, n: float) -> Any:
    from PIL import Image

    colours = int(n)
    small = style.copy()
    small.thumbnail((128, 128))
    pal = small.quantize(colors=colours, method=Image.Quantize.MEDIANCUT)
    return img.quantize(palette=pal, dither=Image.Dither.NONE).convert("RGB")


def _texture(img: Any, style: Any, t: float) -> Any:
    from PIL import ImageFilter

    s = _style_like(style, img.size)
    detail = _f(s) - _f(s.filter(ImageFilter.GaussianBlur(3)))
    base = _f(img)
    return _img(base + 2.0 * t * detail)


def _edges(img: Any, t: float) -> Any:
    from skimage import filters

    gray = _f(img.convert("L"))
    mag = filters.sobel(gray)  # type: ignore[no-untyped-call]
    mag = mag / max(float(mag.max()), 1e-6)
    return _img(_f(img) * (1.0 - t * mag[..., None]))


def _emboss(img: Any, t: float) -> Any:
    from PIL import ImageFilter

    return _img(_mix(_f(img), _f(img.filter(ImageFilter.EMBOSS)), t))


def _hue(img: Any, deg: float) -> Any:
    from skimage import color

    hsv = color.rgb2hsv(_f(img))
    hsv[..., 0] = (hsv[..., 0] + deg / 360.0) % 1.0
    return _img(color.hsv2rgb(hsv))


def _sepia(img: Any, t: float) -> Any:
    m = np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]], dtype=np.float32)
    src = _f(img)
    return _img(_mix(src, src @ m.T, t))


def _noise(img: Any, amount: float, seed: int) -> Any:
    rng = np.random.default_rng(seed & 0xFFFFFFFF)
    src = _f(img)
    return _img(src + rng.normal(0.0, amount * 0.5, size=src.shape[:2])[..., None].astype(np.float32))


def _vignette(img: Any, t: float) -> Any:
    h, w = img.height, img.width
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    r = np.sqrt(((xx - w / 2) / (w / 2)) ** 2 + ((yy - h / 2) / (h / 2)) ** 2) / np.sqrt(2.0)
    return _img(_f(img) * (1.0 - t * r**2)[..., None])


def _swirl(img: Any, strength: float) -> Any:
    from skimage.transform import swirl

    radius = min(img.size) / 2
    return _img(np.asarray(swirl(_f(img), strength=strength, radius=radius), dtype=np.float32))  # type: ignore[no-untyped-call]


def _pixelate(img: Any, size: float) -> Any:
    from PIL import Image

    k = int(size)
    if k <= 1:
        return img
    small = img.resize((max(1, img.width // k), max(1, img.height // k)), Image.Resampling.BOX)
    return small.resize(img.size, Image.Resampling.NEAREST)


def _apply_one(op: Op, img: Any, style: Any, seed: int) -> Any:
    from PIL import ImageEnhance, ImageFilter, ImageOps

    a = op.args
    simple: dict[str, Callable[[], Any]] = {
        "posterize": lambda: ImageOps.posterize(img, int(a[0])),
        "blur": lambda: img.filter(ImageFilter.GaussianBlur(a[0])),
        "sharpen": lambda: img.filter(ImageFilter.UnsharpMask(radius=2, percent=int(100 * a[0]), threshold=2)),
        "median": lambda: img.filter(ImageFilter.MedianFilter(int(a[0]) // 2 * 2 + 1)),
        "pixelate": lambda: _pixelate(img, a[0]),
        "edges": lambda: _edges(img, a[0]),
        "emboss": lambda: _emboss(img, a[0]),
        "hue": lambda: _hue(img, a[0]),
        "saturation": lambda: ImageEnhance.Color(img).enhance(a[0]),
        "contrast": lambda: ImageEnhance.Contrast(img).enhance(a[0]),
        "brightness": lambda: ImageEnhance.Brightness(img).enhance(a[0]),
        "gamma": lambda: _img(_f(img) ** a[0]),
        "sepia": lambda: _sepia(img, a[0]),
        "grayscale": lambda: img.convert("L").convert("RGB"),
        "invert": lambda: ImageOps.invert(img),
        "solarize": lambda: ImageOps.solarize(img, int(a[0])),
        "noise": lambda: _noise(img, a[0], seed),
        "vignette": lambda: _vignette(img, a[0]),
        "swirl": lambda: _swirl(img, a[0]),
    }
    if op.name in simple:
        return simple[op.name]()
    if style is None:
        raise InstructionError(f"{op.name} needs a style image, and this sample has none")
    styled: dict[str, Callable[[], Any]] = {
        "transfer": lambda: _transfer(img, style, a[0]),
        "match": lambda: _match(img, style, a[0]),
        "palette": lambda: _palette(img, style, a[0]),
        "texture": lambda: _texture(img, style, a[0]),
        "blend": lambda: _img(_mix(_f(img), _f(_style_like(style, img.size)), a[0])),
    }
    return styled[op.name]()


def apply(ops: list[Op], content: Any, style: Any = None, *, seed: int = 0) -> Any:
    """The content image (RGB PIL) after every operation, in order; ``style`` is the style image (RGB PIL) or None."""
    img = content if content.mode == "RGB" else content.convert("RGB")
    st = None if style is None else (style if style.mode == "RGB" else style.convert("RGB"))
    for i, op in enumerate(ops):
        img = _apply_one(op, img, st, seed + i)
        if img.mode != "RGB":
            img = img.convert("RGB")
    return img

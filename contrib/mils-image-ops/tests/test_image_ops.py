"""The image-ops language, its renderer, prompt style and pool (real Pillow / scikit-image edits)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from mils_image_ops.language import OPERATIONS, InstructionError, Op, apply, describe_language, normalise, parse
from mils_image_ops.pool import ImageOpsPool, builtin_pool
from mils_image_ops.prompt import ImageOpsPrompt, ImageOpsPromptOptions, extract_instruction
from mils_image_ops.renderer import FailedEdit, ImageOpsOptions, ImageOpsRenderer

from mils_core.components import Sample, ScoredText
from mils_core.testing.contracts import PoolContract, PromptStyleContract, RendererContract

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


@pytest.fixture(scope="module")
def images() -> tuple[Any, Any]:
    import skimage.data
    from PIL import Image

    content = Image.fromarray(np.asarray(skimage.data.chelsea())).convert("RGB").resize((64, 48))
    style = Image.fromarray(np.asarray(skimage.data.immunohistochemistry())).convert("RGB").resize((40, 40))
    return content, style


class TestRenderer(RendererContract):
    @pytest.fixture
    def renderer(self) -> ImageOpsRenderer:
        return ImageOpsRenderer(ImageOpsOptions(max_side=64))

    @pytest.fixture
    def condition(self, images: tuple[Any, Any]) -> Any:
        return images


class TestPrompt(PromptStyleContract):
    @pytest.fixture
    def prompt_style(self) -> ImageOpsPrompt:
        return ImageOpsPrompt()

    def test_parses_a_numbered_reply(self, prompt_style: Any) -> None:
        """The contract's reply, in this language: free-text lines are not instructions and are dropped."""
        reply = "Here are new ones:\n1. blur(1)\n2) two dogs in the snow\n\n- hue(20); posterize(3)"
        assert prompt_style.parse(reply) == ["blur(1)", "hue(20); posterize(3)"]


class TestPool(PoolContract):
    @pytest.fixture
    def pool(self) -> ImageOpsPool:
        return ImageOpsPool()


def test_parse_the_language() -> None:
    assert parse("transfer(0.8); posterize(4); edges") == [
        Op("transfer", (0.8,)), Op("posterize", (4.0,)), Op("edges", (1.0,))]
    assert parse("  HUE( +20 ) ;; blur(2.0). ") == [Op("hue", (20.0,)), Op("blur", (2.0,))]
    assert parse("blur(500)") == [Op("blur", (10.0,))]  # clamped into the range
    assert parse("palette(style)") == [Op("palette", (8.0,))]
    assert parse("sharpen(amount=2)") == [Op("sharpen", (2.0,))]
    assert normalise("Blur(2.0);hue(+20)") == "blur(2); hue(20)"


@pytest.mark.parametrize(("text", "match"), [
    ("", "empty"), ("paint(3)", "unknown operation 'paint'"), ("blur(two)", "must be a number"),
    ("blur(1, 2)", "at most 1 argument"), ("blur(2", "not an operation"), ("; ".join(["blur"] * 9), "at most 8"),
    ("make it a watercolor painting", "not an operation"),
])
def test_unparsable_instructions(text: str, match: str) -> None:
    with pytest.raises(InstructionError, match=match):
        parse(text)


def test_every_operation_applies_and_keeps_the_size(images: tuple[Any, Any]) -> None:
    content, style = images
    for name in OPERATIONS:
        out = apply(parse(name), content, style, seed=1)
        assert out.size == content.size and out.mode == "RGB", name


def test_operations_do_what_they_say(images: tuple[Any, Any]) -> None:
    content, style = images
    arr = lambda img: np.asarray(img, dtype=np.float64)  # noqa: E731
    assert np.array_equal(arr(apply(parse("blur(0)"), content)), arr(content))
    assert len(np.unique(arr(apply(parse("posterize(1)"), content)))) <= 2
    gray = arr(apply(parse("grayscale"), content))
    assert np.allclose(gray[..., 0], gray[..., 1])
    # colour transfer moves the mean colour to the style image's
    moved = arr(apply(parse("transfer(1)"), content, style)).reshape(-1, 3).mean(0)
    target = arr(style).reshape(-1, 3).mean(0)
    before = arr(content).reshape(-1, 3).mean(0)
    assert np.abs(moved - target).sum() < np.abs(before - target).sum() / 2
    # palette: only colours of the style image's palette remain
    assert len(np.unique(arr(apply(parse("palette(4)"), content, style)).reshape(-1, 3), axis=0)) <= 4
    # blend(0.5) is half the style image (at the content's size); alpha is capped at 0.5
    blended = arr(apply(parse("blend(1)"), content, style))
    assert np.allclose(blended, (arr(content) + arr(style.resize(content.size, 3))) / 2, atol=1)
    # noise is seeded
    assert np.array_equal(arr(apply(parse("noise(0.2)"), content, seed=3)), arr(apply(parse("noise(0.2)"), content, seed=3)))


def test_renderer_never_raises_on_bad_instructions(images: tuple[Any, Any]) -> None:
    renderer = ImageOpsRenderer()
    content, _style = images
    out = renderer.render_batch(["blur(1)", "paint it blue", "transfer(1)"], [0, 0, 0],
                                [images, images, content])  # the third has no style image
    assert out[0].size == content.size
    assert isinstance(out[1], FailedEdit) and "not an image-ops instruction" in out[1].edit_error
    assert isinstance(out[2], FailedEdit) and "needs a style image" in out[2].edit_error
    assert renderer.counters == {"edits": 1, "failed_edits": 2}
    assert out[1].image.size == content.size  # a failed edit keeps the unedited content (saved as is)
    with pytest.raises(TypeError, match="failed edit"):
        renderer.save(FailedEdit("x", "bad"), Path("x.png"))


def test_renderer_takes_pairs_and_downscales(images: tuple[Any, Any]) -> None:
    class Pair:
        def __init__(self, content: Any, style: Any) -> None:
            self.content, self.style = content, style

    content, style = images
    big = content.resize((400, 300))
    [out] = ImageOpsRenderer(ImageOpsOptions(max_side=100)).render_batch(["palette(8)"], [0], [Pair(big, style)])
    assert out.size == (100, 75)


def test_prompt_teaches_the_language_and_parses_leniently() -> None:
    style = ImageOpsPrompt()
    shown = [ScoredText("transfer(0.7)", 0.6, (0.5, 0.4), ("style", "content"))]
    prompt = style.build(Sample("x", "x"), shown, 6, 0)
    system, user = prompt.messages[0].content, prompt.messages[-1].content
    assert "posterize(bits 1..8, default 4)" in system and "lower is better" in user
    assert "style 0.500, content 0.400: transfer(0.7)" in user
    reply = ("Here are new ones:\n1. Blur (2.0) and then HUE(+20)\n2. make it nicer\n3. palette(12); texture(0.4); "
             "sharpen(1); edges(0.2)\n4. blur(2); hue(20)\n5. paint(3)")
    assert style.parse(reply) == ["blur(2); hue(20)", "palette(12); texture(0.4); sharpen(1)"]
    assert extract_instruction("nothing here") is None
    assert describe_language().count("\n") == len(OPERATIONS) - 1
    compact = ImageOpsPrompt(ImageOpsPromptOptions(compact=True)).build(Sample("x", "x"), shown, 6, 0)
    assert "posterize(1..8)" in compact.messages[0].content
    assert len(compact.messages[0].content) < len(system) / 2


def test_pool_is_in_the_language_and_rebuilds_byte_identical() -> None:
    pool = builtin_pool()
    assert len(pool) == 600 and len(set(pool)) == 600
    assert all(normalise(t) == t for t in pool)
    result = subprocess.run([sys.executable, str(SCRIPTS / "build_ops_pool.py"), "--check"], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_registered_and_light_to_import(mils_plugin_manager: Any) -> None:
    reg = mils_plugin_manager.registry
    assert reg.get("renderer", "image-ops") and reg.get("prompt-style", "image-ops") and reg.get("pool", "image-ops-pool")
    code = "import mils_image_ops.plugin, sys; assert 'torch' not in sys.modules and 'skimage' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)

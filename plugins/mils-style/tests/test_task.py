"""The style-transfer task: where pairs come from, bad inputs, the prompt, the pool, the presets."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from mils_style.pair import StylePair, load_pair, pair_samples
from mils_style.task import StyleEditPool, StyleEdits, StyleTransfer, builtin_pool

from mils_core.components import Sample, ScoredText
from mils_core.errors import ConfigError, SampleError
from mils_core.testing.contracts import PoolContract, PromptStyleContract, TaskContract

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


class TestTaskContract(TaskContract):
    @pytest.fixture
    def task(self) -> StyleTransfer:
        return StyleTransfer()

    @pytest.fixture
    def sample_source(self, examples: Path) -> Any:
        return examples / "pairs.csv"


class TestPromptContract(PromptStyleContract):
    @pytest.fixture
    def prompt_style(self) -> StyleEdits:
        return StyleEdits()


class TestPoolContract(PoolContract):
    @pytest.fixture
    def pool(self) -> StyleEditPool:
        return StyleEditPool()


def test_manifest_folder_and_mapping_give_the_same_pairs(examples: Path) -> None:
    from_csv = pair_samples(examples / "pairs.csv")
    from_folder = pair_samples(examples)
    assert [s.id for s in from_csv] == ["cat", "coffee", "astronaut"]
    assert sorted(s.id for s in from_folder) == sorted(s.id for s in from_csv)
    by_id = {s.id: s for s in from_folder}
    for s in from_csv:
        assert s.meta["content"] == by_id[s.id].meta["content"] and s.meta["style"] == by_id[s.id].meta["style"]
    [one] = pair_samples({"content": str(examples / "content/cat.jpg"), "style": str(examples / "style/coffee.jpg")})
    assert one.id == "cat+coffee"
    listed = pair_samples([[str(examples / "content/cat.jpg"), str(examples / "style/cat.jpg")]] * 2)
    assert [s.id for s in listed] == ["cat+cat", "cat+cat-2"]


def test_jsonl_manifest_and_one_style_for_every_content(tmp_path: Path, write_image: Any) -> None:
    write_image(tmp_path / "content" / "a.png", (32, 32))
    write_image(tmp_path / "content" / "b.png", (32, 32), seed=1)
    write_image(tmp_path / "style" / "paint.png", (32, 32), seed=2)
    samples = pair_samples(tmp_path)
    assert [s.id for s in samples] == ["a+paint", "b+paint"]
    manifest = tmp_path / "pairs.jsonl"
    manifest.write_text('{"id": "x", "content": "content/a.png", "style": "style/paint.png", "note": 1}\n\n')
    [s] = pair_samples(manifest)
    assert s.id == "x" and s.meta["note"] == 1 and Path(s.meta["content"]).is_file()


@pytest.mark.parametrize(("text", "match"), [
    ("id,content\nx,a.png\n", "needs 'content' and 'style' columns"),
    ("id,content,style\n", "has no rows"),
    ("id,content,style\nx,a.png,\n", "needs both"),
    ("id,content,style\nx,a.png,b.png\nx,c.png,d.png\n", "repeats sample id 'x'"),
])
def test_bad_manifests(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "pairs.csv"
    path.write_text(text)
    with pytest.raises(ConfigError, match=match):
        pair_samples(path)


def test_bad_folders(tmp_path: Path, write_image: Any) -> None:
    with pytest.raises(ConfigError, match="content/' and 'style/"):
        pair_samples(tmp_path)
    write_image(tmp_path / "content" / "a.png", (32, 32))
    write_image(tmp_path / "style" / "b.png", (32, 32))
    write_image(tmp_path / "style" / "c.png", (32, 32))
    with pytest.raises(ConfigError, match="no style image named a"):
        pair_samples(tmp_path)
    with pytest.raises(ConfigError, match="neither a manifest"):
        pair_samples(tmp_path / "one.png")


def test_bad_inputs_each_fail_clearly(tmp_path: Path, write_image: Any) -> None:
    content = write_image(tmp_path / "c.png", (48, 40))
    style = write_image(tmp_path / "s.png", (64, 64))
    tiny = write_image(tmp_path / "tiny.png", (1, 1))
    gray = write_image(tmp_path / "gray.png", (50, 30), mode="L")
    # missing style image (the file, and no style at all)
    with pytest.raises(SampleError, match=r"style image '.*nope.png' does not exist"):
        load_pair(Sample("a", str(content), {"content": str(content), "style": str(tmp_path / "nope.png")}))
    with pytest.raises(SampleError, match="has no style image"):
        load_pair(Sample("a", str(content), {"content": str(content)}))
    # a 1x1 content image
    with pytest.raises(SampleError, match="content image .* is 1x1: too small"):
        load_pair(Sample("b", str(tiny), {"content": str(tiny), "style": str(style)}))
    # a grayscale style image: used as RGB, noted in the sample's meta (and so in its record)
    sample = Sample("c", str(content), {"content": str(content), "style": str(gray)})
    pair = load_pair(sample)
    assert pair.style.mode == "RGB" and sample.meta["style_grayscale"] is True
    # mismatched sizes: both kept as they are (the scorer resizes every image to its input size)
    assert pair.content.size == (48, 40) and pair.style.size == (50, 30)
    # a corrupt file
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not an image")
    with pytest.raises(SampleError, match="style image: .*not an image"):
        load_pair(Sample("d", str(content), {"content": str(content), "style": str(bad)}))


def test_prompt_shows_both_losses_lower_is_better() -> None:
    shown = [ScoredText("make it a watercolor", 0.7, (0.6, 0.4), ("style", "content")),
             ScoredText("turn it into cubism", 0.9, (0.8, 0.4), ("style", "content"))]
    prompt = StyleEdits().build(Sample("x", "x"), shown, 5, 0)
    user = prompt.messages[-1].content
    assert "lower is better" in user
    assert "style 0.600, content 0.400: make it a watercolor" in user
    assert user.index("watercolor") < user.index("cubism")
    assert StyleEdits().parse("1. make it a watercolor painting\n2. x\n3. add thick impasto brush strokes") == [
        "make it a watercolor painting", "add thick impasto brush strokes"]


def test_pool_is_original_size_and_rebuilds_byte_identical(tmp_path: Path) -> None:
    pool = builtin_pool()
    assert len(pool) >= 500 and len(set(pool)) == len(pool)
    assert all(3 <= len(t.split()) <= 25 for t in pool)
    result = subprocess.run([sys.executable, str(SCRIPTS / "build_edit_pool.py"), "--check"], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_presets_and_defaults() -> None:
    assert set(StyleTransfer.presets) == {"paper", "fast", "offline"}
    paper = StyleTransfer.preset("paper")
    assert paper["stop"] == [{"name": "max-iterations", "n": 20}]
    assert paper["loop"]["top_k"] == 100 and paper["renderer"]["name"] == "instruct-pix2pix"
    assert StyleTransfer.default_iterations == 20 and StyleTransfer.default_top_k == 100
    offline = StyleTransfer.preset("offline")
    assert offline["renderer"]["name"] == "image-ops" and offline["scorer"]["network"] == "efficientnet-lite0"
    assert offline["generator"]["name"] == "transformers"  # runs after `make demo`'s setup (no llama.cpp build)
    assert not StyleTransfer.file_suffixes  # `mils caption` never picks this task for images


@pytest.mark.parametrize("preset", ["paper", "fast", "offline"])
def test_presets_resolve(preset: str, mils_plugin_manager: Any, tmp_path: Path) -> None:
    """Every preset names installed components with valid options (nothing is loaded)."""
    from mils_style.cli import stylize_config

    from mils_core.config import config_from_dict
    from mils_core.resolve import resolve_components

    raw = stylize_config(str(tmp_path / "c.png"), str(tmp_path / "s.png"), preset, output=str(tmp_path / "run"))
    config = config_from_dict(raw, base_dir=tmp_path)
    components = resolve_components(config, mils_plugin_manager)
    assert components.scorer.objectives == ("style", "content")
    assert components.renderer is not None


def test_pair_identity() -> None:
    pair = StylePair("c", "s", "a.png", "b.png")
    assert pair.key == "a.png|b.png"


def test_plugin_import_is_light() -> None:
    code = "import mils_style.plugin, sys; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True)

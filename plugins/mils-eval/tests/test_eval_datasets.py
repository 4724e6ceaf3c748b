"""Dataset readers: what they yield, and the one-line errors naming what is missing and where to get it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mils_core.components import Dataset
from mils_core.errors import ConfigError
from mils_core.plugins import make_plugin_manager
from mils_core.testing.contracts import DatasetContract


def build(name: str, **options: Any) -> Dataset[Any]:
    dataset = make_plugin_manager().registry.get("dataset", name).build(options)
    assert isinstance(dataset, Dataset)
    return dataset


def check_error(dataset: Dataset[Any]) -> str:
    with pytest.raises(ConfigError) as info:
        dataset.check()
    return str(info.value)


# --------------------------------------------------------------------------- coco-karpathy


def karpathy(tmp_path: Path, nested: bool = False) -> tuple[Path, Path]:
    entries = []
    for n, (split, folder) in enumerate([("test", "val2014"), ("test", "val2014"), ("val", "val2014"),
                                         ("restval", "val2014"), ("train", "train2014")]):
        cocoid = 500 + n
        entries.append({"filepath": folder, "filename": f"COCO_{folder}_{cocoid:012d}.jpg", "imgid": n, "split": split,
                        "cocoid": cocoid, "sentences": [{"raw": f"A picture number {n} ", "tokens": []},
                                                        {"raw": f"Another caption {n}.", "tokens": []}]})
    split_file = tmp_path / "dataset_coco.json"
    split_file.write_text(json.dumps({"images": entries, "dataset": "coco"}))
    root = tmp_path / "coco"
    for e in entries:
        target = (root / e["filepath"] if nested else root / "val2014") / e["filename"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"jpeg")
    return (root if nested else root / "val2014"), split_file


def test_karpathy_reads_the_test_split(tmp_path: Path) -> None:
    images, split_file = karpathy(tmp_path)
    ds = build("coco-karpathy", images=str(images), split_file=str(split_file))
    ds.check()
    samples = list(ds.samples())
    assert [s.id for s in samples] == ["500", "501"]
    assert Path(samples[0].source) == images / "COCO_val2014_000000000500.jpg"
    assert samples[0].meta["references"] == ["A picture number 0", "Another caption 0."]
    assert ds.references() == {"500": samples[0].meta["references"], "501": samples[1].meta["references"]}


def test_karpathy_other_splits_and_a_coco_root(tmp_path: Path) -> None:
    root, split_file = karpathy(tmp_path, nested=True)
    ds = build("coco-karpathy", images=str(root), split_file=str(split_file), split="train")
    ds.check()
    (sample,) = ds.samples()
    assert Path(sample.source) == root / "train2014" / "COCO_train2014_000000000504.jpg"
    assert [s.id for s in build("coco-karpathy", images=str(root), split_file=str(split_file), split="restval").samples()] == ["503"]


def test_karpathy_missing_folder_and_split_file(tmp_path: Path) -> None:
    msg = check_error(build("coco-karpathy", images=str(tmp_path / "val2014"), split_file=str(tmp_path / "dataset_coco.json")))
    lines = msg.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"COCO images folder '{tmp_path / 'val2014'}' not found")
    assert "val2014.zip" in lines[0]
    assert lines[1].startswith(f"COCO Karpathy split file '{tmp_path / 'dataset_coco.json'}' not found")
    assert "Karpathy splits release" in lines[1] and "split_file = " in lines[1]
    msg = check_error(build("coco-karpathy"))
    assert "needs images" in msg and "needs split_file" in msg


def test_karpathy_malformed_and_wrong_split_files(tmp_path: Path) -> None:
    images, _ = karpathy(tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_text('{"images": [')
    assert "is not valid JSON" in check_error(build("coco-karpathy", images=str(images), split_file=str(bad)))
    coco_captions = tmp_path / "captions_val2014.json"
    coco_captions.write_text(json.dumps({"images": [{"id": 1, "file_name": "x.jpg"}], "annotations": []}))
    msg = check_error(build("coco-karpathy", images=str(images), split_file=str(coco_captions)))
    assert "is not a Karpathy split file" in msg and "dataset_coco.json" in msg
    only_train = tmp_path / "train_only.json"
    only_train.write_text(json.dumps({"images": [{"filename": "a.jpg", "split": "train", "cocoid": 1, "sentences": []}]}))
    msg = check_error(build("coco-karpathy", images=str(images), split_file=str(only_train)))
    assert "no images in split 'test' (splits present: train)" in msg


def test_karpathy_missing_images(tmp_path: Path) -> None:
    images, split_file = karpathy(tmp_path)
    (images / "COCO_val2014_000000000501.jpg").unlink()
    msg = check_error(build("coco-karpathy", images=str(images), split_file=str(split_file)))
    assert msg.startswith("1 of 2 images of split 'test' not found under")
    assert "501 -> " in msg and "COCO_val2014_000000000501.jpg" in msg and "val2014.zip" in msg


# --------------------------------------------------------------------------- msrvtt


def msrvtt(tmp_path: Path) -> tuple[Path, Path]:
    videos = [{"video_id": f"video{i}", "split": "test" if i >= 7010 else "train", "id": i} for i in (1, 7010, 7011)]
    sentences = [{"video_id": "video7010", "caption": "a man is cooking", "sen_id": 2},
                 {"video_id": "video7010", "caption": "someone prepares food", "sen_id": 1},
                 {"video_id": "video7011", "caption": "a cartoon plays", "sen_id": 3},
                 {"video_id": "video1", "caption": "training caption", "sen_id": 4}]
    ann = tmp_path / "test_videodatainfo.json"
    ann.write_text(json.dumps({"info": {}, "videos": videos, "sentences": sentences}))
    folder = tmp_path / "TestVideo"
    folder.mkdir()
    (folder / "video7010.mp4").write_bytes(b"mp4")
    (folder / "video7011.avi").write_bytes(b"avi")
    return folder, ann


def test_msrvtt_reads_the_test_split(tmp_path: Path) -> None:
    folder, ann = msrvtt(tmp_path)
    ds = build("msrvtt", videos=str(folder), annotations=str(ann))
    ds.check()
    samples = list(ds.samples())
    assert [s.id for s in samples] == ["video7010", "video7011"]
    assert samples[0].meta["references"] == ["someone prepares food", "a man is cooking"]
    assert Path(samples[1].source).name == "video7011.avi"


def test_msrvtt_errors(tmp_path: Path) -> None:
    folder, ann = msrvtt(tmp_path)
    msg = check_error(build("msrvtt", videos=str(tmp_path / "nope"), annotations=str(tmp_path / "nope.json")))
    assert "MSR-VTT videos folder" in msg and "MSR-VTT annotation file" in msg and len(msg.splitlines()) == 2
    (folder / "video7011.avi").unlink()
    msg = check_error(build("msrvtt", videos=str(folder), annotations=str(ann)))
    assert msg.startswith("1 of 2 videos of split 'test' not found") and "video7011" in msg
    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"videos": []}))
    assert "lacks the 'videos' and 'sentences' lists" in check_error(build("msrvtt", videos=str(folder), annotations=str(wrong)))


# --------------------------------------------------------------------------- clotho


def clotho(tmp_path: Path, *, all_clips: bool = True) -> tuple[Path, Path]:
    audio = tmp_path / "evaluation"
    audio.mkdir()
    csv_file = tmp_path / "clotho_captions_evaluation.csv"
    header = "file_name,caption_1,caption_2,caption_3,caption_4,caption_5\n"
    csv_file.write_text("\ufeff" + header + 'rain on roof.wav,rain falls,"heavy rain, thunder",c3,c4,c5\n'
                        "birds.wav,birds sing,b2,b3,b4,b5\n", encoding="utf-8")
    (audio / "rain on roof.wav").write_bytes(b"RIFF")
    if all_clips:
        (audio / "birds.wav").write_bytes(b"RIFF")
    return audio, csv_file


def test_clotho(tmp_path: Path) -> None:
    audio, csv_file = clotho(tmp_path, all_clips=False)
    ds = build("clotho", audio=str(audio), captions=str(csv_file))
    msg = check_error(ds)
    assert msg.startswith("1 of 2 audio clips not found") and "birds" in msg and "zenodo" in msg.lower()
    (audio / "birds.wav").write_bytes(b"RIFF")
    ds.check()
    samples = list(ds.samples())
    assert [s.id for s in samples] == ["rain on roof", "birds"]
    assert samples[0].meta["references"][1] == "heavy rain, thunder"
    bad = tmp_path / "bad.csv"
    bad.write_text("name,text\na.wav,x\n")
    assert "lacks the columns file_name, caption_1..caption_5" in check_error(build("clotho", audio=str(audio), captions=str(bad)))
    assert "clotho_captions_evaluation.csv" in check_error(build("clotho", audio=str(audio), captions=str(tmp_path / "x.csv")))


# --------------------------------------------------------------------------- manifest


def manifest(tmp_path: Path) -> Path:
    (tmp_path / "img").mkdir()
    for name in ("a.png", "b.png"):
        (tmp_path / "img" / name).write_bytes(b"png")
    csv_file = tmp_path / "m.csv"
    csv_file.write_text("id,path,references,split\nfirst,img/a.png,a cat|a small cat ,test\n,img/b.png,,test\n")
    return csv_file


def test_manifest_csv_and_jsonl(tmp_path: Path) -> None:
    csv_file = manifest(tmp_path)
    ds = build("manifest", manifest=str(csv_file))
    ds.check()
    s = list(ds.samples())
    assert [x.id for x in s] == ["first", "b"]
    assert s[0].meta == {"references": ["a cat", "a small cat"], "split": "test"}
    assert s[0].source == str(tmp_path / "img" / "a.png")
    jsonl = tmp_path / "m.jsonl"
    jsonl.write_text(json.dumps({"id": "x", "path": str(tmp_path / "img" / "a.png"), "references": ["r1", "r2"]}) + "\n")
    (only,) = build("manifest", manifest=str(jsonl)).samples()
    assert only.meta["references"] == ["r1", "r2"]


def test_manifest_id_and_file_mismatch(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(b"png")
    csv_file = tmp_path / "m.csv"
    csv_file.write_text("id,path\ncat,a.png\ndog,dog.png\n")
    msg = check_error(build("manifest", manifest=str(csv_file)))
    assert "1 of 2 files not found" in msg and "line 3: id 'dog'" in msg and "dog.png" in msg
    csv_file.write_text("id,path\ncat,a.png\ncat,a.png\n")
    assert "id 'cat' appears on lines 2 and 3" in check_error(build("manifest", manifest=str(csv_file)))
    csv_file.write_text("id,file\ncat,a.png\n")
    assert "has no 'path' column" in check_error(build("manifest", manifest=str(csv_file)))
    jsonl = tmp_path / "m.jsonl"
    jsonl.write_text('{"id": "cat", "path": "a.png"}\n{"id": "dog", \n')
    assert "line 2 is not valid JSON" in check_error(build("manifest", manifest=str(jsonl)))
    jsonl.write_text('{"id": "cat", "path": "a.png", "references": "one|two"}\n{"id": "dog", "path": "a.png", "references": [1]}\n')
    assert "'references' must be a list of strings" in check_error(build("manifest", manifest=str(jsonl)))
    assert "manifest file" in check_error(build("manifest", manifest=str(tmp_path / "none.csv")))


# --------------------------------------------------------------------------- every reader passes the dataset contract


class TestCocoKarpathyContract(DatasetContract):
    @pytest.fixture
    def dataset(self, tmp_path: Path) -> Dataset[Any]:
        images, split_file = karpathy(tmp_path)
        return build("coco-karpathy", images=str(images), split_file=str(split_file))


class TestMsrVttContract(DatasetContract):
    @pytest.fixture
    def dataset(self, tmp_path: Path) -> Dataset[Any]:
        folder, ann = msrvtt(tmp_path)
        return build("msrvtt", videos=str(folder), annotations=str(ann))


class TestClothoContract(DatasetContract):
    @pytest.fixture
    def dataset(self, tmp_path: Path) -> Dataset[Any]:
        audio, csv_file = clotho(tmp_path)
        return build("clotho", audio=str(audio), captions=str(csv_file))


class TestManifestContract(DatasetContract):
    @pytest.fixture
    def dataset(self, tmp_path: Path) -> Dataset[Any]:
        return build("manifest", manifest=str(manifest(tmp_path)))

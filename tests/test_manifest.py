"""mils_core.manifest: one CSV/JSONL manifest format for every task and dataset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mils_core.errors import ConfigError
from mils_core.manifest import ManifestRow, is_manifest, read_manifest


def _error(path: Path, **kw: object) -> str:
    with pytest.raises(ConfigError) as info:
        read_manifest(path, **kw)  # type: ignore[arg-type]
    message = str(info.value)
    assert "\n" not in message
    return message


def test_csv(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("\ufeffid,path,references,split\nfirst,img/a.png,a cat| a small cat |,test\n,img/b.png,,\n"
                    f"abs,{tmp_path / 'x.png'},,val\n", encoding="utf-8")
    rows = read_manifest(path)
    assert [r.id for r in rows] == ["first", "b", "abs"]  # empty id -> file name stem
    assert rows[0] == ManifestRow(2, "first", tmp_path / "img" / "a.png", ("a cat", "a small cat"), {"split": "test"})
    assert rows[1].references == () and rows[1].meta == {"split": ""}
    assert rows[2].path == tmp_path / "x.png" and rows[2].line == 4


def test_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    lines = [
        {"id": "x", "path": "a.png", "references": ["r1", " r2 ", ""], "extra": {"k": 1}},
        {"id": 0, "path": "b.png", "references": "one|two"},
        {"path": "~/c.png", "references": None},
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines[:2]) + "\n\n" + json.dumps(lines[2]) + "\n")
    rows = read_manifest(path)
    assert [r.id for r in rows] == ["x", "0", "c"]  # numeric ids become text; 0 is an id, not "missing"
    assert rows[0].references == ("r1", "r2") and rows[0].meta == {"extra": {"k": 1}}
    assert rows[1].references == ("one|two",)  # a JSON string is one reference
    assert rows[2].path == Path("~/c.png").expanduser() and rows[2].line == 4
    assert (tmp_path / "m.ndjson").write_text(path.read_text()) and len(read_manifest(tmp_path / "m.ndjson")) == 3


def test_root(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text("path\na.png\n")
    assert read_manifest(path, root=tmp_path / "media")[0].path == tmp_path / "media" / "a.png"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("m.csv", "id,file\ncat,a.png\n", "has no 'path' column (columns: id, file); give it the columns 'id' and 'path'"),
        ("m.csv", "id,path\ncat,a.png\ncat,b.png\n", "id 'cat' appears on lines 2 and 3; ids must be unique"),
        ("m.csv", "id,path\ndog,a.png\na,\n", "line 3 has an empty 'path'"),
        ("m.csv", "id,path\n", "has no rows"),
        ("m.jsonl", '{"id": "cat", "path": "a.png"}\n{"id": "dog", \n', "line 2 is not valid JSON"),
        ("m.jsonl", '["a.png"]\n', "line 1 is not a JSON object with a 'path'"),
        ("m.jsonl", '{"path": "a.png", "references": [1]}\n', "line 1: 'references' must be a list of strings"),
        ("m.jsonl", '{"path": 3}\n', "line 1: 'path' must be a string"),
        ("m.jsonl", '{"path": "a.png", "id": [1]}\n', "line 1: 'id' must be a string or a number"),
        ("m.jsonl", "", "has no rows"),
        ("m.txt", "path\na.png\n", "must be a .csv or .jsonl file"),
    ],
)
def test_errors_name_the_file_and_line(tmp_path: Path, name: str, text: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    got = _error(path)
    assert message in got and str(path) in got


def test_unreadable_files(tmp_path: Path) -> None:
    assert "does not exist" in _error(tmp_path / "none.csv")
    (tmp_path / "bad.csv").write_bytes(b"path\n\xff\xfe\xfa.png\n")
    assert "cannot be read" in _error(tmp_path / "bad.csv")


def test_is_manifest() -> None:
    assert is_manifest("a/b.CSV") and is_manifest("x.jsonl") and is_manifest("x.ndjson")
    assert not is_manifest("x.json") and not is_manifest("folder")

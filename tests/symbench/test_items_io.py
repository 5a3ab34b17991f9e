from __future__ import annotations

from pathlib import Path

import pytest

from codesteer.errors import ItemFormatError
from codesteer.symbench import get_task
from codesteer.symbench.items_io import read_items, write_items


def test_round_trip(tmp_path: Path) -> None:
    task = get_task("string_insertion")
    items = list(task.generate_many(5, seed=3))
    path = tmp_path / "items.jsonl"
    assert write_items(path, items) == 5
    assert list(read_items(path)) == items


def test_failed_write_leaves_the_old_file_intact(tmp_path: Path) -> None:
    task = get_task("string_insertion")
    path = tmp_path / "items.jsonl"
    write_items(path, task.generate_many(2, seed=0))
    before = path.read_bytes()

    def broken():  # type: ignore[no-untyped-def]
        yield task.generate(0, 5)
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write_items(path, broken())
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["items.jsonl"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json\n", "items.jsonl:1: not a SymBench item"),
        ('{"task": "game24"}\n', "items.jsonl:1: not a SymBench item (id"),
        (
            '{"task":"a","id":"b","question":"q","answer":"x","format":99}\n',
            "newer than this codesteer",
        ),
    ],
)
def test_bad_files_name_the_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "items.jsonl"
    path.write_text(content)
    with pytest.raises(ItemFormatError, match=message.replace("(", r"\(")):
        list(read_items(path))


def test_missing_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(ItemFormatError, match="no such file"):
        list(read_items(tmp_path / "absent.jsonl"))
    binary = tmp_path / "bin.jsonl"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ItemFormatError, match="not UTF-8"):
        list(read_items(binary))

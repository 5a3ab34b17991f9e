"""Item files: JSONL, one item per line, validated with pydantic at this edge."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from codesteer._files import write_lines_atomic
from codesteer.errors import ItemFormatError
from codesteer.symbench._types import Item

__all__ = ["ItemRecord", "item_to_json", "read_items", "write_items"]

FORMAT_VERSION = 1


class ItemRecord(BaseModel):
    """The JSON form of an :class:`Item` (one line of an item file)."""

    model_config = ConfigDict(extra="ignore")

    task: str
    id: str
    question: str
    answer: str
    meta: dict[str, Any] = {}
    complexity: int | None = None
    source: str = ""
    original_answer: str | None = None
    known_defect: str | None = None
    format: int = FORMAT_VERSION

    @classmethod
    def from_item(cls, item: Item) -> ItemRecord:
        return cls(**dataclasses.asdict(item))

    def to_item(self) -> Item:
        return Item(**self.model_dump(exclude={"format"}))


def item_to_json(item: Item) -> str:
    return json.dumps(ItemRecord.from_item(item).model_dump(), ensure_ascii=False)


def write_items(path: Path, items: Iterable[Item]) -> int:
    """Write items atomically to ``path``; return how many."""
    return write_lines_atomic(Path(path), (item_to_json(item) for item in items))


def read_items(path: Path) -> Iterator[Item]:
    """Read an item file; raise :class:`ItemFormatError` naming the line of the first bad item."""
    path = Path(path)
    try:
        handle = path.open(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ItemFormatError(f"no such file: {path}") from exc
    except OSError as exc:
        raise ItemFormatError(f"cannot read {path}: {exc.strerror or exc}") from exc
    with handle:
        try:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = ItemRecord.model_validate_json(line)
                except ValidationError as exc:
                    first = exc.errors()[0]
                    where = ".".join(str(p) for p in first.get("loc", ())) or "line"
                    raise ItemFormatError(
                        f"{path}:{number}: not a SymBench item ({where}: {first.get('msg')})"
                    ) from None
                if record.format > FORMAT_VERSION:
                    raise ItemFormatError(
                        f"{path}:{number}: item format {record.format} is newer than this "
                        f"codesteer understands ({FORMAT_VERSION}); upgrade codesteer"
                    )
                yield record.to_item()
        except UnicodeDecodeError as exc:
            raise ItemFormatError(f"{path}: not UTF-8 text") from exc

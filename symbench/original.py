"""Read the original release's ``dataset_gather/`` folder into :class:`Item` objects.

This is the I/O edge: it walks the folders each task declares in ``original_sources`` and hands
each instance, as text, to the task's pure ``parse_original``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codesteer.errors import DatasetError
from codesteer.symbench._task import OriginalSource, RawInstance, Task, UnusableInstance
from codesteer.symbench._types import Item
from codesteer.symbench.items_io import read_items

__all__ = [
    "ImportReport",
    "find_dataset_root",
    "import_originals",
    "iter_raw_instances",
    "load_items",
]

MAX_FILE_BYTES = 64 * 1024 * 1024


def _natural_key(path: Path) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path.as_posix())]


def find_dataset_root(path: Path) -> Path:
    """``path`` itself or its ``dataset_gather/`` child, whichever holds the task folders."""
    path = Path(path).expanduser()
    if not path.exists():
        raise DatasetError(f"no such folder: {path}")
    if not path.is_dir():
        raise DatasetError(f"not a folder: {path} (give the dataset_gather/ folder)")
    if (path / "dataset_gather").is_dir():
        return path / "dataset_gather"
    return path


def _read_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise DatasetError(f"file too large to be an instance: {path}")
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DatasetError(f"not UTF-8 text: {path}") from exc
    except OSError as exc:
        raise DatasetError(f"cannot read {path}: {exc.strerror or exc}") from exc


def iter_raw_instances(root: Path, source: OriginalSource) -> Iterator[RawInstance]:
    """The instances of one source, in natural order (``sample_2`` before ``sample_10``)."""
    matches = sorted(root.glob(source.pattern), key=_natural_key)
    for match in matches:
        rel = match.relative_to(root).as_posix()
        if source.kind == "dir":
            if not match.is_dir():
                continue
            files = {p.name: _read_text(p) for p in sorted(match.iterdir()) if p.is_file()}
            yield RawInstance(rel, files)
        elif source.kind == "csv":
            if not match.is_file():
                continue
            reader = csv.DictReader(io.StringIO(_read_text(match)))
            for number, row in enumerate(reader, start=1):
                yield RawInstance(f"{rel}#row={number}", dict(row))
        elif source.kind == "jsonl":
            for number, line in enumerate(_read_text(match).splitlines(), start=1):
                if line.strip():
                    yield RawInstance(f"{rel}#line={number}", _loads(line, f"{rel}:{number}"))
        elif source.kind == "examples":
            document = _loads(_read_text(match), rel)
            examples = document.get("examples") if isinstance(document, dict) else None
            if not isinstance(examples, list):
                raise DatasetError(f"{rel}: expected an object with an 'examples' list")
            for number, example in enumerate(examples):
                yield RawInstance(f"{rel}#example={number}", example)
        elif source.kind == "json":
            if match.is_file():
                yield RawInstance(rel, _loads(_read_text(match), rel))
        else:  # pragma: no cover - a task declaring an unknown kind is a bug
            raise ValueError(f"unknown source kind {source.kind!r}")


def _loads(text: str, where: str) -> Any:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise DatasetError(f"{where}: not valid JSON ({exc})") from exc
    return value if isinstance(value, dict) else {"value": value}


@dataclass
class ImportReport:
    """What an import produced, per task: the items; ``unusable`` instances that cannot be
    posed (no valid answer exists; a defect of the original, with the reason); and ``problems``,
    instances that could not be interpreted (a bug or a corrupt file)."""

    items: dict[str, list[Item]] = field(default_factory=dict)
    unusable: list[tuple[str, str, str]] = field(default_factory=list)  # (task, path, reason)
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (task, path, message)

    def merge(self, other: ImportReport) -> None:
        self.items.update(other.items)
        self.unusable.extend(other.unusable)
        self.problems.extend(other.problems)

    @property
    def total(self) -> int:
        return sum(len(items) for items in self.items.values())


def import_originals(
    root: Path,
    tasks: Iterable[Task[Any]],
    *,
    require_files: bool = True,
    on_task: Callable[[Task[Any]], object] | None = None,
) -> ImportReport:
    """Import every instance of ``tasks`` found under ``root`` (a ``dataset_gather`` folder).

    An instance that its task cannot interpret is recorded in ``problems`` (with the reason)
    and the import goes on; a folder that cannot be read at all raises :class:`DatasetError`,
    as does (with ``require_files``) one that holds no instance of ``tasks``. ``on_task`` is
    told each task before its instances are read (for a progress bar).
    """
    root = find_dataset_root(root)
    report = ImportReport()
    read_from_files = 0
    tasks = list(tasks)
    for task in tasks:
        if on_task is not None:
            on_task(task)
        items: list[Item] = list(task.builtin_originals())
        for source in task.original_sources:
            for raw in iter_raw_instances(root, source):
                try:
                    item = task.parse_original(raw)
                except UnusableInstance as exc:
                    report.unusable.append((task.name, raw.path, str(exc)))
                    continue
                except DatasetError as exc:
                    report.problems.append((task.name, raw.path, str(exc)))
                    continue
                except (KeyError, ValueError, TypeError, IndexError) as exc:
                    message = f"{type(exc).__name__}: {exc}"
                    report.problems.append((task.name, raw.path, message))
                    continue
                if item is not None:
                    items.append(item)
                    read_from_files += 1
        report.items[task.name] = items
    found = read_from_files or report.problems or report.unusable
    if require_files and any(task.original_sources for task in tasks) and not found:
        raise DatasetError(
            f"no SymBench instances found under {root}; expected the original dataset_gather/ "
            "layout (folders such as game24_dataset/, string_insertion/sample_0/)"
        )
    return report


def load_items(
    path: Path,
    tasks: Iterable[Task[Any]],
    *,
    on_task: Callable[[Task[Any]], object] | None = None,
) -> tuple[list[Item], ImportReport]:
    """The items of ``tasks`` in an item file, a folder of item files (as ``symbench import``
    writes), or an original dataset folder (imported on the fly; the report says what could
    not be read)."""
    path = Path(path).expanduser()
    tasks = list(tasks)
    wanted = {task.name for task in tasks}
    if path.is_file():
        return [item for item in read_items(path) if item.task in wanted], ImportReport()
    # a folder written by `import` holds only TASK.jsonl files; a dataset folder has subfolders
    # (and may hold data .jsonl files of its own, such as gsmhardv2.jsonl)
    if path.is_dir() and any(path.glob("*.jsonl")) and not any(p.is_dir() for p in path.iterdir()):
        items = [item for file in sorted(path.glob("*.jsonl")) for item in read_items(file)]
        return [item for item in items if item.task in wanted], ImportReport()
    if not path.exists():
        raise DatasetError(f"no such file or folder: {path}")
    report = import_originals(path, tasks, require_files=False, on_task=on_task)
    if report.total == 0 or not any(
        report.items.get(task.name) for task in tasks if task.original_sources
    ):
        raise DatasetError(f"no SymBench instances found under {path}")
    return [item for items in report.items.values() for item in items], report

"""Atomic file writes: a reader never sees a half-written file, a crash never leaves one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_write", "atomic_write_bytes", "write_lines_atomic"]


@contextlib.contextmanager
def _replacing(path: Path, mode: str, **open_args: Any) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; on success, fsync it and rename it over ``path``."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path()
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, mode, **open_args) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_write(path: Path, *, encoding: str = "utf-8") -> Iterator[IO[str]]:
    """A text file written to a temporary beside ``path`` and renamed over it on success."""
    with _replacing(path, "w", encoding=encoding, newline="\n") as handle:
        yield handle


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (an image, say)."""
    with _replacing(path, "wb") as handle:
        handle.write(data)


def write_lines_atomic(path: Path, lines: Iterable[str]) -> int:
    """Write ``lines`` (each without its newline) atomically; return how many were written."""
    count = 0
    with atomic_write(path) as handle:
        for line in lines:
            handle.write(line)
            handle.write("\n")
            count += 1
    return count

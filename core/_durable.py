"""Append-only JSONL logs that survive ``kill -9``, and folder locks.

A record is one ``write`` of one line followed by ``fsync``, so a killed process leaves at worst
a torn last line, which :func:`read_log` drops (and, with ``repair``, cuts off). An exclusive
``flock`` keeps two processes off one folder; the kernel releases it when a process dies,
however it dies. The benchmark harness and training-data synthesis both keep their results
this way.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from typing import IO

from codesteer._secrets import redact
from codesteer.errors import UserError

__all__ = ["AppendLog", "FolderLock", "read_log"]


class FolderLock:
    """An exclusive lock on ``path`` (a lock file in the folder it guards), taken at once or
    refused with a :class:`UserError` naming the holder's pid."""

    def __init__(self, path: Path, holder: str) -> None:
        """``holder`` names the kind of process in the error another one gets
        (``codesteer bench``)."""
        handle = Path(path).open("a+", encoding="utf-8")  # noqa: SIM115 - held until release()
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            pid = handle.read().strip() or "another process"
            handle.close()
            raise UserError(
                f"{Path(path).parent} is in use by a running {holder} ({pid})"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        self._handle: IO[str] | None = handle

    def release(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):
                self._handle.close()
            self._handle = None


class AppendLog:
    """Lines appended to ``path``, each on disk before :meth:`append` returns. Secret-looking
    environment values are scrubbed from every line (:func:`codesteer._secrets.redact`)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._out: IO[str] | None = None

    def append(self, line: str) -> None:
        if self._out is None:
            self._out = self.path.open("a", encoding="utf-8")
        self._out.write(redact(line) + "\n")
        self._out.flush()
        os.fsync(self._out.fileno())

    def close(self) -> None:
        if self._out is not None:
            self._out.close()
            self._out = None


def read_log(path: Path, *, repair: bool) -> list[tuple[int, bytes]]:
    """The complete, non-blank lines of ``path`` with their 1-based line numbers; none when it
    does not exist. A last line without its newline is a write a killed process never
    finished: it is left out, and with ``repair`` cut off the file so appends start clean."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror or exc}") from exc
    end = data.rfind(b"\n") + 1
    if end < len(data) and repair:
        with Path(path).open("r+b") as handle:
            handle.truncate(end)
            os.fsync(handle.fileno())
    return [
        (number, line)
        for number, line in enumerate(data[:end].splitlines(), start=1)
        if line.strip()
    ]

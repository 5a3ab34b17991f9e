"""The run folder: ``run.json`` (status, config, versions), ``items.jsonl`` (the plan),
``samples.jsonl`` (one line per finished item, appended and fsynced as each finishes),
``summary.json`` and ``summary.md``.

Crash safety: every file but ``samples.jsonl`` is replaced atomically; a sample is one
``write`` of one line followed by ``fsync`` (:mod:`codesteer._durable`), so a ``kill -9`` can at
worst leave a torn last line, which reopening drops (that item runs again). An exclusive
``flock`` keeps two processes off one folder; the kernel releases it when a process dies,
however it dies.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError

from codesteer._durable import AppendLog, FolderLock, read_log
from codesteer._files import atomic_write
from codesteer._secrets import redact
from codesteer.errors import UserError
from codesteer.local.harness._config import FORMAT_VERSION, BenchConfig
from codesteer.local.harness._records import SampleRecord
from codesteer.local.harness.summary import RunSummary, summarize, summary_markdown
from codesteer.symbench import Item
from codesteer.symbench.items_io import item_to_json, read_items

__all__ = ["RunDir", "RunInfo", "RunStatus"]

RunStatus = Literal["running", "complete", "interrupted", "failed"]

RUN_FILE, ITEMS_FILE, SAMPLES_FILE = "run.json", "items.jsonl", "samples.jsonl"
SUMMARY_JSON, SUMMARY_MD, LOCK_FILE = "summary.json", "summary.md", ".lock"


@dataclass
class RunInfo:
    """``run.json``."""

    config: BenchConfig
    started_at: str
    status: RunStatus = "running"
    format: int = FORMAT_VERSION
    codesteer_version: str = ""
    #: Python, the platform and the packages that shape results.
    versions: dict[str, str] = field(default_factory=dict)
    #: ``task`` / ``steerer`` -> ``{"spec", "sha256", "bytes"}`` (file hashes for GGUF models).
    models: dict[str, dict[str, Any]] = field(default_factory=dict)
    git_revision: str | None = None
    sandbox_level: str | None = None
    ended_at: str | None = None
    #: One entry per session (the first and each resume): start, end, status, items done.
    sessions: list[dict[str, Any]] = field(default_factory=list)
    items: int = 0
    done: int = 0
    errors: int = 0
    task_tokens: dict[str, int] = field(default_factory=dict)
    steerer_tokens: dict[str, int] = field(default_factory=dict)
    #: Why the run failed (every item failing, say), in one line.
    error: str | None = None


_INFO: TypeAdapter[RunInfo] = TypeAdapter(RunInfo)


def _info_json(info: RunInfo) -> str:
    return redact(json.dumps(_INFO.dump_python(info, mode="json"), indent=2, ensure_ascii=False))


class RunDir:
    """One run folder, locked for as long as this object is open."""

    def __init__(self, path: Path, info: RunInfo, items: list[Item]) -> None:
        self.path = path
        self.info = info
        self.items = items
        self.samples: dict[tuple[str, str], SampleRecord] = {}
        self._lock: FolderLock | None = None
        self._out = AppendLog(path / SAMPLES_FILE)

    # -- opening -------------------------------------------------------------------------------

    @classmethod
    def create(cls, path: Path, info: RunInfo, items: list[Item]) -> RunDir:
        """A new run folder at ``path``, which must not exist or be empty: nothing is ever
        overwritten."""
        path = Path(path).expanduser()
        if path.exists() and not path.is_dir():
            raise UserError(f"{path} exists and is not a folder")
        if path.is_dir() and any(path.iterdir()):
            hint = " (resume it with --resume)" if (path / RUN_FILE).exists() else ""
            raise UserError(f"{path} is not empty{hint}; give a new --out folder")
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"cannot create {path}: {exc.strerror or exc}") from exc
        run = cls(path, info, items)
        run._acquire()
        run.info.items = len(items)
        with atomic_write(path / ITEMS_FILE) as handle:
            for item in items:
                handle.write(item_to_json(item) + "\n")
        (path / SAMPLES_FILE).touch()
        run.write_info()
        return run

    @classmethod
    def open(cls, path: Path) -> RunDir:
        """An existing run folder, locked, with its samples read back (a torn last line from
        a killed process is dropped)."""
        info, items = cls._read_head(Path(path).expanduser())
        run = cls(Path(path).expanduser(), info, items)
        run._acquire()
        run.samples = _read_samples(run.path / SAMPLES_FILE, repair=True)
        return run

    @classmethod
    def read(cls, path: Path) -> RunDir:
        """A run folder for reading only (a report): no lock, nothing repaired or written."""
        info, items = cls._read_head(Path(path).expanduser())
        run = cls(Path(path).expanduser(), info, items)
        run.samples = _read_samples(run.path / SAMPLES_FILE, repair=False)
        return run

    @staticmethod
    def read_info(path: Path) -> RunInfo:
        """``run.json`` alone (status, config, counts at the last session's end): enough to
        list many runs without reading their samples."""
        return RunDir._read_run_file(Path(path).expanduser())

    @staticmethod
    def _read_head(path: Path) -> tuple[RunInfo, list[Item]]:
        return RunDir._read_run_file(path), list(read_items(path / ITEMS_FILE))

    @staticmethod
    def _read_run_file(path: Path) -> RunInfo:
        run_file = path / RUN_FILE
        if not path.is_dir():
            raise UserError(f"no such run folder: {path}")
        try:
            raw = json.loads(run_file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise UserError(f"{path} is not a codesteer run folder (no {RUN_FILE})") from None
        except (OSError, ValueError) as exc:
            raise UserError(f"{run_file} cannot be read: {exc}") from None
        version = raw.get("format") if isinstance(raw, dict) else None
        if not isinstance(version, int):
            raise UserError(f"{run_file} is not a codesteer run record")
        if version > FORMAT_VERSION:
            raise UserError(
                f"{path} was written by a newer codesteer (run format {version}; this one reads "
                f"{FORMAT_VERSION}); upgrade codesteer to resume or report it"
            )
        try:
            info = _INFO.validate_python(raw)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ()))
            raise UserError(
                f"{run_file} is not a valid run record ({where}: {first['msg']})"
            ) from None
        return info

    def _acquire(self) -> None:
        self._lock = FolderLock(self.path / LOCK_FILE, "codesteer bench")

    def summary(self) -> RunSummary:
        """The summary of what is done so far."""
        return summarize(self.info.config.mode.value, self.items, self.samples.values())

    # -- writing -------------------------------------------------------------------------------

    def append(self, sample: SampleRecord) -> None:
        """Record one finished item durably before anything else happens."""
        self._out.append(sample.model_dump_json())
        self.samples[sample.key] = sample

    def write_info(self) -> None:
        with atomic_write(self.path / RUN_FILE) as handle:
            handle.write(_info_json(self.info) + "\n")

    def write_summary(self, summary: RunSummary) -> None:
        with atomic_write(self.path / SUMMARY_JSON) as handle:
            json.dump(summary.to_dict(), handle, indent=2, ensure_ascii=False)
            handle.write("\n")
        with atomic_write(self.path / SUMMARY_MD) as handle:
            handle.write(summary_markdown(summary, f"codesteer bench: {self.path.name}"))

    def close(self) -> None:
        self._out.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> RunDir:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _read_samples(path: Path, *, repair: bool) -> dict[tuple[str, str], SampleRecord]:
    samples: dict[tuple[str, str], SampleRecord] = {}
    for number, line in read_log(path, repair=repair):
        try:
            sample = SampleRecord.model_validate_json(line)
        except ValidationError:
            raise UserError(f"{path}:{number} is not a sample record (corrupt file?)") from None
        samples[sample.key] = sample
    return samples

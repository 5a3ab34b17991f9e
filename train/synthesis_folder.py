"""The synthesis folder:

- ``synthesis.json``: config, status, sessions, versions (replaced atomically);
- ``items.jsonl``: the plan, the items in order;
- ``trajectories.jsonl``: one line per finished item: the teacher's whole transcript, its
  score, and the resampled continuations of a wrong one; appended and fsynced as each item
  finishes, so a ``kill -9`` loses at most the items in flight (a torn last line is dropped);
- ``sft.jsonl``, ``dpo.jsonl``, ``summary.json``: derived from the above at the end of every
  session, complete or interrupted.

An exclusive lock keeps two processes off one folder.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from codesteer._durable import AppendLog, FolderLock, read_log
from codesteer._files import atomic_write
from codesteer._secrets import redact
from codesteer.errors import DatasetError, UserError
from codesteer.local.protocol import PROTOCOL_VERSION
from codesteer.local.transcript import Transcript, transcript_to_dict
from codesteer.symbench import Item
from codesteer.symbench.items_io import item_to_json, read_items
from codesteer.train.dpo_data import Continuation
from codesteer.train.synthesis_config import SynthesisConfig
from codesteer.train.trajectories import transcript_from_dict

__all__ = [
    "DPO_FILE",
    "FORMAT_VERSION",
    "SFT_FILE",
    "SUMMARY_FILE",
    "TRAJECTORIES_FILE",
    "ContinuationRecord",
    "SynthesisFolder",
    "SynthesisInfo",
    "SynthesisStatus",
    "TrajectoryRecord",
    "read_records",
    "synthesis_status",
]

#: The folder's layout version. A folder written by a newer codesteer is refused.
FORMAT_VERSION = 1

INFO_FILE, ITEMS_FILE, TRAJECTORIES_FILE = "synthesis.json", "items.jsonl", "trajectories.jsonl"
SFT_FILE, DPO_FILE, SUMMARY_FILE, LOCK_FILE = "sft.jsonl", "dpo.jsonl", "summary.json", ".lock"

SynthesisStatus = Literal["running", "complete", "interrupted", "failed"]


@dataclass
class SynthesisInfo:
    """``synthesis.json``."""

    config: SynthesisConfig
    started_at: str
    status: SynthesisStatus = "running"
    format: int = FORMAT_VERSION
    #: The steering protocol the data is written in: a resumed synthesis must speak it too.
    protocol: str = PROTOCOL_VERSION
    codesteer_version: str = ""
    #: ``teacher`` / ``task_model`` -> the resolved spec (a resume opens these).
    models: dict[str, str] = field(default_factory=dict)
    sandbox_level: str | None = None
    ended_at: str | None = None
    sessions: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None


_INFO: TypeAdapter[SynthesisInfo] = TypeAdapter(SynthesisInfo)


class ContinuationRecord(BaseModel):
    """A wrong trajectory resumed at steering turn ``turn`` with a sampled turn. ``transcript``
    holds the run from round ``turn`` on: the rounds before are the original's."""

    model_config = ConfigDict(extra="forbid")

    turn: int
    sample: int
    seed: int
    transcript: dict[str, Any] | None = None
    error: str | None = None

    @classmethod
    def of(
        cls, turn: int, sample: int, seed: int, transcript: Transcript, error: str | None
    ) -> ContinuationRecord:
        data = transcript_to_dict(transcript)
        data["rounds"] = data["rounds"][turn:]
        return cls(turn=turn, sample=sample, seed=seed, transcript=data, error=error)

    def continuation(self, original: Transcript, where: str) -> Continuation | None:
        """The whole resumed trajectory, or ``None`` when it failed to run."""
        if self.transcript is None or self.error is not None:
            return None
        tail = transcript_from_dict(self.transcript, where=where)
        tail.rounds = original.rounds[: self.turn] + tail.rounds
        return Continuation(self.turn, self.sample, tail)


class TrajectoryRecord(BaseModel):
    """One line of ``trajectories.jsonl``: one item, with ``error`` set when its run failed (a
    server that kept failing): an error, never a wrong answer."""

    model_config = ConfigDict(extra="forbid")

    index: int
    task: str
    item_id: str
    transcript: dict[str, Any] | None = None
    error: str | None = None
    continuations: list[ContinuationRecord] = []

    @property
    def key(self) -> tuple[str, str]:
        return (self.task, self.item_id)

    def original(self, where: str) -> Transcript | None:
        """The teacher's trajectory, or ``None`` when it failed to run."""
        if self.transcript is None or self.error is not None:
            return None
        return transcript_from_dict(self.transcript, where=where)


class SynthesisFolder:
    """One synthesis folder, locked for as long as this object is open."""

    def __init__(self, path: Path, info: SynthesisInfo, items: list[Item]) -> None:
        self.path = path
        self.info = info
        self.items = items
        self.records: dict[tuple[str, str], TrajectoryRecord] = {}
        self._lock: FolderLock | None = None
        self._out = AppendLog(path / TRAJECTORIES_FILE)

    @classmethod
    def create(cls, path: Path, info: SynthesisInfo, items: list[Item]) -> SynthesisFolder:
        """A new folder at ``path``, which must not exist or be empty: nothing is overwritten."""
        path = Path(path).expanduser()
        if path.exists() and not path.is_dir():
            raise UserError(f"{path} exists and is not a folder")
        if path.is_dir() and any(path.iterdir()):
            hint = " (continue it with --resume)" if (path / INFO_FILE).exists() else ""
            raise UserError(f"{path} is not empty{hint}; give a new --out folder")
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise UserError(f"cannot create {path}: {exc.strerror or exc}") from exc
        folder = cls(path, info, items)
        folder._lock = FolderLock(path / LOCK_FILE, "codesteer train synthesize")
        with atomic_write(path / ITEMS_FILE) as handle:
            for item in items:
                handle.write(item_to_json(item) + "\n")
        (path / TRAJECTORIES_FILE).touch()
        folder.write_info()
        return folder

    @classmethod
    def open(cls, path: Path) -> SynthesisFolder:
        """An existing folder, locked, its records read back (a torn last line is dropped)."""
        path = Path(path).expanduser()
        info, items = _read_head(path)
        folder = cls(path, info, items)
        folder._lock = FolderLock(path / LOCK_FILE, "codesteer train synthesize")
        try:
            folder.records = read_records(path / TRAJECTORIES_FILE, repair=True)
        except BaseException:
            folder.close()
            raise
        return folder

    def append(self, record: TrajectoryRecord) -> None:
        """Record one finished item durably before anything else happens."""
        self._out.append(record.model_dump_json())
        self.records[record.key] = record

    def write_info(self) -> None:
        text = json.dumps(_INFO.dump_python(self.info, mode="json"), indent=2, ensure_ascii=False)
        with atomic_write(self.path / INFO_FILE) as handle:
            handle.write(redact(text) + "\n")

    def write_json(self, name: str, value: Any) -> None:
        with atomic_write(self.path / name) as handle:
            handle.write(redact(json.dumps(value, indent=2, ensure_ascii=False)) + "\n")

    def close(self) -> None:
        self._out.close()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> SynthesisFolder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _read_head(path: Path) -> tuple[SynthesisInfo, list[Item]]:
    info_file = path / INFO_FILE
    if not path.is_dir():
        raise UserError(f"no such synthesis folder: {path}")
    try:
        raw = json.loads(info_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"{path} is not a synthesis folder (no {INFO_FILE})") from None
    except (OSError, ValueError) as exc:
        raise UserError(f"{info_file} cannot be read: {exc}") from None
    version = raw.get("format") if isinstance(raw, dict) else None
    if not isinstance(version, int):
        raise UserError(f"{info_file} is not a synthesis record")
    if version > FORMAT_VERSION:
        raise UserError(
            f"{path} was written by a newer codesteer (synthesis format {version}; this one "
            f"reads {FORMAT_VERSION}); upgrade codesteer to continue it"
        )
    try:
        info = _INFO.validate_python(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        raise UserError(
            f"{info_file} is not a valid synthesis record ({where}: {first['msg']})"
        ) from None
    return info, list(read_items(path / ITEMS_FILE))


def synthesis_status(path: Path) -> SynthesisStatus | None:
    """What ``synthesis.json`` in ``path`` says (``None``: no synthesis there yet). ``sft.jsonl``
    and ``dpo.jsonl`` are written after an interrupted session too: only ``complete`` says the
    data is whole."""
    path = Path(path).expanduser()
    if not (path / INFO_FILE).is_file():
        return None
    info, _ = _read_head(path)
    return info.status


def read_records(path: Path, *, repair: bool = False) -> dict[tuple[str, str], TrajectoryRecord]:
    """The records of a ``trajectories.jsonl``, by item; a corrupt line is a
    :class:`DatasetError` naming it."""
    records: dict[tuple[str, str], TrajectoryRecord] = {}
    for number, line in read_log(path, repair=repair):
        try:
            record = TrajectoryRecord.model_validate_json(line)
        except ValidationError:
            raise DatasetError(
                f"{path}:{number} is not a trajectory record (corrupt file?)"
            ) from None
        records[record.key] = record
    return records

"""The history of steering runs: one SQLite database under the platform data dir, for the TUI to
list, reopen, re-run, export and delete past runs.

``$CODESTEER_DATA_DIR``, when set, is the data dir instead. The schema is versioned with
``PRAGMA user_version`` and grows only through :data:`MIGRATIONS`, applied in order and in one
transaction when the history is opened; a database from a newer codesteer, or a file that is
not SQLite, is refused with a :class:`UserError` and left untouched.

Each run keeps summary columns (question, models, answer, score, ...) for listing and searching
without reading transcripts, the :class:`RunRequest` that re-runs it, and the transcript JSON,
read only when an entry is opened. Everything stored is redacted: the transcript by
:func:`transcript_to_json`, the rest here.

One connection serves every thread (``check_same_thread=False``) behind a lock: the TUI calls
from its UI thread and from workers, a sqlite3 connection must not be used by two threads at
once, every call is short (a row, a page of summaries), and one connection runs the open-time
checks and migrations once rather than on every call. WAL lets another process (a second TUI)
read while this one writes.
"""

from __future__ import annotations

import builtins
import dataclasses
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import platformdirs
from pydantic import TypeAdapter, ValidationError

from codesteer._secrets import redact
from codesteer.errors import UserError
from codesteer.local.session import RunRequest
from codesteer.local.transcript import (
    Transcript,
    parse_transcript,
    transcript_to_json,
    write_transcript,
)
from codesteer.local.transcript_markdown import write_transcript_markdown

__all__ = [
    "DATA_DIR_ENV",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "ExportFormat",
    "History",
    "HistoryEntry",
    "data_dir",
    "default_history_path",
    "utc_now",
]

#: Names the data dir (the history lives in it) instead of the platform's.
DATA_DIR_ENV = "CODESTEER_DATA_DIR"
_FILE_NAME = "history.sqlite3"

ExportFormat = Literal["markdown", "json"]
Migration = Callable[[sqlite3.Connection], None]


def data_dir() -> Path:
    """``$CODESTEER_DATA_DIR``, else codesteer's folder in the platform's user data dir."""
    folder = os.environ.get(DATA_DIR_ENV)
    return Path(folder).expanduser() if folder else platformdirs.user_data_path("codesteer")


def default_history_path() -> Path:
    """``history.sqlite3`` in the :func:`data_dir`."""
    return data_dir() / _FILE_NAME


def _sql(*statements: str) -> Migration:
    # statement by statement: executescript() would commit the migration transaction first
    def apply(connection: sqlite3.Connection) -> None:
        for statement in statements:
            connection.execute(statement)

    return apply


def _add_round_and_time_columns(connection: sqlite3.Connection) -> None:
    """v2: rounds used and seconds, for the list, filled in from the stored transcripts."""
    connection.execute("ALTER TABLE runs ADD COLUMN rounds_used INTEGER")
    connection.execute("ALTER TABLE runs ADD COLUMN seconds REAL")
    for run_id, text in connection.execute("SELECT id, transcript FROM runs").fetchall():
        try:
            data = json.loads(text)
            values = (len(data["rounds"]), float(data["seconds"]), run_id)
        except (ValueError, KeyError, TypeError):
            # a row that cannot be read keeps NULLs, shown as unknown, rather than blocking
            # every later open of the history
            continue
        connection.execute("UPDATE runs SET rounds_used = ?, seconds = ? WHERE id = ?", values)


#: Migration k takes the schema from version k to k + 1. Append only; never edit one that
#: has shipped.
MIGRATIONS: tuple[Migration, ...] = (
    _sql(
        # AUTOINCREMENT: a deleted run's id is never given to a new one, so a stale view in
        # the TUI cannot open the wrong run
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            created_at TEXT NOT NULL,
            question TEXT NOT NULL,
            task_model TEXT NOT NULL,
            steerer TEXT,
            rounds INTEGER NOT NULL,
            task TEXT,
            seed INTEGER,
            item_index INTEGER,
            stop_reason TEXT,
            final_answer TEXT,
            score REAL,
            request TEXT NOT NULL,
            transcript TEXT NOT NULL
        )
        """
    ),
    _add_round_and_time_columns,
)
SCHEMA_VERSION = len(MIGRATIONS)

# column -> HistoryEntry field: every column but the transcript
_SUMMARY_FIELDS = {
    "id": "id",
    "created_at": "created_at",
    "question": "question",
    "task_model": "task_model",
    "steerer": "steerer",
    "rounds": "rounds",
    "task": "task",
    "seed": "seed",
    "item_index": "index",
    "stop_reason": "stop_reason",
    "final_answer": "final_answer",
    "score": "score",
    "rounds_used": "rounds_used",
    "seconds": "seconds",
    "request": "request_json",
}
_SUMMARY_COLUMNS = ", ".join(_SUMMARY_FIELDS)
_SEARCHED_COLUMNS = ("question", "task_model", "steerer", "task", "final_answer", "stop_reason")
_REQUEST_ADAPTER: TypeAdapter[RunRequest] = TypeAdapter(RunRequest)


@dataclass(frozen=True)
class HistoryEntry:
    """One past run, as listed. The transcript stays in the database until :meth:`transcript`
    reads it, so listing a long history costs summaries only."""

    id: int
    #: When the run was stored, ISO 8601 UTC.
    created_at: str
    question: str
    task_model: str
    steerer: str | None
    #: The rounds limit the run had (0 without a steerer).
    rounds: int
    #: The SymBench item, when the run was one: task, seed and index.
    task: str | None
    seed: int | None
    index: int | None
    stop_reason: str | None
    final_answer: str | None
    score: float | None
    #: ``None`` for runs whose transcript could not be read when the column was added.
    rounds_used: int | None
    seconds: float | None
    #: The :class:`RunRequest` as JSON; :meth:`request` reads it.
    request_json: str
    _history: History = field(repr=False, compare=False)

    def request(self) -> RunRequest:
        """The settings to run it again."""
        try:
            return _REQUEST_ADAPTER.validate_json(self.request_json)
        except ValidationError as exc:
            reason = exc.errors()[0]["msg"]
            raise UserError(
                f"run {self.id} in {self._history.path} has unreadable settings: {reason}"
            ) from exc

    def transcript(self) -> Transcript:
        """The full transcript, read from the history now."""
        return self._history.transcript(self.id)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class History:
    """The run history in the SQLite file at ``path`` (:func:`default_history_path` if none),
    created with its folders when missing. Safe to share between threads."""

    def __init__(self, path: Path | None = None, *, now: Callable[[], datetime] = utc_now) -> None:
        self.path = Path(path) if path is not None else default_history_path()
        #: The wall clock that stamps new entries (a test's is fixed).
        self._now = now
        self._lock = threading.Lock()
        self._connection = _open(self.path)

    def __enter__(self) -> History:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    def add(self, request: RunRequest, transcript: Transcript) -> HistoryEntry:
        """Store a finished (or interrupted) run; return its entry."""
        score = transcript.score.get("value") if transcript.score else None
        is_item = request.task is not None
        row: dict[str, Any] = {
            "created_at": self._now().astimezone(timezone.utc).isoformat(timespec="seconds"),
            "question": redact(transcript.question),
            # specs hold no keys by construction; redacted all the same, like the transcript
            "task_model": redact(transcript.task_model),
            "steerer": None if transcript.steerer is None else redact(transcript.steerer),
            "rounds": transcript.rounds_limit,
            "task": request.task,
            "seed": request.seed if is_item else None,
            "item_index": request.index if is_item else None,
            "stop_reason": transcript.stop_reason,
            "final_answer": (
                None if transcript.final_answer is None else redact(transcript.final_answer)
            ),
            "score": float(score) if isinstance(score, (int, float)) else None,
            "rounds_used": len(transcript.rounds),
            "seconds": transcript.seconds,
            "request": redact(json.dumps(dataclasses.asdict(request), ensure_ascii=False)),
            "transcript": transcript_to_json(transcript, indent=None),
        }
        names = ", ".join(row)
        marks = ", ".join(f":{name}" for name in row)
        with self._use() as connection:
            cursor = connection.execute(f"INSERT INTO runs ({names}) VALUES ({marks})", row)
            assert cursor.lastrowid is not None
            return self._entry(connection, cursor.lastrowid)

    def list(
        self, limit: int | None = None, search: str | None = None
    ) -> builtins.list[HistoryEntry]:
        """Entries newest first, at most ``limit``. ``search``: every word of it must occur
        (case-insensitively for ASCII) in the question, a model, the task, the answer or the
        stop reason."""
        where: builtins.list[str] = []
        params: builtins.list[object] = []
        for word in (search or "").split():
            pattern = "%" + _escape_like(word) + "%"
            where.append(
                "(" + " OR ".join(f"{c} LIKE ? ESCAPE '\\'" for c in _SEARCHED_COLUMNS) + ")"
            )
            params.extend([pattern] * len(_SEARCHED_COLUMNS))
        query = f"SELECT {_SUMMARY_COLUMNS} FROM runs"
        if where:
            query += " WHERE " + " AND ".join(where)
        query += " ORDER BY id DESC LIMIT ?"
        params.append(-1 if limit is None else limit)
        with self._use() as connection:
            rows = connection.execute(query, params).fetchall()
        return [self._from_row(row) for row in rows]

    def get(self, run_id: int) -> HistoryEntry:
        """The entry of run ``run_id``; :class:`UserError` if there is none."""
        with self._use() as connection:
            return self._entry(connection, run_id)

    def transcript(self, run_id: int) -> Transcript:
        """The full transcript of run ``run_id``, validated."""
        with self._use() as connection:
            row = connection.execute(
                "SELECT transcript FROM runs WHERE id = ?", (run_id,)
            ).fetchone()
        if row is None:
            raise self._unknown(run_id)
        return parse_transcript(row[0], f"run {run_id} in {self.path}")

    def delete(self, run_id: int) -> None:
        """Forget run ``run_id``; :class:`UserError` if there is none."""
        with self._use() as connection:
            deleted = connection.execute("DELETE FROM runs WHERE id = ?", (run_id,)).rowcount
        if not deleted:
            raise self._unknown(run_id)

    def export(self, run_id: int, path: Path, fmt: ExportFormat) -> None:
        """Write run ``run_id``'s transcript to ``path`` (atomically) as Markdown or JSON."""
        if fmt not in ("markdown", "json"):
            raise UserError(f"unknown export format {fmt!r}: use markdown or json")
        transcript = self.transcript(run_id)
        if fmt == "json":
            write_transcript(transcript, path)
        else:
            write_transcript_markdown(transcript, path)

    @contextmanager
    def _use(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._connection
            except sqlite3.Error as exc:
                raise UserError(f"history {self.path}: {exc}") from exc

    def _entry(self, connection: sqlite3.Connection, run_id: int) -> HistoryEntry:
        row = connection.execute(
            f"SELECT {_SUMMARY_COLUMNS} FROM runs WHERE id = ?", (run_id,)
        ).fetchone()
        if row is None:
            raise self._unknown(run_id)
        return self._from_row(row)

    def _from_row(self, row: tuple[Any, ...]) -> HistoryEntry:
        values = dict(zip(_SUMMARY_FIELDS.values(), row, strict=True))
        return HistoryEntry(**values, _history=self)

    def _unknown(self, run_id: int) -> UserError:
        return UserError(f"no run {run_id} in the history {self.path}")


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _open(path: Path) -> sqlite3.Connection:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create the folder of the history {path}: {exc}") from exc
    # connecting reads nothing; the first read (the version) finds a file that is not SQLite,
    # before anything is written to it
    try:
        connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    except sqlite3.Error as exc:
        raise UserError(f"cannot open the history {path}: {exc}") from exc
    try:
        _migrate(connection, path)
    except sqlite3.DatabaseError as exc:
        connection.close()
        raise UserError(
            f"{path} is not a usable codesteer history ({exc}); move it away or set "
            f"{DATA_DIR_ENV} to use another folder"
        ) from exc
    except BaseException:
        connection.close()
        raise
    return connection


def _migrate(connection: sqlite3.Connection, path: Path) -> None:
    # Read before anything is written: a newer or foreign database is left exactly as it was.
    _check_version(connection, path)
    connection.execute("PRAGMA journal_mode = WAL")
    if _version(connection) == SCHEMA_VERSION:
        return
    connection.execute("BEGIN IMMEDIATE")
    try:
        # again inside the write lock: another process may have migrated in between
        version = _check_version(connection, path)
        for migration in MIGRATIONS[version:]:
            migration(connection)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute("COMMIT")
    except BaseException:
        if connection.in_transaction:
            connection.rollback()
        raise


def _version(connection: sqlite3.Connection) -> int:
    version: int = connection.execute("PRAGMA user_version").fetchone()[0]
    return version


def _check_version(connection: sqlite3.Connection, path: Path) -> int:
    version = _version(connection)
    if version > SCHEMA_VERSION:
        raise UserError(
            f"{path} is a history of schema version {version}, newer than this codesteer "
            f"knows ({SCHEMA_VERSION}): upgrade codesteer, or set {DATA_DIR_ENV} to use "
            "another folder"
        )
    if version == 0 and connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
        raise UserError(
            f"{path} is an SQLite database but not a codesteer history; "
            f"move it away or set {DATA_DIR_ENV} to use another folder"
        )
    return version

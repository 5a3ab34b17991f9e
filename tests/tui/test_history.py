"""The run history: real SQLite files in tmp_path, real transcripts from scripted runs."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import platformdirs
import pytest

from codesteer.errors import UserError
from codesteer.local.loop import SteeringRun
from codesteer.local.sandbox import Limits, Sandbox
from codesteer.local.scripted import ScriptedBackend
from codesteer.local.session import RunRequest
from codesteer.local.transcript import ItemRef, Transcript, load_transcript, transcript_to_json
from codesteer.local.transcript_markdown import transcript_to_markdown
from codesteer.symbench import get_task
from codesteer.tui.history import SCHEMA_VERSION, History, default_history_path
from tests.local.scripted_runs import QUESTION, collect, steered_transcript

# The schema as version 1 shipped it, written out here rather than taken from the module: an
# old user's file does not change when the module does.
V1_SCHEMA = """
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
);
PRAGMA user_version = 1;
"""


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(Limits(timeout_s=20)) as box:
        yield box


def graded(sandbox: Sandbox) -> tuple[RunRequest, Transcript]:
    """A SymBench item answered by the task model alone and graded."""
    request = RunRequest(task="number_multiply", seed=3, index=2, steerer="none")
    task_def = get_task("number_multiply")
    item = task_def.generate(request.seed, request.index, request.complexity)
    run = SteeringRun(
        item.question,
        task_model=ScriptedBackend([f"It is <<<{item.answer}>>>."]),
        steerer=None,
        sandbox=sandbox,
        grade=lambda text: task_def.score(text, item),
        item=ItemRef(item.task, item.id, item.source),
    )
    collect(run)
    return request, run.transcript


def history_files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir()}


def test_add_list_get_and_reopen_a_run(sandbox: Sandbox, tmp_path: Path) -> None:
    transcript = steered_transcript(sandbox)
    request = RunRequest(question=QUESTION, task_model="openai:gpt-4o", rounds=3)
    with History(tmp_path / "h.sqlite3") as history:
        entry = history.add(request, transcript)
        assert entry.question == QUESTION
        assert (entry.task_model, entry.steerer) == ("scripted:scripted", "scripted:scripted")
        assert (entry.rounds, entry.rounds_used) == (5, 2)
        assert (entry.task, entry.seed, entry.index, entry.score) == (None, None, None, None)
        assert (entry.stop_reason, entry.final_answer) == ("return_answer", "391")
        assert entry.seconds == transcript.seconds
        assert entry.created_at.endswith("+00:00")
        assert entry.request() == request
        reopened = entry.transcript()
        assert transcript_to_json(reopened) == transcript_to_json(transcript)
        assert reopened.rounds[0].sandbox is not None
        assert reopened.rounds[0].sandbox.stdout.strip() == "<<<391>>>"
        assert history.get(entry.id) == entry
        assert history.list() == [entry]


def test_a_symbench_run_keeps_its_item_and_score(sandbox: Sandbox, tmp_path: Path) -> None:
    request, transcript = graded(sandbox)
    with History(tmp_path / "h.sqlite3") as history:
        entry = history.add(request, transcript)
    assert (entry.task, entry.seed, entry.index) == ("number_multiply", 3, 2)
    assert entry.score == 1.0 and entry.steerer is None and entry.rounds_used == 1
    assert entry.stop_reason == "single_turn"


def test_newest_first_limit_and_persistence(sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folders" / "h.sqlite3"
    transcript = steered_transcript(sandbox)
    with History(path) as history:
        ids = [history.add(RunRequest(question=f"q{n}"), transcript).id for n in range(3)]
        before = history.list()
    assert [e.id for e in before] == ids[::-1]
    with History(path) as history:
        assert history.list() == before
        assert [e.id for e in history.list(limit=2)] == ids[:0:-1]
        assert history.get(ids[0]).request().question == "q0"


def test_delete_and_unknown_ids(sandbox: Sandbox, tmp_path: Path) -> None:
    transcript = steered_transcript(sandbox)
    with History(tmp_path / "h.sqlite3") as history:
        first = history.add(RunRequest(question="a"), transcript)
        second = history.add(RunRequest(question="b"), transcript)
        history.delete(second.id)
        assert history.list() == [first]
        gone = second.id
        calls = [lambda: history.get(gone), lambda: history.delete(gone), second.transcript]
        for call in calls:
            with pytest.raises(UserError, match=f"no run {gone} in the history"):
                call()
        # a deleted id is never handed out again
        assert history.add(RunRequest(question="c"), transcript).id > second.id


def test_export_as_json_and_markdown(sandbox: Sandbox, tmp_path: Path) -> None:
    transcript = steered_transcript(sandbox)
    with History(tmp_path / "h.sqlite3") as history:
        entry = history.add(RunRequest(question=QUESTION), transcript)
        history.export(entry.id, tmp_path / "out" / "run.json", "json")
        history.export(entry.id, tmp_path / "out" / "run.md", "markdown")
        with pytest.raises(UserError, match="unknown export format"):
            history.export(entry.id, tmp_path / "run.txt", "text")  # type: ignore[arg-type]
        blocker = tmp_path / "file"
        blocker.write_text("", encoding="utf-8")
        with pytest.raises(UserError, match="cannot write transcript"):
            history.export(entry.id, blocker / "run.md", "markdown")
    loaded = load_transcript(tmp_path / "out" / "run.json")
    assert transcript_to_json(loaded) == transcript_to_json(transcript)
    markdown = (tmp_path / "out" / "run.md").read_text(encoding="utf-8")
    assert markdown == transcript_to_markdown(transcript)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["run.json", "run.md"]


def test_search_needs_every_word_and_takes_wildcards_literally(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    transcript = steered_transcript(sandbox)
    with History(tmp_path / "h.sqlite3") as history:
        primes = history.add(
            RunRequest(question="q"), steered_transcript(sandbox, "Count the PRIMES")
        )
        percent = history.add(
            RunRequest(question="q"), steered_transcript(sandbox, "Is 50% of 8 four?")
        )
        plain = history.add(RunRequest(question="q"), transcript)
        assert history.list(search="primes") == [primes]
        assert history.list(search="count primes") == [primes]
        assert history.list(search="count 17") == []
        assert history.list(search="50%") == [percent]
        assert history.list(search="%") == [percent]
        assert history.list(search="50_") == []  # a wildcard to LIKE, a character here
        # the model and the answer are searched too
        assert history.list(search="scripted 391") == [plain, percent, primes]
        assert history.list(search="   ") == [plain, percent, primes]


def test_secrets_are_stored_nowhere(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "hunter2-my-very-secret-token"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    question = f"My key is {secret}; what is 17 * 23?"
    folder = tmp_path / "data"
    with History(folder / "h.sqlite3") as history:
        entry = history.add(RunRequest(question=question), steered_transcript(sandbox, question))
        assert secret not in entry.question and "[OPENAI_API_KEY redacted]" in entry.question
        assert secret not in (entry.request().question or "")
    for name, data in history_files(folder).items():
        assert secret.encode() not in data, name


def test_threads_share_one_history(sandbox: Sandbox, tmp_path: Path) -> None:
    transcript = steered_transcript(sandbox)
    errors: list[BaseException] = []
    with History(tmp_path / "h.sqlite3") as history:

        def work(n: int) -> None:
            try:
                for k in range(5):
                    entry = history.add(RunRequest(question=f"{n}-{k}"), transcript)
                    history.list(search=str(n))
                    entry.transcript()
            except BaseException as exc:  # reported below, in the test's thread
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        questions = sorted(e.request().question or "" for e in history.list())
    assert questions == sorted(f"{n}-{k}" for n in range(4) for k in range(5))


def test_a_version_1_history_is_migrated(sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    transcript = steered_transcript(sandbox)
    request = RunRequest(question=QUESTION, rounds=2)
    with sqlite3.connect(path) as old:
        old.executescript(V1_SCHEMA)
        columns = "created_at, question, task_model, steerer, rounds, stop_reason, request, "
        old.execute(
            f"INSERT INTO runs ({columns} transcript) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                "2024-05-06T07:08:09+00:00",
                QUESTION,
                "scripted:scripted",
                "scripted:scripted",
                5,
                "return_answer",
                json.dumps(dataclasses.asdict(request)),
                transcript_to_json(transcript),
            ),
        )
        old.execute(
            f"INSERT INTO runs ({columns} transcript) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            ("2024-05-06T07:09:00+00:00", "broken", "m", None, 0, None, "{}", "not json"),
        )
    old.close()
    with History(path) as history:
        broken, good = history.list()
        assert good.created_at == "2024-05-06T07:08:09+00:00"
        assert (good.rounds_used, good.seconds) == (2, transcript.seconds)
        assert good.request() == request
        assert transcript_to_json(good.transcript()) == transcript_to_json(transcript)
        # an unreadable row keeps NULLs and does not stop the migration
        assert (broken.rounds_used, broken.seconds) == (None, None)
        with pytest.raises(UserError, match="is not a codesteer transcript"):
            broken.transcript()
        # and the history works on at the new version
        history.add(request, transcript)
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert check.execute("SELECT count(*) FROM runs").fetchone()[0] == 3
    check.close()


def test_a_failed_migration_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with sqlite3.connect(path) as old:
        old.executescript(V1_SCHEMA)
        # a column of the same name as one the next migration adds: it fails half way
        old.execute("ALTER TABLE runs ADD COLUMN seconds REAL")
    old.close()
    with pytest.raises(UserError, match="duplicate column name: seconds") as err:
        History(path)
    assert str(path) in str(err.value)
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == 1
        columns = [row[1] for row in check.execute("PRAGMA table_info(runs)")]
    check.close()
    assert "rounds_used" not in columns and columns[-1] == "seconds"


def test_a_folder_in_the_way_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "h.sqlite3").mkdir()
    with pytest.raises(UserError, match=r"h\.sqlite3"):
        History(tmp_path / "h.sqlite3")


def test_a_new_history_starts_at_the_latest_version(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    History(path).close()
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        columns = {row[1] for row in check.execute("PRAGMA table_info(runs)")}
    check.close()
    assert {"question", "request", "transcript", "rounds_used", "seconds"} <= columns


def test_a_newer_history_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with sqlite3.connect(path) as future:
        future.executescript(
            f"CREATE TABLE runs (id INTEGER PRIMARY KEY, shape TEXT);"
            f"PRAGMA user_version = {SCHEMA_VERSION + 1};"
        )
    future.close()
    before = history_files(tmp_path)
    with pytest.raises(UserError, match=f"schema version {SCHEMA_VERSION + 1}, newer") as err:
        History(path)
    assert str(path) in str(err.value)
    assert history_files(tmp_path) == before


@pytest.mark.parametrize(
    "content",
    [
        b"this is a text file, not a database\n" * 20,
        # the right magic, then garbage: SQLite itself has to find out
        b"SQLite format 3\x00" + bytes(range(256)) * 8,
    ],
)
def test_a_corrupt_file_is_refused_and_left_alone(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "h.sqlite3"
    path.write_bytes(content)
    with pytest.raises(UserError) as err:
        History(path)
    assert str(path) in str(err.value)
    assert history_files(tmp_path) == {"h.sqlite3": content}


def test_another_programs_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE notes (text TEXT)")
    other.close()
    before = history_files(tmp_path)
    with pytest.raises(UserError, match="not a codesteer history"):
        History(path)
    assert history_files(tmp_path) == before


def test_the_data_dir_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CODESTEER_DATA_DIR", raising=False)
    expected = platformdirs.user_data_path("codesteer") / "history.sqlite3"
    assert default_history_path() == expected
    monkeypatch.setenv("CODESTEER_DATA_DIR", str(tmp_path / "data"))
    assert default_history_path() == tmp_path / "data" / "history.sqlite3"
    with History() as history:
        assert history.path == tmp_path / "data" / "history.sqlite3"
        assert history.list() == []
    assert (tmp_path / "data" / "history.sqlite3").is_file()

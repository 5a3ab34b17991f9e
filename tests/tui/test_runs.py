"""The session's run registry: names that stay unique, one-line labels, and the survey of the
runs folder (run folders only; a run deleted since is "unreadable", not an error)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from codesteer.errors import UserError
from codesteer.local.harness import BenchConfig, Mode, RunDir, RunInfo, RunStatus, plan_items
from codesteer.tui.runs import read_summary, run_label, run_name, survey

CONFIG = BenchConfig(tasks=("game24",), n=2, mode=Mode.ALL_TEXT)


def make_run(path: Path, status: RunStatus = "interrupted") -> Path:
    info = RunInfo(config=CONFIG, started_at="2025-01-01T00:00:00+00:00", status=status)
    RunDir.create(path, info, plan_items(CONFIG)).close()
    return path


def test_names_are_folder_names_with_the_parent_where_they_clash(tmp_path: Path) -> None:
    known: dict[str, Path] = {}
    for path in (tmp_path / "a" / "run", tmp_path / "b" / "run", tmp_path / "a" / "other"):
        known[run_name(known, path)] = path
    assert known == {
        "run": tmp_path / "a" / "run",
        "b/run": tmp_path / "b" / "run",
        "other": tmp_path / "a" / "other",
    }
    assert run_name(known, tmp_path / "b" / "run") == "b/run"  # a known path keeps its name
    clash = tmp_path / "c" / "b" / "run"
    assert run_name(known, clash) == str(clash)


def test_labels_say_mode_status_and_progress_once() -> None:
    info = RunInfo(config=CONFIG, started_at="t", status="complete", items=2, done=2)
    assert run_label("baseline", info) == "baseline · all-text · complete 2/2"
    assert run_label("20250101-120000-all-text", info) == "20250101-120000-all-text · complete 2/2"
    info.status = "running"
    assert run_label("baseline", info) == "baseline · all-text · running …"
    assert run_label("gone", "no such run folder: /x") == "gone · unreadable"


def test_survey_finds_run_folders_and_keeps_known_runs_first(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    second, first = make_run(runs / "second"), make_run(runs / "first", "complete")
    (runs / "notes").mkdir()
    (runs / "readme.txt").write_text("not a run")
    opened = make_run(tmp_path / "elsewhere")
    gone = make_run(tmp_path / "gone")
    shutil.rmtree(gone)
    records, problem = survey(runs, [opened, gone])
    assert problem is None
    assert list(records) == [opened, gone, first.resolve(), second.resolve()]
    gone_record = records[gone]
    assert isinstance(gone_record, str) and "no such run folder" in gone_record
    first_info = records[first.resolve()]
    assert not isinstance(first_info, str) and first_info.status == "complete"
    assert survey(tmp_path / "absent", []) == ({}, None)


def test_read_summary_has_the_plan_and_what_is_done(tmp_path: Path) -> None:
    info, summary = read_summary(make_run(tmp_path / "run"))
    assert info.status == "interrupted"
    assert [(t.title, t.done, t.planned, t.score) for t in summary.tasks] == [
        ("Game 24", 0, 2, None)
    ]
    with pytest.raises(UserError, match="not a codesteer run folder"):
        read_summary(tmp_path)

"""``codesteer bench`` and ``codesteer report`` as a user runs them: bad input is one error
line, exit code 2, and nothing written or overwritten."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codesteer.local.harness import BenchConfig, Mode, RunDir, RunInfo, plan_items
from tests.cli.helpers import assert_one_error_line, codesteer


def test_help_teaches_with_examples() -> None:
    result = codesteer("bench", "--help")
    assert result.returncode == 0
    for word in ("--mode", "--resume", "--concurrency", "--complexity-sweep", "--source",
                 "only-question", "code-text-choice", "Examples", "codesteer report"):  # fmt: skip
        assert word in result.stdout, word
    assert "--paper" in codesteer("report", "--help").stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--tasks", "no_such_task"], ["no_such_task"]),
        (["--mode", "telepathy"], ["unknown mode", "codesteer"]),
        (["--task-model", "bogus:thing"], ["bogus:thing"]),
        (["--task-model", "/nowhere/model.gguf"], ["/nowhere/model.gguf"]),
        (["--source", "original", "/nowhere/dataset_gather"], ["/nowhere/dataset_gather"]),
        (["--source", "original"], ["needs a PATH"]),
        (["--source", "sideways"], ["--source"]),
        (["--complexity", "3", "--complexity-sweep"], ["not both"]),
        (["--tasks", "game24", "--complexity", "99"], ["complexity must be one of"]),
        (["--sandbox-level", "paper-bag"], ["sandbox level"]),
        (["--seed", "1000000"], ["training seed"]),
    ],
)
def test_bad_input_is_one_error_line_and_writes_nothing(
    tmp_path: Path, args: list[str], words: list[str]
) -> None:
    out = tmp_path / "run"
    result = codesteer("bench", *args, "--out", str(out))
    assert_one_error_line(result, *words)
    assert not out.exists()


def make_run(path: Path) -> Path:
    config = BenchConfig(tasks=("game24",), n=2, mode=Mode.ALL_TEXT)
    RunDir.create(path, RunInfo(config=config, started_at="now"), plan_items(config)).close()
    return path


def test_an_existing_run_is_never_overwritten(tmp_path: Path) -> None:
    run = make_run(tmp_path / "run")
    before = {p.name: p.read_bytes() for p in run.iterdir()}
    result = codesteer("bench", "--tasks", "game24", "--out", str(run))
    assert_one_error_line(result, "not empty", "--resume")
    assert {p.name: p.read_bytes() for p in run.iterdir()} == before


def test_resume_refuses_changed_settings_and_newer_formats(tmp_path: Path) -> None:
    run = make_run(tmp_path / "run")
    assert_one_error_line(
        codesteer("bench", "--resume", str(run), "--n", "9"), "recorded settings", "--n"
    )
    data = json.loads((run / "run.json").read_text())
    data["format"] = 2
    (run / "run.json").write_text(json.dumps(data))
    before = (run / "run.json").read_bytes()
    assert_one_error_line(codesteer("bench", "--resume", str(run)), "newer codesteer")
    assert (run / "run.json").read_bytes() == before
    assert_one_error_line(codesteer("bench", "--resume", str(tmp_path)), "not a codesteer run")
    assert_one_error_line(codesteer("report", str(tmp_path / "absent")), "no such run folder")

"""``codesteer train synthesize`` as a user meets it: help with examples, and one clear error
line (exit code 2) for every mistake, before any model loads."""

from __future__ import annotations

from pathlib import Path

from tests.train.data_cli import train_cli


def assert_one_error(result: object, *words: str) -> None:
    returncode, stderr = result.returncode, result.stderr  # type: ignore[attr-defined]
    assert returncode == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_help_teaches_with_examples() -> None:
    result = train_cli("synthesize", "--help")
    assert result.returncode == 0
    assert "codesteer train synthesize --resume" in result.stdout
    assert "1_000_000" in result.stdout and "--dpo-samples" in result.stdout
    imported = train_cli("import-data", "--help")
    assert imported.returncode == 0 and "--format alpaca" in imported.stdout


def test_an_evaluation_seed_is_refused_before_anything_happens(tmp_path: Path) -> None:
    out = tmp_path / "data"
    result = train_cli("synthesize", "--seed", "3", "--tasks", "game24", "--out", str(out))
    assert_one_error(result, "seed 3 is an evaluation seed", "1_000_000")
    assert not out.exists()


def test_mistakes_give_one_error_line(tmp_path: Path) -> None:
    assert_one_error(train_cli("synthesize", "--tasks", "game24"), "give --out DIR")
    assert_one_error(
        train_cli("synthesize", "--tasks", "no_such_task", "--out", str(tmp_path / "a")),
        "no_such_task",
    )
    assert_one_error(train_cli("synthesize", "--resume", str(tmp_path), "--n", "3"), "drop --n")
    assert_one_error(
        train_cli("synthesize", "--resume", str(tmp_path / "missing")), "no such synthesis folder"
    )
    assert_one_error(
        train_cli("synthesize", "--top-p", "1.5", "--out", str(tmp_path / "b")), "--top-p"
    )

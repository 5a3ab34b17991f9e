"""The ``codesteer symbench`` commands, run as a user runs them: in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.paths import original_root


def codesteer(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codesteer", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=900,
        check=False,
    )


def test_help_explains_every_command() -> None:
    top = codesteer("--help")
    assert top.returncode == 0
    assert "symbench" in top.stdout
    for command in ("list", "show", "generate", "score", "import", "verify"):
        result = codesteer("symbench", command, "--help")
        assert result.returncode == 0, result.stderr
        assert "Usage" in result.stdout


def test_list_json_has_37_named_tasks_with_splits() -> None:
    result = codesteer("symbench", "list", "--json")
    assert result.returncode == 0
    tasks = json.loads(result.stdout)
    assert len(tasks) == 37
    assert {t["split"] for t in tasks} == {"seen", "unseen"}
    assert all(t["name"] and t["levels"] for t in tasks)


def test_show_describes_levels_and_a_sample() -> None:
    result = codesteer("symbench", "show", "Game 24", "--complexity", "12")
    assert result.returncode == 0, result.stderr
    assert "answer format" in result.stdout
    assert "count=80" in result.stdout  # the paper's largest Game 24 puzzles
    assert "reference answer: <<<" in result.stdout


def test_generate_then_score(tmp_path: Path) -> None:
    out = tmp_path / "items.jsonl"
    result = codesteer("symbench", "generate", "game24", "--n", "3", "--seed", "5", "-o", str(out))
    assert result.returncode == 0, result.stderr
    items = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(items) == 3 and all(i["question"] and i["answer"] for i in items)

    good = codesteer(
        "symbench", "score", "game24", "--item", f"{out}:1", "--answer",
        f"so <<<{items[1]['answer']}>>>", "--json",
    )  # fmt: skip
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["value"] == 1.0

    bad = codesteer(
        "symbench", "score", "game24", "--item", f"{out}:{items[2]['id']}", "--answer", "-",
        "--json", stdin="<<<1+1>>>",
    )  # fmt: skip
    verdict = json.loads(bad.stdout)
    assert verdict["value"] == 0.0 and verdict["reason"]


def test_generate_to_stdout_is_deterministic() -> None:
    first = codesteer("symbench", "generate", "letters", "--n", "2", "--seed", "9", "-c", "1")
    again = codesteer("symbench", "generate", "letters", "--n", "2", "--seed", "9", "-c", "1")
    assert first.returncode == 0 and first.stdout == again.stdout
    assert len(first.stdout.splitlines()) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["generate", "game25"], "unknown task 'game25'"),
        (["generate", "game24", "--complexity", "99"], "complexity must be one of"),
        (["generate", "game24", "--set", "nonsense"], "--set expects KNOB=VALUE"),
        (["score", "game24", "--item", "/nonexistent.jsonl", "--answer", "1"], "no such file"),
        (["import", "/nonexistent/folder"], "no such folder"),
        (["verify", "/nonexistent/folder"], "no such file or folder"),
    ],
)
def test_user_errors_are_one_line_exit_2(args: list[str], message: str) -> None:
    result = codesteer("symbench", *args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().startswith("error:")


def test_malformed_item_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text('{"task": "game24", "id": "x"}\n')
    result = codesteer("symbench", "score", "game24", "--item", str(path), "--answer", "1")
    assert result.returncode == 2
    assert "broken.jsonl:1: not a SymBench item" in result.stderr
    assert "Traceback" not in result.stderr


def test_score_rejects_an_item_of_another_task(tmp_path: Path) -> None:
    out = tmp_path / "l.jsonl"
    codesteer("symbench", "generate", "letters", "--n", "1", "-o", str(out))
    result = codesteer("symbench", "score", "game24", "--item", str(out), "--answer", "1")
    assert result.returncode == 2
    assert "letters item" in result.stderr


def test_verify_fails_on_a_wrong_stored_answer(tmp_path: Path) -> None:
    out = tmp_path / "items.jsonl"
    codesteer("symbench", "generate", "string_insertion", "--n", "2", "-o", str(out))
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    lines[0]["original_answer"] = lines[0]["answer"]
    lines[1]["original_answer"] = lines[1]["answer"] + "A"
    out.write_text("".join(json.dumps(line) + "\n" for line in lines))
    result = codesteer("symbench", "verify", str(out), "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["tasks"][0]["agree"] == 1 and report["tasks"][0]["disagree"] == 1


@pytest.mark.original
@pytest.mark.slow
def test_import_and_verify_all_original_instances(tmp_path: Path) -> None:
    """The whole original release: every task, every folder variant, full agreement apart from
    the documented defects."""
    root = original_root()
    out = tmp_path / "originals"
    imported = codesteer("symbench", "import", str(root), "--out", str(out), "--json")
    assert imported.returncode == 0, imported.stderr[-3000:]
    counts = json.loads(imported.stdout)["items"]
    assert len(counts) == 37  # Path Plan's 140 instances live in code, the others in files
    verified = codesteer("symbench", "verify", str(out), "--json")
    report = json.loads(verified.stdout)
    failing = [t for t in report["tasks"] if not t["ok"]]
    assert verified.returncode == 0 and report["ok"], failing
    assert sum(t["total"] for t in report["tasks"]) == sum(counts.values())

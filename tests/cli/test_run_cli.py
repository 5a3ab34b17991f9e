"""``codesteer run`` as a user runs it: a subprocess, offline, on the embedded SmolLM2."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.helpers import SECRET, assert_one_error_line, codesteer


def test_help_teaches_with_examples() -> None:
    result = codesteer("run", "--help")
    assert result.returncode == 0
    for word in ("--task-model", "--steerer", "--rounds", "--json", "--transcript", "Examples"):
        assert word in result.stdout


@pytest.mark.slow
def test_run_json_prints_the_transcript(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    result = codesteer(
        "run", "What is 2 + 3? Answer as <<<N>>>.", "--rounds", "1", "--max-tokens", "96",
        "--no-self-check", "--json", "--transcript", str(path),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data["rounds"], list) and data["rounds"]
    assert "final_answer" in data and data["question"].startswith("What is 2 + 3?")
    assert data["task_model"].startswith("llamacpp:") and data["sandbox_level"]
    assert json.loads(path.read_text()) == data
    assert SECRET not in result.stdout + result.stderr + path.read_text()


@pytest.mark.slow
def test_run_a_symbench_item_scores_it_and_renders_rounds() -> None:
    result = codesteer(
        "run", "--task", "number_multiply", "--seed", "0", "--index", "0", "--complexity", "1",
        "--rounds", "1", "--max-tokens", "96", "--no-self-check",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "round 0: choice" in result.stdout and "steer →" in result.stdout
    assert "final answer" in result.stdout
    assert "correct" in result.stdout or "score 0" in result.stdout


@pytest.mark.slow
def test_steerer_none_is_a_single_turn() -> None:
    result = codesteer("run", "Say hello.", "--steerer", "none", "--max-tokens", "32", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["steerer"] is None and data["stop_reason"] == "single_turn"
    assert len(data["rounds"]) == 1 and data["rounds"][0]["steering"] is None


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["q", "--task-model", "nonsense"], ["nonsense"]),
        (["q", "--task-model", "llamacpp:/no/such/model.gguf"], ["/no/such/model.gguf"]),
        (["q", "--steerer", "warp:drive"], ["warp"]),
        (["--task", "no_such_task"], ["no_such_task"]),
        ([], ["QUESTION"]),
        (["q", "--sandbox-level", "vault"], ["vault"]),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], words: list[str]) -> None:
    assert_one_error_line(codesteer("run", *args), *words)


def test_a_corrupt_gguf_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "broken.gguf"
    bad.write_bytes(b"not a gguf at all" * 100)
    assert_one_error_line(codesteer("run", "q", "--task-model", f"llamacpp:{bad}"), "broken.gguf")


@pytest.mark.server
def test_an_unreachable_server_is_one_line_and_exit_2() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = codesteer(
        "run", "q", "--steerer", "none", "--task-model", f"openai:gpt-4o@http://127.0.0.1:{port}/v1"
    )
    assert_one_error_line(result, f"127.0.0.1:{port}")
    assert SECRET not in result.stderr


def test_a_bad_config_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("rounds = 'many'\n")
    result = codesteer("run", "q", env={"CODESTEER_CONFIG": str(config)})
    assert_one_error_line(result, "rounds")


@pytest.mark.slow
def test_ctrl_c_stops_cleanly_and_keeps_a_partial_transcript(tmp_path: Path) -> None:
    path = tmp_path / "partial.json"
    process = subprocess.Popen(
        [sys.executable, "-m", "codesteer", "run", "Write a very long story about a king.",
         "--steerer", "none", "--max-tokens", "4000", "--transcript", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert process.stdout is not None
    process.stdout.readline()  # the header: the model is loaded and the run has started
    process.stdout.read(40)  # the story is streaming
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and "interrupted" in stderr
    data = json.loads(path.read_text())
    assert data["stop_reason"] == "cancelled" and data["final_answer"] is None

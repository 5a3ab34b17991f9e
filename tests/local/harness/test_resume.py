"""Interrupting a run loses at most the items in flight: ``kill -9`` and Ctrl-C, then
``--resume``, end with the same samples and summary as a run that was never interrupted.

The model is llm-katan's echo server (a real OpenAI-compatible server on loopback) over an item
file whose answers it echoes back (see ``helpers.echo_items``), so scores are deterministic.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.helpers import SECRET, codesteer
from tests.local.harness.helpers import echo_items, sample_lines, stable_summary
from tests.servers import KatanFactory

pytestmark = pytest.mark.server

N = 12


def bench_args(url: str, items: Path, out: Path) -> list[str]:
    return [
        "bench", "--source", "file", str(items), "--tasks", "number_multiply", "--n", str(N),
        "--mode", "only-question", "--task-model", f"openai:katan-echo@{url}/v1",
        "--concurrency", "2", "--out", str(out), "--json",
    ]  # fmt: skip


def start_and_wait(args: list[str], samples: Path, at_least: int) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "codesteer", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "OPENAI_API_KEY": SECRET},
    )  # fmt: skip
    # Waits on the run itself, not on a clock: a run that ends before writing enough fails here.
    while not (samples.exists() and len(samples.read_text().splitlines()) >= at_least):
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    return process


@pytest.fixture
def slow_echo(katan: KatanFactory) -> str:
    return katan("--latency-ms", "250", "--max-concurrent", "8")


@pytest.fixture
def reference(slow_echo: str, tmp_path: Path) -> Path:
    items = echo_items(tmp_path / "items.jsonl", N)
    result = codesteer(*bench_args(slow_echo, items, tmp_path / "reference"))
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["status"] == "complete" and summary["done"] == N and summary["errors"] == 0
    assert summary["averages"]["total"] == 50.0  # the even items echo their right answer
    return tmp_path / "reference"


def test_kill_9_then_resume_loses_nothing_and_duplicates_nothing(
    slow_echo: str, reference: Path, tmp_path: Path
) -> None:
    run = tmp_path / "killed"
    process = start_and_wait(
        bench_args(slow_echo, tmp_path / "items.jsonl", run), run / "samples.jsonl", 4
    )
    process.send_signal(signal.SIGKILL)
    process.communicate()
    done_before = len(sample_lines(run))
    assert 4 <= done_before < N
    assert json.loads((run / "run.json").read_text())["status"] == "running"  # it never knew

    result = codesteer("bench", "--resume", str(run), "--json")
    assert result.returncode == 0, result.stderr
    lines = sample_lines(run)
    keys = [(line["task"], line["item_id"]) for line in lines]
    assert len(keys) == len(set(keys)) == N  # every item once
    assert lines[:done_before] == sample_lines(run)[:done_before]
    assert stable_summary(run) == stable_summary(reference)
    info = json.loads((run / "run.json").read_text())
    assert info["status"] == "complete" and len(info["sessions"]) == 2
    assert info["sessions"][1]["done_before"] == done_before
    assert SECRET not in (run / "samples.jsonl").read_text() + (run / "run.json").read_text()


def test_ctrl_c_stops_cleanly_and_resumes(slow_echo: str, reference: Path, tmp_path: Path) -> None:
    run = tmp_path / "interrupted"
    process = start_and_wait(
        bench_args(slow_echo, tmp_path / "items.jsonl", run), run / "samples.jsonl", 3
    )
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and f"codesteer bench --resume {run}" in stderr
    info = json.loads((run / "run.json").read_text())
    assert info["status"] == "interrupted" and info["done"] == len(sample_lines(run)) < N
    assert (run / "summary.md").exists()  # a partial summary, readable at once

    result = codesteer("bench", "--resume", str(run), "--json")
    assert result.returncode == 0, result.stderr
    assert stable_summary(run) == stable_summary(reference)

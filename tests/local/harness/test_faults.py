"""Backend faults: retried with backoff by the SDK; an item that still fails is recorded as an
error (not a wrong answer) and the run goes on; a run where everything fails says so.

llm-katan's echo server injects the faults (HTTP 500 at a rate, slow replies past the client's
timeout); a closed port stands for a server that is down."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from codesteer.local.harness import Bench, BenchConfig, Mode
from tests.cli.helpers import codesteer
from tests.local.harness.helpers import echo_items
from tests.servers import KatanFactory, closed_port, make_config

pytestmark = pytest.mark.server


def config(url: str, items: Path, n: int, concurrency: int = 4) -> BenchConfig:
    return BenchConfig(
        tasks=("number_multiply",), n=n, mode=Mode.ONLY_QUESTION, source="file",
        source_path=str(items), task_model=f"openai:katan-echo@{url}/v1", steerer=None,
        concurrency=concurrency,
    )  # fmt: skip


def test_retries_ride_out_a_flaky_server(katan: KatanFactory, tmp_path: Path) -> None:
    url = katan("--error-rate", "0.3", "--max-concurrent", "8")
    items = echo_items(tmp_path / "items.jsonl", 24)
    bench = Bench.create(tmp_path / "run", config(url, items, 24), make_config(retries=10))
    summary = asyncio.run(bench.run())
    assert summary.done == summary.planned == 24
    assert summary.errors == 0  # 0.3 ** 11 per request: retries absorb every fault
    assert summary.averages["total"] == 50.0
    assert json.loads((tmp_path / "run" / "run.json").read_text())["status"] == "complete"


def test_items_that_still_fail_are_errors_and_the_run_goes_on(
    katan: KatanFactory, tmp_path: Path
) -> None:
    url = katan("--error-rate", "0.5", "--max-concurrent", "8")
    items = echo_items(tmp_path / "items.jsonl", 32)
    bench = Bench.create(tmp_path / "run", config(url, items, 32), make_config(retries=0))
    summary = asyncio.run(bench.run())
    assert summary.done == summary.planned == 32  # every item accounted for
    assert 0 < summary.errors < 32
    lines = [json.loads(s) for s in (tmp_path / "run" / "samples.jsonl").read_text().splitlines()]
    failed = [line for line in lines if line["error"]]
    assert len(failed) == summary.errors
    assert all(line["score"] is None and "500" in line["error"] for line in failed)
    scored = [line for line in lines if not line["error"]]
    for line in scored:  # even items echo their right answer
        even = int(line["item_id"].rsplit("-", 1)[1]) % 2 == 0
        assert line["score"]["value"] == (1.0 if even else 0.0)
    task = summary.tasks[0]
    assert task.errors == summary.errors and task.done == 32


def test_a_timeout_is_retried_then_recorded(katan: KatanFactory, tmp_path: Path) -> None:
    url = katan("--latency-ms", "3000", "--max-concurrent", "8")
    items = echo_items(tmp_path / "items.jsonl", 2)
    bench = Bench.create(
        tmp_path / "run", config(url, items, 2, 2), make_config(retries=1, timeout_s=0.5)
    )
    summary = asyncio.run(bench.run())
    assert summary.errors == 2 and "timed out" in summary.error_examples[0]


def test_a_run_where_everything_fails_says_so(tmp_path: Path) -> None:
    items = echo_items(tmp_path / "items.jsonl", 20)
    url = f"http://127.0.0.1:{closed_port()}"
    args = ["bench", "--source", "file", str(items), "--tasks", "number_multiply", "--n", "20"]
    args += ["--mode", "only-question", "--task-model", f"openai:m@{url}/v1"]
    result = codesteer(*args, "--out", str(tmp_path / "run"))
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: the run failed: the first 8 items all failed") and url in last
    info = json.loads((tmp_path / "run" / "run.json").read_text())
    assert info["status"] == "failed" and info["done"] == 8 and info["errors"] == 8
    assert "Traceback" not in result.stderr

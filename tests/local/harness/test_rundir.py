"""The run folder survives crashes: torn lines dropped, corrupt ones refused, nothing
overwritten, one process at a time, newer formats refused."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from codesteer.errors import UserError
from codesteer.local.harness import BenchConfig, RunDir, RunInfo, SampleRecord, plan_items


def new_run(path: Path, n: int = 3) -> RunDir:
    config = BenchConfig(tasks=("game24",), n=n)
    return RunDir.create(path, RunInfo(config=config, started_at="now"), plan_items(config))


def record(run: RunDir, index: int) -> SampleRecord:
    item = run.items[index]
    return SampleRecord(
        index=index, task=item.task, item_id=item.id, source=item.source, mode="codesteer",
        started_at="a", ended_at="b",
    )  # fmt: skip


def test_a_torn_last_line_is_dropped_and_the_item_runs_again(tmp_path: Path) -> None:
    with new_run(tmp_path / "run") as run:
        run.append(record(run, 0))
        run.append(record(run, 1))
    samples = tmp_path / "run" / "samples.jsonl"
    whole = samples.read_bytes()
    samples.write_bytes(whole + whole.splitlines(keepends=True)[0][:40])  # a killed write
    with RunDir.open(tmp_path / "run") as run:
        assert set(run.samples) == {(i.task, i.id) for i in run.items[:2]}
        run.append(record(run, 2))
    lines = samples.read_text().splitlines()
    assert [json.loads(line)["index"] for line in lines] == [0, 1, 2]


def test_a_corrupt_complete_line_is_an_error_not_a_silent_loss(tmp_path: Path) -> None:
    with new_run(tmp_path / "run") as run:
        run.append(record(run, 0))
    samples = tmp_path / "run" / "samples.jsonl"
    samples.write_text('{"index": "not a sample"}\n' + samples.read_text())
    with pytest.raises(UserError, match=r"samples.jsonl:1 is not a sample record"):
        RunDir.open(tmp_path / "run")


def test_nothing_is_overwritten(tmp_path: Path) -> None:
    new_run(tmp_path / "run").close()
    before = {p.name: p.read_bytes() for p in (tmp_path / "run").iterdir()}
    with pytest.raises(UserError, match="resume it with --resume"):
        new_run(tmp_path / "run")
    assert {p.name: p.read_bytes() for p in (tmp_path / "run").iterdir()} == before
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(UserError, match="not empty"):
        new_run(tmp_path / "other")
    assert (tmp_path / "other" / "notes.txt").read_text() == "mine"


def test_a_newer_format_is_refused(tmp_path: Path) -> None:
    new_run(tmp_path / "run").close()
    run_file = tmp_path / "run" / "run.json"
    data = json.loads(run_file.read_text())
    data["format"] = 99
    run_file.write_text(json.dumps(data))
    with pytest.raises(UserError, match="newer codesteer"):
        RunDir.open(tmp_path / "run")
    with pytest.raises(UserError, match="not a codesteer run folder"):
        RunDir.open(tmp_path)


def test_one_process_at_a_time(tmp_path: Path) -> None:
    new_run(tmp_path / "run").close()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom codesteer.local.harness import RunDir\n"
         f"r = RunDir.open({str(tmp_path / 'run')!r})\nprint('held', flush=True)\ntime.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(
            UserError, match=rf"in use by a running codesteer bench \(pid {holder.pid}\)"
        ):
            RunDir.open(tmp_path / "run")
    finally:
        holder.kill()
        holder.wait()
    RunDir.open(tmp_path / "run").close()  # the kernel dropped the dead holder's lock

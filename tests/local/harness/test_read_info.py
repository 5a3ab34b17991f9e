"""``RunDir.read_info``: a run's ``run.json`` alone, for listing runs without reading their
samples; what is not a run is a :class:`UserError` naming the folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from codesteer.errors import UserError
from codesteer.local.harness import BenchConfig, Mode, RunDir, RunInfo, plan_items


def test_read_info_reads_the_run_file_and_nothing_else(tmp_path: Path) -> None:
    config = BenchConfig(tasks=("game24",), n=2, mode=Mode.ALL_TEXT)
    info = RunInfo(config=config, started_at="2025-01-01T00:00:00+00:00", status="interrupted")
    RunDir.create(tmp_path / "run", info, plan_items(config)).close()
    (tmp_path / "run" / "samples.jsonl").write_text("not json\n")  # never read here
    read = RunDir.read_info(tmp_path / "run")
    assert read.status == "interrupted" and read.items == 2
    assert read.config == config
    with pytest.raises(UserError, match="corrupt"):
        RunDir.read(tmp_path / "run")


def test_what_is_not_a_run_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such run folder"):
        RunDir.read_info(tmp_path / "absent")
    with pytest.raises(UserError, match="not a codesteer run folder"):
        RunDir.read_info(tmp_path)
    (tmp_path / "run.json").write_text("{}")
    with pytest.raises(UserError, match="not a codesteer run record"):
        RunDir.read_info(tmp_path)

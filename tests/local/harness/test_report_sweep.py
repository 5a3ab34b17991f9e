"""A complexity sweep: scores per level in the summary, and a score-against-complexity panel
in the report's PNG. The model is llm-katan's echo server (fast, real, on loopback)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from codesteer.local.harness import Bench, BenchConfig, Mode
from tests.cli.helpers import codesteer
from tests.local.harness.test_bench_smollm2 import png_size
from tests.servers import KatanFactory, make_config

pytestmark = pytest.mark.server


def test_a_sweep_reports_score_by_level(katan: KatanFactory, tmp_path: Path) -> None:
    url = katan("--max-concurrent", "8")
    config = BenchConfig(
        tasks=("number_multiply",), n=2, mode=Mode.ALL_TEXT, complexity_sweep=True,
        task_model=f"openai:katan-echo@{url}/v1", steerer=None, concurrency=4,
    )  # fmt: skip
    summary = asyncio.run(Bench.create(tmp_path / "sweep", config, make_config()).run())
    task = summary.tasks[0]
    assert [(lv.complexity, lv.done) for lv in task.by_complexity] == [
        (5, 2), (6, 2), (7, 2), (8, 2), (9, 2)
    ]  # fmt: skip
    saved = json.loads((tmp_path / "sweep" / "summary.json").read_text())
    assert [lv["complexity"] for lv in saved["tasks"][0]["by_complexity"]] == [5, 6, 7, 8, 9]
    assert "## Score by complexity" in (tmp_path / "sweep" / "summary.md").read_text()

    png = tmp_path / "sweep.png"
    result = codesteer("report", str(tmp_path / "sweep"), "--png", str(png))
    assert result.returncode == 0, result.stderr
    # the smallest bar panel (3 in) and one sweep panel (3.5 in), 12 in wide, at 100 dpi
    assert png_size(png) == (1200, 650)

"""The Compare screen on real run folders (made by the harness against llm-katan's echo
server): the paper's table with averages and Ave. Norm., the paper's columns on request, the
chart, and a run that vanished as a notification."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from rich.text import Text
from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable, SelectionList
from textual_plotext import PlotextPlot

from codesteer.local.harness.report import score_text
from codesteer.local.harness.summary import paper_columns
from codesteer.tui.screens.compare import CompareScreen
from tests.servers import KatanFactory
from tests.tui.fakes import Models, make_services
from tests.tui.helpers import NotedApp, echo_run, settle

SIZE = (120, 40)
TASK = "Number Multiply"


async def open_compare(pilot: Pilot[None]) -> CompareScreen:
    await pilot.app.switch_mode("compare")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CompareScreen)
    return screen


def cells(table: DataTable[object], row: str) -> dict[str, str]:
    values = table.get_row(row)
    return {str(key.value): str(value) for key, value in zip(table.columns, values, strict=True)}


def chart_text(screen: CompareScreen) -> str:
    rendered = screen.query_one("#compare-chart", PlotextPlot).render()
    assert isinstance(rendered, Text)
    return rendered.plain


@pytest.mark.server
def test_two_runs_side_by_side_with_averages_and_the_paper(
    katan: KatanFactory, tmp_path: Path
) -> None:
    base = katan()
    full = echo_run(tmp_path / "runs" / "full", base, 1, tmp_path / "full.jsonl").resolve()
    half = echo_run(tmp_path / "runs" / "half", base, 2, tmp_path / "half.jsonl").resolve()
    app = NotedApp(make_services(tmp_path, Models({})))

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_compare(pilot)
            assert app.known_runs == {"full": full, "half": half}
            runs: SelectionList[str] = screen.query_one("#compare-runs", SelectionList)
            runs.select(str(half))
            runs.select(str(full))
            await settle(pilot)
            table = screen.query_one("#compare-table", DataTable)
            assert [str(key.value) for key in table.columns] == ["task", "split", "full", "half"]
            assert cells(table, TASK) == {
                "task": TASK, "split": "unseen", "full": "100.0", "half": "50.0"
            }  # fmt: skip
            assert cells(table, "unseen average")["half"] == "50.0"
            assert cells(table, "seen average")["full"] == "–"
            assert cells(table, "Ave. Norm. total")["half"] == "50.0"
            assert "per task" in chart_text(screen)

            await pilot.press("p")
            await pilot.pause()
            assert screen.query_one("#compare-paper", Checkbox).value
            assert len(table.columns) == 4 + 13
            row = cells(table, TASK)
            paper = paper_columns()["GPT-4o+CodeSteer"][TASK]
            assert row["paper: GPT-4o+CodeSteer"] == score_text(paper)
            assert row["full"] == "100.0"
            await pilot.press("p")
            await pilot.pause()
            assert len(table.columns) == 4

            await pilot.press("c")
            assert "average score" in chart_text(screen)

            # A run deleted meanwhile: a notification on reload, and the others still shown.
            shutil.rmtree(half)
            await pilot.press("ctrl+r")
            await settle(pilot)
            assert any("no such run folder" in text for _, text in app.notes), app.notes
            assert [str(key.value) for key in table.columns] == ["task", "split", "full"]
            labels = [str(option.prompt) for option in runs.options]
            assert "half · unreadable" in labels

    asyncio.run(main())


def test_no_runs_is_a_hint_and_the_screen_fits_80_by_24(tmp_path: Path) -> None:
    app = NotedApp(make_services(tmp_path, Models({})))

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_compare(pilot)
            table = screen.query_one("#compare-table", DataTable)
            assert "Pick runs" in str(table.get_row_at(0)[0])
            assert "pick runs" in chart_text(screen)
            await pilot.press("p")
            await pilot.pause()
            assert table.row_count == 1  # no runs, no rows: the paper alone is not a comparison
            for selector in ("#compare-runs", "#compare-paper", "#compare-table",
                             "#compare-chart"):  # fmt: skip
                region = screen.query_one(selector).region
                assert region.width > 0 and region.height > 0, selector
                assert region.right <= 80 and region.bottom <= 23, selector
            assert app.errors() == []

    asyncio.run(main())

"""Each screen as the user sees it, at 80x24 and 120x40, compared with the accepted SVG
snapshots in ``__snapshots__/`` (pytest-textual-snapshot; ``pytest --snapshot-update``
accepts a change after looking at it)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.servers import KatanFactory
from tests.tui.fakes import QUESTION, full_run_models, make_services
from tests.tui.helpers import NotedApp, ask, echo_run, settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
SnapCompare = Callable[..., bool]


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The History screen shows local times: the snapshots are taken in UTC."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


async def steady(pilot: Pilot[None]) -> None:
    """Stop the cursors blinking: a snapshot must not depend on when it is taken."""
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await pilot.pause()


def steered(then: Callable[[Pilot[None]], Awaitable[None]] | None = None) -> Callable[..., object]:
    """Steer the test question with scripted models, then (optionally) do more."""

    async def run_before(pilot: Pilot[None]) -> None:
        await ask(pilot, QUESTION)
        await settle(pilot)
        if then is not None:
            await then(pilot)
            await settle(pilot)
        await steady(pilot)

    return run_before


async def to_history(pilot: Pilot[None]) -> None:
    await pilot.press("f4")


@pytest.mark.parametrize("size", SIZES)
def test_steer(snap_compare: SnapCompare, tmp_path: Path, size: tuple[int, int]) -> None:
    app = NotedApp(make_services(tmp_path, full_run_models()))
    assert snap_compare(app, terminal_size=size, run_before=steered())


@pytest.mark.parametrize("size", SIZES)
def test_history(snap_compare: SnapCompare, tmp_path: Path, size: tuple[int, int]) -> None:
    app = NotedApp(make_services(tmp_path, full_run_models()))
    assert snap_compare(app, terminal_size=size, run_before=steered(to_history))


@pytest.fixture
def two_runs(katan: KatanFactory, tmp_path: Path) -> Path:
    """Two finished runs under the runs folder, named by hand (run names hold times)."""
    base = katan()
    echo_run(tmp_path / "runs" / "full", base, 1, tmp_path / "full.jsonl")
    echo_run(tmp_path / "runs" / "half", base, 2, tmp_path / "half.jsonl")
    return tmp_path


@pytest.mark.server
@pytest.mark.parametrize("size", SIZES)
def test_bench(snap_compare: SnapCompare, two_runs: Path, size: tuple[int, int]) -> None:
    app = NotedApp(make_services(two_runs, full_run_models()))

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.press("f2")
        await settle(pilot)
        await pilot.click("#bench-runs")
        await pilot.press("home", "enter")
        await settle(pilot)
        await steady(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.server
@pytest.mark.parametrize("size", SIZES)
def test_compare(snap_compare: SnapCompare, two_runs: Path, size: tuple[int, int]) -> None:
    app = NotedApp(make_services(two_runs, full_run_models()))

    async def run_before(pilot: Pilot[None]) -> None:
        await pilot.press("f3")
        await settle(pilot)
        runs = pilot.app.screen.query_one("#compare-runs")
        runs.select_all()  # type: ignore[attr-defined]
        await settle(pilot)
        await steady(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)

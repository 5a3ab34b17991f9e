"""The Bench screen against the real harness and llm-katan's echo server: a tiny run fills the
live table and writes its folder; cancelling leaves it interrupted, ctrl+g resumes it; a bad
spec, a server that is down and a folder that is not a run are notifications, not crashes."""

from __future__ import annotations

import asyncio
import re
import threading
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, SelectionList

from codesteer.local.harness import Bench, RunDir
from codesteer.tui.screens.bench import BenchScreen
from tests.local.harness.helpers import echo_items
from tests.servers import KatanFactory, closed_port, make_config
from tests.tui.fakes import Models, make_services
from tests.tui.helpers import (
    NotedApp,
    echo_config,
    katan_config_text,
    katan_spec,
    settle,
    unstarted_run,
    wait_for,
)

SIZE = (120, 40)
RUN_NAME = re.compile(r"\d{8}-\d{6}-only-question(-\d+)?")


def make_app(tmp_path: Path, task_model: str) -> NotedApp:
    services = make_services(tmp_path, Models({}), config_text=katan_config_text(task_model))
    return NotedApp(services)


async def open_bench(pilot: Pilot[None]) -> BenchScreen:
    await pilot.app.switch_mode("bench")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, BenchScreen)
    return screen


def fill_form(screen: BenchScreen, tasks: list[str], n: int) -> None:
    task_list: SelectionList[str] = screen.query_one("#bench-tasks", SelectionList)
    task_list.deselect_all()
    for task in tasks:
        task_list.select(task)
    modes: SelectionList[str] = screen.query_one("#bench-modes", SelectionList)
    modes.deselect_all()
    modes.select("only-question")
    screen.query_one("#bench-n", Input).value = str(n)


def table_rows(screen: BenchScreen) -> list[list[str]]:
    table = screen.query_one("#bench-table", DataTable)
    return [[str(cell) for cell in table.get_row(key)] for key in table.rows]


def run_folders(tmp_path: Path) -> list[Path]:
    runs = tmp_path / "runs"
    return sorted(runs.iterdir()) if runs.is_dir() else []


@pytest.mark.server
def test_a_tiny_run_fills_the_table_and_writes_its_folder(
    katan: KatanFactory, tmp_path: Path
) -> None:
    app = make_app(tmp_path, katan_spec(katan()))

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_bench(pilot)
            fill_form(screen, ["game24", "number_multiply"], 2)
            await pilot.press("ctrl+r")
            await settle(pilot)
            assert app.errors() == []
            rows = table_rows(screen)
            assert [row[0] for row in rows] == ["Game 24", "Number Multiply"]
            for _, score, done, mode in rows:
                assert done == "2/2" and mode == "only-question"
                assert re.fullmatch(r"\d+\.\d", score), score
            (folder,) = run_folders(tmp_path)
            assert RUN_NAME.fullmatch(folder.name)
            assert RunDir.read(folder).info.status == "complete"
            assert app.known_runs[folder.name] == folder.resolve()
            runs = screen.query_one("#bench-runs", OptionList)
            assert runs.get_option(str(folder.resolve())) is not None
            assert "complete" in str(runs.get_option(str(folder.resolve())).prompt)

    asyncio.run(main())


@pytest.mark.server
def test_two_modes_are_two_runs_one_after_the_other(katan: KatanFactory, tmp_path: Path) -> None:
    app = make_app(tmp_path, katan_spec(katan()))

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_bench(pilot)
            fill_form(screen, ["number_multiply"], 1)
            screen.query_one("#bench-modes", SelectionList).select("all-text")
            await pilot.press("ctrl+r")
            await settle(pilot)
            assert app.errors() == []
            assert [(row[0], row[2], row[3]) for row in table_rows(screen)] == [
                ("Number Multiply", "1/1", "only-question"),
                ("Number Multiply", "1/1", "all-text"),
            ]
            folders = run_folders(tmp_path)
            assert sorted(folder.name.split("-", 2)[2] for folder in folders) == [
                "all-text", "only-question"
            ]  # fmt: skip
            for folder in folders:
                info = RunDir.read(folder).info
                assert info.status == "complete" and info.config.n == 1
                assert app.known_runs[folder.name] == folder.resolve()

    asyncio.run(main())


@pytest.mark.server
def test_escape_leaves_the_run_interrupted_and_ctrl_g_resumes_it(
    katan: KatanFactory, tmp_path: Path
) -> None:
    slow = katan("--latency-ms", "600000")  # an item that never ends before Escape
    fast = katan()
    app = make_app(tmp_path, katan_spec(slow))
    waiting = tmp_path / "elsewhere" / "waiting"
    items = echo_items(tmp_path / "items.jsonl", 2)
    unstarted_run(waiting, echo_config(fast, items, 2))

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_bench(pilot)
            fill_form(screen, ["number_multiply"], 2)
            await pilot.press("ctrl+r")
            table = screen.query_one("#bench-table", DataTable)
            await wait_for(pilot, lambda: table.row_count == 1, "the run's row")
            await pilot.press("escape")
            await settle(pilot)
            assert not screen.running
            (folder,) = run_folders(tmp_path)
            assert RunDir.read(folder).info.status == "interrupted"

            # A run interrupted elsewhere: opened by path, then resumed where it stopped.
            box = screen.query_one("#bench-open", Input)
            box.value = str(waiting)
            box.focus()
            await pilot.press("enter")
            await settle(pilot)
            assert app.known_runs["waiting"] == waiting.resolve()
            assert table_rows(screen)[0][:3] == ["Number Multiply", "–", "0/2"]
            runs = screen.query_one("#bench-runs", OptionList)
            runs.highlighted = runs.get_option_index(str(waiting.resolve()))
            await pilot.press("ctrl+g")
            await settle(pilot)
            assert table_rows(screen) == [["Number Multiply", "50.0", "2/2", "only-question"]]
            assert RunDir.read(waiting).info.status == "complete"
            assert app.errors() == []

    asyncio.run(main())


@pytest.mark.server
def test_escape_while_the_run_opens_leaves_it_interrupted_and_unlocked(
    katan: KatanFactory, tmp_path: Path
) -> None:
    base = katan()
    app = make_app(tmp_path, katan_spec(base))
    items = echo_items(tmp_path / "items.jsonl", 2)
    path = tmp_path / "runs" / "opening"
    started, gate = threading.Event(), threading.Event()

    def slow_open() -> Bench:
        """Opens the run only once the test has pressed Escape."""
        started.set()
        gate.wait()
        return Bench.create(path, echo_config(base, items, 2), make_config())

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_bench(pilot)
            screen.start_runs([slow_open])
            await wait_for(pilot, started.is_set, "the run opening")
            await pilot.press("escape")
            gate.set()
            await settle(pilot)
            info = RunDir.read(path).info
            assert info.status == "interrupted" and info.done == 0
            RunDir.open(path).close()  # its lock was released
            assert app.errors() == []

    asyncio.run(main())


def test_a_bad_spec_is_a_notification_and_writes_nothing(tmp_path: Path) -> None:
    app = make_app(tmp_path, "bogus:thing")

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_bench(pilot)
            fill_form(screen, ["game24"], 1)
            await pilot.press("ctrl+r")
            await settle(pilot)
            assert any("bogus:thing" in text for text in app.errors()), app.notes
            assert run_folders(tmp_path) == []
            # Still usable: a mode that needs a steerer is refused before anything runs.
            modes: SelectionList[str] = screen.query_one("#bench-modes", SelectionList)
            modes.select("codesteer")
            await pilot.press("ctrl+r")
            await settle(pilot)
            assert any("needs a steering model" in text for text in app.errors()), app.notes
            assert run_folders(tmp_path) == []

    asyncio.run(main())


def test_a_server_that_is_down_fails_the_run_with_a_notification(tmp_path: Path) -> None:
    app = make_app(tmp_path, f"openai:m@http://127.0.0.1:{closed_port()}/v1")

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_bench(pilot)
            fill_form(screen, ["number_multiply"], 2)
            await pilot.press("ctrl+r")
            await settle(pilot)
            (folder,) = run_folders(tmp_path)
            assert RunDir.read(folder).info.status == "failed"
            assert any("failed" in text for text in app.errors()), app.notes
            assert table_rows(screen)[0][1:3] == ["–", "2/2"]
            await pilot.press("ctrl+b")  # the app still answers
            assert screen.query_one("#bench-form").has_class("-hidden")

    asyncio.run(main())


def test_opening_a_folder_that_is_not_a_run_is_a_notification(tmp_path: Path) -> None:
    app = make_app(tmp_path, "task")
    stray = tmp_path / "not-a-run"
    stray.mkdir()

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_bench(pilot)
            box = screen.query_one("#bench-open", Input)
            for path in (stray, tmp_path / "absent"):
                box.value = str(path)
                box.focus()
                await pilot.press("enter")
                await settle(pilot)
            errors = app.errors()
            assert any("not a codesteer run folder" in text for text in errors), app.notes
            assert any("no such run folder" in text for text in errors), app.notes
            assert app.known_runs == {}
            assert box.value == str(tmp_path / "absent")  # kept, to be corrected

    asyncio.run(main())


def test_runs_in_the_runs_folder_are_listed_at_mount(tmp_path: Path) -> None:
    items = echo_items(tmp_path / "items.jsonl", 2)
    config = echo_config("http://127.0.0.1:9", items, 2)
    first = unstarted_run(tmp_path / "runs" / "first", config)
    unstarted_run(tmp_path / "elsewhere" / "first", config)
    (tmp_path / "runs" / "stray").mkdir()
    app = make_app(tmp_path, "task")

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            screen = await open_bench(pilot)
            assert app.known_runs == {"first": first.resolve()}
            box = screen.query_one("#bench-open", Input)
            box.value = str(tmp_path / "elsewhere" / "first")
            box.focus()
            await pilot.press("enter")
            await settle(pilot)
            assert app.known_runs["elsewhere/first"] == (tmp_path / "elsewhere" / "first").resolve()
            runs = screen.query_one("#bench-runs", OptionList)
            labels = [str(option.prompt) for option in runs.options]
            assert labels == [
                "elsewhere/first · only-question · interrupted 0/2",
                "first · only-question · interrupted 0/2",
            ]

    asyncio.run(main())


def test_the_screen_fits_80_by_24(tmp_path: Path) -> None:
    app = make_app(tmp_path, "task")

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_bench(pilot)
            for selector in ("#bench-tasks", "#bench-table", "#bench-runs", "#bench-open",
                             "#bench-progress", "#bench-status"):  # fmt: skip
                region = screen.query_one(selector).region
                assert region.width > 0 and region.height > 0, selector
                assert region.right <= 80 and region.bottom <= 23, selector
            await pilot.press("ctrl+b")
            assert screen.query_one("#bench-table").region.width > 70

    asyncio.run(main())

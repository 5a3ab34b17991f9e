"""The History screen over a real SQLite file: runs persist across app restarts, and can be
reopened, re-run, exported and deleted from the screen."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from textual.widgets import DataTable, Input

from codesteer.local.scripted import ScriptedBackend
from codesteer.tui import CodesteerApp, Services
from codesteer.tui.screens.history import HistoryScreen
from codesteer.tui.screens.steer import SteerScreen
from codesteer.tui.widgets.conversation import FinalPanel, RoundCard
from tests.tui.fakes import (
    CHECK_REPLY,
    QUESTION,
    STEER_RETURN,
    STEER_TEXT,
    TEXT_REPLY,
    Models,
    make_services,
)
from tests.tui.helpers import SIZE, ask, settle


def text_models() -> Models:
    return Models(
        {
            "task": lambda: ScriptedBackend([TEXT_REPLY, CHECK_REPLY]),
            "steer": lambda: ScriptedBackend([STEER_TEXT, STEER_RETURN]),
        }
    )


def run_once(services: Services, question: str) -> None:
    async def main() -> None:
        async with CodesteerApp(services).run_test(size=SIZE) as pilot:
            await ask(pilot, question)
            await settle(pilot)

    asyncio.run(main())


def test_runs_persist_across_restarts_and_reopen_as_they_happened(tmp_path: Path) -> None:
    services = make_services(tmp_path, text_models())
    run_once(services, QUESTION)
    run_once(services, "What is 2 + 2? Answer as <<<N>>>.")
    assert services.history_file.is_file()

    app = CodesteerApp(services)

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f4")
            screen = app.screen
            assert isinstance(screen, HistoryScreen)
            table = screen.query_one(DataTable)
            assert table.row_count == 2
            assert [e.question for e in screen.entries] == [
                "What is 2 + 2? Answer as <<<N>>>.",
                QUESTION,
            ]
            # search narrows the list
            screen.query_one("#search", Input).value = "17"
            await pilot.pause()
            assert [e.question for e in screen.entries] == [QUESTION]
            table.focus()
            await pilot.press("enter")
            await pilot.pause()
            steer = app.screen
            assert isinstance(steer, SteerScreen)
            cards = list(steer.query(RoundCard))
            assert [card.index for card in cards] == [0, 1]
            assert cards[0].reply == TEXT_REPLY
            assert steer.query_one(FinalPanel).answer == "391"
            assert steer.query_one("#question", Input).value == QUESTION
            assert not steer.running  # reopening runs nothing

    asyncio.run(main())


def test_rerun_export_and_delete(tmp_path: Path) -> None:
    models = text_models()
    services = make_services(tmp_path, models)
    run_once(services, QUESTION)
    exported_md = tmp_path / "out" / "run.md"
    exported_json = tmp_path / "out" / "run.json"
    app = CodesteerApp(services)

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("f4")
            screen = app.screen
            assert isinstance(screen, HistoryScreen)
            screen.query_one(DataTable).focus()
            for key, path in (("m", exported_md), ("j", exported_json)):
                await pilot.press(key)
                await pilot.pause()
                box = app.screen.query_one("#prompt-input", Input)
                box.value = str(path)
                await pilot.press("enter")
                await app.workers.wait_for_complete()
                await pilot.pause()
            # re-run: the Steer screen runs the same request again
            opened = len(models.opened)
            await pilot.press("r")
            await settle(pilot)
            assert isinstance(app.screen, SteerScreen)
            assert len(models.opened) == opened + 2
            await pilot.press("f4")
            await pilot.pause()
            assert screen.query_one(DataTable).row_count == 2
            # delete asks first; "n" keeps it, "y" deletes it
            screen.query_one(DataTable).focus()
            await pilot.press("d", "n")
            await pilot.pause()
            assert screen.query_one(DataTable).row_count == 2
            await pilot.press("d", "y")
            await pilot.pause()
            assert screen.query_one(DataTable).row_count == 1

    asyncio.run(main())
    markdown = exported_md.read_text(encoding="utf-8")
    assert QUESTION in markdown and "391" in markdown
    assert json.loads(exported_json.read_text(encoding="utf-8"))["question"] == QUESTION

    async def reopened() -> int:
        async with CodesteerApp(services).run_test(size=SIZE) as pilot:
            await pilot.press("f4")
            return app_rows(pilot.app)

    assert asyncio.run(reopened()) == 1


def app_rows(app: CodesteerApp) -> int:
    return app.screen.query_one(DataTable).row_count


def test_a_broken_history_file_is_a_notification_and_runs_still_work(tmp_path: Path) -> None:
    services = make_services(tmp_path, text_models())
    services.history_file.parent.mkdir(parents=True)
    services.history_file.write_bytes(b"this is not sqlite" * 100)
    app = CodesteerApp(services)

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            assert any("history" in n.title.lower() for n in app._notifications)
            screen = await ask(pilot, QUESTION)
            await settle(pilot)
            assert screen.query_one(FinalPanel).answer == "391"

    asyncio.run(main())
    assert services.history_file.read_bytes() == b"this is not sqlite" * 100

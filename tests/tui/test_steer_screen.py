"""The Steer screen with scripted models and a fake sandbox: a whole run rendered round by
round, cancelling, failures as notifications, settings and history that persist."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from textual.widgets import Input, Select

from codesteer.local.backends import Backend, open_backend
from codesteer.local.protocol import Action
from codesteer.local.scripted import ScriptedBackend
from codesteer.local.session import open_sandbox
from codesteer.symbench import get_task
from codesteer.tui.history import History
from codesteer.tui.screens.prompt import ConfirmScreen
from codesteer.tui.widgets.conversation import FinalPanel, QuestionCard, RoundCard
from codesteer.tui.widgets.status_line import StatusLine
from tests.servers import closed_port
from tests.tui.fakes import (
    CHECK_REPLY,
    CODE_REPLY,
    QUESTION,
    STEER_CODE,
    STEER_RETURN,
    STEER_TEXT,
    TEXT_REPLY,
    FakeSandbox,
    GatedBackend,
    Models,
    full_run_models,
    make_services,
)
from tests.tui.helpers import SIZE, NotedApp, ask, settle, wait_for


def test_a_full_run_renders_every_round_in_order(tmp_path: Path) -> None:
    models = full_run_models()
    sandbox = FakeSandbox()
    app = NotedApp(make_services(tmp_path, models, sandbox))

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            screen = await ask(pilot, QUESTION)
            await settle(pilot)
            question = screen.query_one(QuestionCard)
            assert QUESTION in str(question.render())
            cards = list(screen.query(RoundCard))
            assert [card.index for card in cards] == [0, 1, 2]
            decisions = [card.decision for card in cards]
            assert decisions == [Action.CODE, Action.TEXT, Action.RETURN_ANSWER]
            assert cards[0].reply == CODE_REPLY and cards[1].reply == TEXT_REPLY
            assert cards[0].code is not None and "17 * 23" in cards[0].code
            sandbox_text = str(cards[0].query_one("#sandbox").render())
            assert "sandbox: ok, exit 0" in sandbox_text and "<<<391>>>" in sandbox_text
            checks = str(cards[0].query_one("#checks").render())
            assert "symbolic check" in checks and "self-check: correct" in checks
            assert not cards[2].query_one("#reply").display  # the run ended there
            final = screen.query_one(FinalPanel)
            assert final.answer == "391"
            status = screen.query_one(StatusLine)
            assert status.state == "done" and status.round == 2
            assert status.sandbox_level == "bubblewrap"
            assert status.usage.completion_tokens > 0
            # the cards are in the conversation in the order the events came
            order = [type(w).__name__ for w in screen.query_one("#conversation").children]
            assert order[:5] == ["QuestionCard", *["RoundCard"] * 3, "FinalPanel"]
            assert screen.last_transcript is not None
            assert screen.last_transcript.stop_reason == "return_answer"

    asyncio.run(main())
    assert sandbox.closed and len(sandbox.codes) == 3  # the answer's code and two checkers


def test_a_symbench_item_is_graded(tmp_path: Path) -> None:
    item = get_task("number_multiply").generate(0, 0, None)
    models = Models(
        {
            "task": lambda: ScriptedBackend([f"<<<{item.answer}>>>"]),
            "steer": lambda: ScriptedBackend(["Decision: Text\nGuidance: think"]),
        }
    )
    config = 'rounds = 0\n[models]\ntask = "task"\nsteerer = "steer"\n'
    app = NotedApp(make_services(tmp_path, models, config_text=config))

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            box = screen.query_one("#question", Input)
            box.value = "my own question"
            screen.query_one("#symbench-task", Select).value = "number_multiply"
            await pilot.pause()
            assert box.disabled
            # the picked item's question is shown before it runs, and follows seed and index
            assert box.value == " ".join(item.question.split())
            screen.query_one("#index", Input).value = "1"
            await pilot.pause()
            other = get_task("number_multiply").generate(0, 1, None)
            assert other.question != item.question
            assert box.value == " ".join(other.question.split())
            screen.query_one("#index", Input).value = "0"
            await pilot.pause()
            await pilot.press("ctrl+r")
            await settle(pilot)
            final = screen.query_one(FinalPanel)
            assert final.answer == str(item.answer)
            assert "correct" in str(final.render()) and final.has_class("correct")
            assert screen.last_transcript is not None and screen.last_transcript.item is not None
            assert screen.last_transcript.item.task == "number_multiply"
            # unpicking the item gives back what was typed
            screen.query_one("#symbench-task", Select).value = Select.NULL
            await pilot.pause()
            assert not box.disabled and box.value == "my own question"

    asyncio.run(main())


def test_escape_cancels_a_model_call_and_the_app_goes_on(tmp_path: Path) -> None:
    gated: list[GatedBackend] = []

    def task() -> Backend:
        backend = GatedBackend([CODE_REPLY], at=0)
        gated.append(backend)
        return backend

    models = Models({"task": task, "steer": lambda: ScriptedBackend([STEER_CODE])})
    app = NotedApp(make_services(tmp_path, models))

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            screen = await ask(pilot, QUESTION)
            await wait_for(pilot, lambda: bool(gated) and gated[0].waiting.is_set(), "a model call")
            assert screen.running
            await pilot.press("escape")
            await settle(pilot)
            assert gated[0].cancelled
            assert not screen.running
            assert screen.query_one(StatusLine).state == "cancelled"
            stop = screen.query(".stop").last()
            assert "cancelled" in str(stop.render())
            assert screen.last_transcript is not None
            assert screen.last_transcript.stop_reason == "cancelled"
            # the app is still usable: the next run goes through
            models.factories["task"] = lambda: ScriptedBackend([TEXT_REPLY, CHECK_REPLY])
            models.factories["steer"] = lambda: ScriptedBackend([STEER_TEXT, STEER_RETURN])
            await ask(pilot, QUESTION)
            await settle(pilot)
            assert screen.query_one(FinalPanel).answer == "391"
            assert app.history is not None
            ends = [entry.stop_reason for entry in app.history.list()]
            assert ends == ["return_answer", "cancelled"]  # newest first

    asyncio.run(main())


def test_escape_kills_the_sandboxed_program(tmp_path: Path) -> None:
    sandbox = FakeSandbox(block=True)
    app = NotedApp(make_services(tmp_path, full_run_models(), sandbox))

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            screen = await ask(pilot, QUESTION)
            await wait_for(pilot, sandbox.started.is_set, "a sandbox run")
            await pilot.press("escape")
            await settle(pilot)
            assert screen.query_one(StatusLine).state == "cancelled"

    asyncio.run(main())
    assert sandbox.cancelled and sandbox.closed


def test_a_server_that_is_down_is_a_notification(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    services = make_services(
        tmp_path,
        full_run_models(),
        config_text=f'rounds = 1\n[models]\ntask = "openai:m@{url}"\nsteerer = "none"\n'
        "[backends]\nretries = 0\ntimeout_s = 5\n",
    )
    services = dataclasses.replace(services, backends=open_backend)
    app = NotedApp(services)

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            screen = await ask(pilot, QUESTION)
            await settle(pilot)
            assert any("127.0.0.1" in text for text in app.errors())
            assert screen.query_one(StatusLine).state == "failed"
            # still responsive: the form works and another screen opens
            await pilot.press("f4")
            assert app.current_mode == "history"

    asyncio.run(main())


def test_a_missing_gguf_is_a_notification(tmp_path: Path) -> None:
    services = make_services(
        tmp_path,
        full_run_models(),
        config_text=f'[models]\ntask = "llamacpp:{tmp_path / "nope.gguf"}"\nsteerer = "none"\n',
    )
    services = dataclasses.replace(services, backends=open_backend, sandboxes=open_sandbox)
    app = NotedApp(services)

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await ask(pilot, QUESTION)
            await settle(pilot)
            assert any("nope.gguf" in text for text in app.errors())

    asyncio.run(main())


def test_copy_keys_and_export_from_the_command_palette(tmp_path: Path) -> None:
    app = NotedApp(make_services(tmp_path, full_run_models()))
    exported = tmp_path / "exports" / "run.md"

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            screen = await ask(pilot, QUESTION)
            await settle(pilot)
            first = screen.query(RoundCard).first()
            first.focus()
            await pilot.press("y")
            assert app.clipboard == "print(f'<<<{17 * 23}>>>')\n"
            await pilot.press("c")
            assert app.clipboard == CODE_REPLY
            screen.query_one(FinalPanel).focus()
            await pilot.press("c")
            assert app.clipboard == "391"
            # a text round has no code to copy: a warning, and the clipboard is left alone
            screen.query(RoundCard)[1].focus()
            await pilot.press("y")
            assert app.clipboard == "391"
            await pilot.press("ctrl+p")
            await pilot.press(*"Export this run as Markdown")
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            app.screen.query_one("#prompt-input", Input).value = str(exported)
            await pilot.press("enter")
            await settle(pilot)

    asyncio.run(main())
    text = exported.read_text(encoding="utf-8")
    assert QUESTION in text and "391" in text
    assert any("no code" in note for _, note in app.notes)


def test_quitting_during_a_run_asks_first(tmp_path: Path) -> None:
    gated: list[GatedBackend] = []

    def task() -> Backend:
        gated.append(GatedBackend([CODE_REPLY], at=0))
        return gated[-1]

    models = Models({"task": task, "steer": lambda: ScriptedBackend([STEER_CODE])})
    app = NotedApp(make_services(tmp_path, models))

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            screen = await ask(pilot, QUESTION)
            await wait_for(pilot, lambda: bool(gated) and gated[0].waiting.is_set(), "a call")
            await pilot.press("ctrl+q")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmScreen)
            await pilot.press("n")
            await pilot.pause()
            assert app.screen is screen and screen.running and not app.exit_asked
            await pilot.press("ctrl+q")
            await pilot.pause()
            await pilot.press("y")
            await pilot.pause()
            assert app.exit_asked

    asyncio.run(main())
    assert gated[0].cancelled  # quitting cancelled the model call
    with History(app.services.history_file) as history:
        assert [entry.stop_reason for entry in history.list()] == ["cancelled"]  # remembered


def test_quitting_when_idle_does_not_ask(tmp_path: Path) -> None:
    app = NotedApp(make_services(tmp_path, full_run_models()))

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("ctrl+q")
            await pilot.pause()
            assert app.exit_asked and not isinstance(app.screen, ConfirmScreen)

    asyncio.run(main())

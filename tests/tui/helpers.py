"""What the TUI's pilot tests share: an app that keeps every notification (the toasts expire
on a clock), run folders made by the real harness against llm-katan's echo server, and waiting
on conditions rather than clocks."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

from textual.notifications import SeverityLevel
from textual.pilot import Pilot
from textual.widgets import Input
from textual.worker import WorkerCancelled

import codesteer.tui.app as app_module
from codesteer.local.harness import Bench, BenchConfig, Mode, RunDir, RunInfo, plan_items
from codesteer.tui import CodesteerApp, Services
from codesteer.tui.screens.steer import SteerScreen
from tests.local.harness.helpers import echo_items
from tests.servers import make_config

__all__ = [
    "SIZE",
    "NotedApp",
    "ask",
    "echo_config",
    "echo_run",
    "katan_config_text",
    "katan_spec",
    "settle",
    "unstarted_run",
    "wait_for",
]


#: The terminal of the pilot tests that do not test a size.
SIZE = (100, 40)


async def ask(pilot: Pilot[None], question: str) -> SteerScreen:
    """Type ``question`` on the Steer screen and press Enter."""
    screen = pilot.app.screen
    assert isinstance(screen, SteerScreen)
    box = screen.query_one("#question", Input)
    box.value = question
    box.focus()
    await pilot.press("enter")
    return screen


class NotedApp(CodesteerApp):
    """The app, keeping each notification as ``(severity, "title: message")``."""

    # A subclass's relative CSS_PATH would be looked up next to this file.
    CSS_PATH = str(Path(app_module.__file__).with_name("codesteer.tcss"))

    def __init__(self, services: Services, *, demo: bool = False) -> None:
        super().__init__(services, demo=demo)
        self.notes: list[tuple[str, str]] = []
        #: Whether the app asked to exit (a key did, not the end of the test).
        self.exit_asked = False

    def exit(self, *args: Any, **kwargs: Any) -> None:
        self.exit_asked = True
        super().exit(*args, **kwargs)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        self.notes.append((severity, f"{title}: {message}"))
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def errors(self) -> list[str]:
        return [text for severity, text in self.notes if severity == "error"]


def katan_spec(base: str) -> str:
    return f"openai:katan-echo@{base}/v1"


def katan_config_text(task_model: str) -> str:
    """A config whose task model is ``task_model``, with no steerer and no retries."""
    return (
        f'rounds = 2\n[models]\ntask = "{task_model}"\nsteerer = "none"\n'
        "[backends]\nretries = 0\ntimeout_s = 120\n"
    )


def echo_config(base: str, items: Path, n: int) -> BenchConfig:
    return BenchConfig(
        tasks=("number_multiply",), n=n, mode=Mode.ONLY_QUESTION, source="file",
        source_path=str(items), task_model=katan_spec(base), steerer=None,
    )  # fmt: skip


def echo_run(path: Path, base: str, n: int, items: Path) -> Path:
    """A complete run of ``n`` number_multiply items (written to ``items``) that the echo
    server answers: the even ones right, the odd ones wrong (n=1: 100.0, n=2: 50.0)."""
    echo_items(items, n)
    bench = Bench.create(path, echo_config(base, items, n), make_config())
    asyncio.run(bench.run())
    return path


def unstarted_run(path: Path, config: BenchConfig) -> Path:
    """A run folder left ``interrupted`` before its first item: resumable, nothing done."""
    info = RunInfo(config=config, started_at="2025-01-01T00:00:00+00:00", status="interrupted")
    RunDir.create(path, info, plan_items(config)).close()
    return path


async def wait_for(pilot: Pilot[None], condition: Callable[[], bool], what: str) -> None:
    """Until ``condition`` holds, letting the app and its threads run. Waits on the app's
    workers, not on a clock: once none is left running and the condition still fails, what
    was awaited can no longer happen."""
    while not condition():
        if all(worker.is_finished for worker in pilot.app.workers):
            await settle(pilot)  # what the last worker posted
            if condition():
                return
            raise AssertionError(f"never happened: {what} (nothing runs any more)")
        await pilot.pause(0.05)


async def settle(pilot: Pilot[None]) -> None:
    """Let every worker end (an exclusive one may be cancelled by its successor) and every
    message it posted be handled."""
    for _ in range(100):
        active = [worker for worker in pilot.app.workers if not worker.is_finished]
        if not active:
            break
        with suppress(WorkerCancelled):
            await pilot.app.workers.wait_for_complete(active)
    for _ in range(5):
        await pilot.pause()

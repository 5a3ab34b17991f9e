"""The codesteer terminal app: four screens (Steer, Bench, Compare, History) as app modes over
one :class:`~codesteer.tui.services.Services`.

The app renders the runtime's events and the harness's files; it holds no steering logic.
Settings persist in the user's config file; every binding has an id (``[tui.keys]`` remaps it);
rare actions live in the command palette (ctrl+p).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from contextlib import suppress
from functools import partial
from pathlib import Path

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen
from textual.signal import Signal
from textual.worker import WorkerCancelled, WorkerFailed

from codesteer.errors import CodesteerError
from codesteer.local.session import RunRequest
from codesteer.local.transcript import Transcript, write_transcript
from codesteer.local.transcript_markdown import write_transcript_markdown
from codesteer.tui.history import History
from codesteer.tui.runs import RunRecord, run_name, survey
from codesteer.tui.screens.bench import BenchScreen
from codesteer.tui.screens.compare import CompareScreen
from codesteer.tui.screens.history import HistoryScreen
from codesteer.tui.screens.prompt import ConfirmScreen, PromptScreen
from codesteer.tui.screens.steer import SteerScreen
from codesteer.tui.services import Services
from codesteer.tui.settings import save_settings

__all__ = ["DEMO_QUESTION", "CodesteerApp", "binding_table"]

#: What ``codesteer tui --demo`` asks the offline default models, at once.
DEMO_QUESTION = "What is 17 * 23 + 4? Give the final answer as <<<number>>>."


class CodesteerApp(App[None]):
    TITLE = "codesteer"
    CSS_PATH = "codesteer.tcss"
    MODES = {
        "steer": SteerScreen,
        "bench": BenchScreen,
        "compare": CompareScreen,
        "history": HistoryScreen,
    }
    DEFAULT_MODE = "steer"
    BINDINGS = [
        Binding("f1", "switch_mode('steer')", "Steer", id="app.steer"),
        Binding("f2", "switch_mode('bench')", "Bench", id="app.bench"),
        Binding("f3", "switch_mode('compare')", "Compare", id="app.compare"),
        Binding("f4", "switch_mode('history')", "History", id="app.history"),
    ]

    def __init__(self, services: Services, *, demo: bool = False) -> None:
        super().__init__()
        self.services = services
        self.demo = demo
        #: Run folders known to this session (the runs dir's, and those opened by path).
        self.known_runs: dict[str, Path] = {}
        self.history: History | None = None
        #: The model specs that resolve here (``codesteer models``), listed once at start.
        self.model_specs: list[str] = []
        #: Published once the listing is in; the screens with model pickers subscribe.
        self.models_listed: Signal[list[str]] = Signal(self, "models-listed")

    # -- start-up -------------------------------------------------------------------------------

    def on_mount(self) -> None:
        config = self.services.config
        if config.tui.theme in self.available_themes:
            self.theme = config.tui.theme
        else:
            theme = config.tui.theme
            self.notify(f"unknown theme {theme!r} in the config", severity="warning", markup=False)
        if config.tui.keys:
            unknown = sorted(set(config.tui.keys) - {row["id"] for row in binding_table()})
            if unknown:
                self.notify(
                    f"unknown binding ids in [tui.keys]: {', '.join(unknown)}; "
                    "`codesteer tui --keys` lists them",
                    severity="warning",
                    markup=False,
                )
            self.set_keymap(config.tui.keys)
        try:
            self.history = History(self.services.history_file, now=self.services.now)
        except CodesteerError as exc:
            self.notify(
                f"{exc}\nRuns will not be remembered this session.",
                title="History unavailable",
                severity="error",
                markup=False,
            )
        self._list_models()
        if self.demo:
            self.call_after_refresh(self._start_demo)

    @work(thread=True, exit_on_error=False, group="models")
    def _list_models(self) -> None:
        """Servers are probed in a thread: a dead host must not hold the app."""
        try:
            entries = self.services.models(self.services.config)
        except Exception as exc:  # the listing is a comfort; the configured specs still work
            self.call_from_thread(
                self.notify, f"could not list models: {exc}", severity="warning", markup=False
            )
            return
        self.call_from_thread(self._offer_models, [entry.spec for entry in entries])

    def _offer_models(self, specs: list[str]) -> None:
        self.model_specs = specs
        self.models_listed.publish(specs)

    def _start_demo(self) -> None:
        screen = self.screen
        if isinstance(screen, SteerScreen):
            screen.query_one("#question").value = DEMO_QUESTION  # type: ignore[attr-defined]
            screen.action_run()

    def watch_theme(self, theme: str) -> None:
        if self.is_running and theme != self.services.config.tui.theme:
            self.save({"tui.theme": theme})

    # -- shared services for the screens --------------------------------------------------------

    def save(self, changes: dict[str, object]) -> None:
        """Persist settings in the config file; a broken file is a notification, not a crash.
        A demo session leaves the file alone: its models are the demo's, not the user's."""
        if self.demo:
            return
        try:
            config = save_settings(self.services.config_file, changes)
        except CodesteerError as exc:
            self.notify(str(exc), title="Settings not saved", severity="error", markup=False)
            return
        self.services = self.services.with_config(config)

    def remember_settings(self, request: RunRequest) -> None:
        """A run's models and rounds become the defaults next time."""
        config = self.services.config
        changes: dict[str, object] = {}
        if request.task_model != config.models.task:
            changes["models.task"] = request.task_model
        if request.steerer != config.models.steerer:
            changes["models.steerer"] = request.steerer
        if request.rounds != config.rounds:
            changes["rounds"] = request.rounds
        if changes:
            self.save(changes)

    async def remember_run(self, request: RunRequest, transcript: Transcript) -> None:
        """Add a run to the history (in a thread: the disk may be slow)."""
        if self.history is None:
            return
        try:
            await asyncio.to_thread(self.history.add, request, transcript)
        except CodesteerError as exc:
            self.notify(str(exc), title="Run not saved", severity="error", markup=False)
            return
        for screen in self.screen_stack:
            if isinstance(screen, HistoryScreen):
                screen.reload()

    async def survey_runs(self) -> dict[Path, RunRecord]:
        """The run folders under the runs folder and those already known, read in a thread,
        each registered in :attr:`known_runs` under its name. A runs folder that cannot be
        read is a warning."""
        known = self.known_runs
        records, problem = await asyncio.to_thread(
            survey, self.services.runs_dir, list(known.values())
        )
        if problem is not None:
            self.notify(problem, title="Runs folder", severity="warning", markup=False)
        for path in records:
            known[run_name(known, path)] = path
        return records

    async def reopen(self, transcript: Transcript, request: RunRequest) -> None:
        await self.switch_mode("steer")
        screen = self.screen
        assert isinstance(screen, SteerScreen)
        await screen.show_transcript(transcript, request)

    async def rerun(self, request: RunRequest) -> None:
        await self.switch_mode("steer")
        screen = self.screen
        assert isinstance(screen, SteerScreen)
        screen.set_request(request)
        screen.start(request)

    async def action_quit(self) -> None:
        """Quit, asking first while a steering run or a benchmark goes (a benchmark can be
        resumed later, a steering run cannot)."""
        going = [w for w in self.workers if w.group in ("steer", "bench") and not w.is_finished]
        if not going or isinstance(self.screen, ConfirmScreen):
            self.exit()
            return
        what = " and ".join(
            sorted({"a benchmark" if w.group == "bench" else "a run" for w in going})
        )

        def answer(yes: bool | None) -> None:
            if yes:
                self.exit()

        self.push_screen(ConfirmScreen(f"{what.capitalize()} is going. Quit anyway?"), answer)

    # -- the command palette --------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if not isinstance(screen, SteerScreen):
            return
        yield SystemCommand(
            "Task model: use a spec",
            "Type any model spec (ollama:…, openai:…@URL, …)",
            partial(self._ask_spec, screen, "task"),
        )
        yield SystemCommand(
            "Steering model: use a spec",
            "Type any steering model spec, or none",
            partial(self._ask_spec, screen, "steerer"),
        )
        if screen.last_transcript is not None:
            yield SystemCommand(
                "Export this run as Markdown",
                "Write the shown run's transcript to a file",
                partial(self._export_shown, screen.last_transcript, "markdown"),
            )
            yield SystemCommand(
                "Export this run as JSON",
                "Write the shown run's transcript to a file",
                partial(self._export_shown, screen.last_transcript, "json"),
            )

    def _ask_spec(self, screen: SteerScreen, role: str) -> None:
        def use(spec: str | None) -> None:
            if spec:
                screen.use_spec(role, spec.strip())

        label = "task model" if role == "task" else "steering model"
        self.push_screen(PromptScreen(f"Model spec for the {label}", "ollama:qwen2.5:7b"), use)

    def _export_shown(self, transcript: Transcript, fmt: str) -> None:
        suffix = "md" if fmt == "markdown" else "json"
        default = str(Path.cwd() / f"codesteer-run.{suffix}")

        def write(path: str | None) -> None:
            if path:
                self.export(transcript, Path(path).expanduser(), fmt)

        self.push_screen(PromptScreen("Export to", default, value=default), write)

    def export(self, transcript: Transcript, path: Path, fmt: str) -> None:
        try:
            if fmt == "markdown":
                write_transcript_markdown(transcript, path)
            else:
                write_transcript(transcript, path)
        except CodesteerError as exc:
            self.notify(str(exc), title="Not exported", severity="error", markup=False)
            return
        self.notify(f"Wrote {path}", markup=False)

    async def on_unmount(self) -> None:
        # Runs end before the history closes: a steering run cut short by quitting is still
        # remembered, and a benchmark is left interrupted (resumable), its folder unlocked.
        going = [w for w in self.workers if w.group in ("steer", "bench") and not w.is_finished]
        for worker in going:
            worker.cancel()
        with suppress(WorkerCancelled, WorkerFailed):
            await self.workers.wait_for_complete(going)
        if self.history is not None:
            await asyncio.to_thread(self.history.close)


def binding_table() -> list[dict[str, str]]:
    """Every remappable binding: its id (a key of ``[tui.keys]``), default keys, what it does."""
    from codesteer.tui.widgets.conversation import FinalPanel, RoundCard

    owners: list[type[DOMNode]] = [CodesteerApp, SteerScreen, BenchScreen, CompareScreen]
    owners += [HistoryScreen, RoundCard, FinalPanel, PromptScreen, ConfirmScreen]
    rows = []
    for owner in owners:
        for binding in owner.BINDINGS:
            if isinstance(binding, Binding) and binding.id:
                rows.append(
                    {"id": binding.id, "keys": binding.key, "description": binding.description}
                )
    return rows

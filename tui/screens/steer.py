"""The Steer screen: ask a question (or pick a SymBench item), pick the models, and watch the
steering model guide the task model round by round.

The run happens in a Textual worker on the app's event loop; the models generate in their own
threads and the sandbox runs its process off the loop, so the screen never freezes. Escape
cancels the worker, which cancels the model call or kills the sandboxed process in flight.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, Select
from textual.worker import Worker, WorkerState

from codesteer.errors import CodesteerError
from codesteer.local.events import (
    Event,
    RoundStarted,
    RunFinished,
    RunStarted,
    SelfChecked,
    SteeringDecided,
    TaskReplied,
)
from codesteer.local.replay import replay
from codesteer.local.session import RunRequest, Session
from codesteer.local.transcript import Transcript
from codesteer.symbench import all_tasks, get_task
from codesteer.tui.widgets.conversation import Conversation
from codesteer.tui.widgets.model_picker import ModelPicker
from codesteer.tui.widgets.status_line import StatusLine

__all__ = ["SteerScreen"]


@dataclass
class RunEvent(Message):
    """One runtime event, posted from the run's worker to the screen that renders it."""

    event: Event


class SteerScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+r", "run", "Run", id="steer.run"),
        Binding("escape", "cancel", "Cancel", id="steer.cancel"),
        Binding("ctrl+l", "clear", "Clear", id="steer.clear", show=False),
        Binding("ctrl+o", "focus_question", "Question", id="steer.question", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.session: Session | None = None
        self.last_transcript: Transcript | None = None
        self._worker: Worker[None] | None = None
        #: What was typed in the question box before a SymBench item was picked.
        self._typed = ""

    # -- layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        config = self.app.services.config  # type: ignore[attr-defined]
        tasks = [(f"{task.title} ({task.name})", task.name) for task in all_tasks()]
        with Horizontal(classes="form-row"):
            yield Label("task", classes="form-label")
            yield ModelPicker(config.models.task, id="task-model")
            yield Label("steer", classes="form-label")
            yield ModelPicker(config.models.steerer, steerer=True, id="steerer")
            yield Label("rounds", classes="form-label")
            yield Input(str(config.rounds), type="integer", compact=True, id="rounds")
        with Horizontal(classes="form-row"):
            yield Label("item", classes="form-label")
            yield Select(tasks, prompt="(your own question)", compact=True, id="symbench-task")
            yield Label("seed", classes="form-label")
            yield Input("0", type="integer", compact=True, id="seed")
            yield Label("index", classes="form-label")
            yield Input("0", type="integer", compact=True, id="index")
        yield Input(
            placeholder="Ask a question (or pick a SymBench item above); Enter runs it",
            compact=True,
            id="question",
        )
        yield Conversation(id="conversation")
        yield StatusLine(self.app.services.clock, id="status")  # type: ignore[attr-defined]
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#question", Input).focus()
        self.add_models(self.app.model_specs)  # type: ignore[attr-defined]
        self.app.models_listed.subscribe(self, self.add_models)  # type: ignore[attr-defined]

    def add_models(self, specs: list[str]) -> None:
        """Offer ``specs`` in both model pickers (the app lists them once, in a thread)."""
        for picker in self.query(ModelPicker):
            picker.offer(specs)

    def use_spec(self, role: str, spec: str) -> None:
        """Pick ``spec`` as the task model (``role="task"``) or the steerer, offering it from
        now on (a spec typed in the command palette, or a past run's)."""
        picker = self.query_one("#task-model" if role == "task" else "#steerer", ModelPicker)
        picker.offer([spec], pick=spec)

    # -- what the user does ---------------------------------------------------------------------

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_run()

    @on(Select.Changed, "#symbench-task")
    def _item_picked(self, event: Select.Changed) -> None:
        question = self.query_one("#question", Input)
        picked = event.value is not Select.NULL
        if picked and not question.disabled:
            self._typed = question.value  # given back when the item is unpicked
        elif not picked and question.disabled:
            question.value = self._typed
        question.disabled = picked
        self._preview_item()

    @on(Input.Changed, "#seed, #index")
    def _preview_item(self) -> None:
        """Show the picked item's question (generated: pure and quick) in the question box."""
        task = self.query_one("#symbench-task", Select).value
        question = self.query_one("#question", Input)
        if task is Select.NULL:
            question.placeholder = "Ask a question (or pick a SymBench item above); Enter runs it"
            return
        try:
            seed = int(self.query_one("#seed", Input).value)
            index = int(self.query_one("#index", Input).value)
            item = get_task(str(task)).generate(seed, index, None)
        except (ValueError, CodesteerError):
            question.value = ""
            question.placeholder = "seed and index must be whole numbers"
            return
        question.value = " ".join(item.question.split())
        question.cursor_position = 0

    def action_focus_question(self) -> None:
        self.query_one("#question", Input).focus()

    def request(self) -> RunRequest | None:
        """The form as a request, or ``None`` (and a notification) when it is incomplete."""
        services = self.app.services  # type: ignore[attr-defined]
        numbers: dict[str, int] = {}
        for name in ("rounds", "seed", "index"):
            text = self.query_one(f"#{name}", Input).value.strip()
            try:
                numbers[name] = int(text)
            except ValueError:
                self.notify(f"{name} must be a whole number", severity="error")
                return None
        if not 0 <= numbers["rounds"] <= 50:
            self.notify("rounds must be between 0 and 50", severity="error")
            return None
        task = self.query_one("#symbench-task", Select).value
        question = self.query_one("#question", Input).value.strip()
        if task is Select.NULL and not question:
            self.notify("Type a question, or pick a SymBench item", severity="warning")
            return None
        return RunRequest(
            question=None if task is not Select.NULL else question,
            task=None if task is Select.NULL else str(task),
            seed=numbers["seed"],
            index=numbers["index"],
            task_model=self.query_one("#task-model", ModelPicker).spec,
            steerer=self.query_one("#steerer", ModelPicker).spec,
            rounds=numbers["rounds"],
            max_tokens=services.config.tui.max_tokens,
            sandbox_level=services.config.sandbox.level,
        )

    def set_request(self, request: RunRequest) -> None:
        """Fill the form with ``request`` (reopening or re-running a past run)."""
        self.use_spec("task", request.task_model)
        self.use_spec("steerer", request.steerer)
        self.query_one("#rounds", Input).value = str(request.rounds)
        self.query_one("#seed", Input).value = str(request.seed)
        self.query_one("#index", Input).value = str(request.index)
        # the item picker's change handler fills the box: the item's question, or this one
        self._typed = request.question or ""
        self.query_one("#question", Input).value = self._typed
        self.query_one("#symbench-task", Select).value = request.task or Select.NULL

    @property
    def running(self) -> bool:
        return self._worker is not None and self._worker.state in (
            WorkerState.PENDING,
            WorkerState.RUNNING,
        )

    def action_run(self) -> None:
        if self.running:
            self.notify("A run is going: Escape cancels it", severity="warning")
            return
        request = self.request()
        if request is not None:
            self.start(request)

    def start(self, request: RunRequest) -> None:
        self._worker = self._run(request)

    def action_cancel(self) -> None:
        if self.running:
            assert self._worker is not None
            self._worker.cancel()

    async def action_clear(self) -> None:
        if self.running:
            self.notify("Cancel the run first (Escape)", severity="warning")
            return
        await self.query_one(Conversation).clear()

    # -- the run --------------------------------------------------------------------------------

    @work(exclusive=True, group="steer", exit_on_error=False)
    async def _run(self, request: RunRequest) -> None:
        app = self.app
        services = app.services  # type: ignore[attr-defined]
        conversation = self.query_one(Conversation)
        status = self.query_one(StatusLine)
        await conversation.clear()
        status.start(request.rounds)
        session = Session(
            request, services.config, backends=services.backends, sandboxes=services.sandboxes
        )
        self.session = session
        state = "failed"
        try:
            await session.run(lambda event: self.post_message(RunEvent(event)))
            state = "done"
        except asyncio.CancelledError:
            state = "cancelled"
            raise
        except CodesteerError as exc:
            self.notify(str(exc), title="The run stopped", severity="error", markup=False)
        except Exception as exc:  # a bug must not take the app down with the user's session
            self.log.error(exc)
            self.notify(
                f"{type(exc).__name__}: {exc}",
                title="Unexpected error",
                severity="error",
                markup=False,
            )
        finally:
            status.stop(state)
            if state != "done" and session.transcript is not None:
                # The loop yields no RunFinished for a cancelled or failed run: say so here.
                self.post_message(RunEvent(RunFinished(session.transcript)))
            if session.transcript is not None:
                self.last_transcript = session.transcript
                await app.remember_run(request, session.transcript)  # type: ignore[attr-defined]
            if state == "done":
                app.remember_settings(request)  # type: ignore[attr-defined]

    async def on_run_event(self, message: RunEvent) -> None:
        await self.render_event(message.event)

    async def render_event(self, event: Event) -> None:
        status = self.query_one(StatusLine)
        if isinstance(event, RunStarted):
            status.sandbox_level = event.sandbox_level
        elif isinstance(event, RoundStarted):
            status.round = event.round
        elif isinstance(event, SteeringDecided | TaskReplied):
            status.add_usage(event.usage)
        elif isinstance(event, SelfChecked):
            status.add_usage(event.check.usage)
        status.refresh_line()
        await self.query_one(Conversation).show(event)

    async def show_transcript(self, transcript: Transcript, request: RunRequest) -> None:
        """Show a past run as it happened (from the history), without running anything."""
        if self.running:
            self.notify("Cancel the run first (Escape)", severity="warning")
            return
        self.set_request(request)
        await self.query_one(Conversation).clear()
        status = self.query_one(StatusLine)
        status.start(transcript.rounds_limit)
        for event in replay(transcript):
            await self.render_event(event)
        status.stop(f"past run ({transcript.stop_reason or 'unfinished'})", transcript.seconds)
        self.last_transcript = transcript

"""The Bench screen: choose tasks, N, seed, modes and models; run ``codesteer bench`` in the
background, one run folder per mode under the runs folder; watch each task's score and the
run's progress; open past runs (the runs folder's, or any RUN_DIR by path) and resume the
interrupted ones.

The harness does the work and writes the files; this screen renders its events. Opening a run
(planning items, hashing a GGUF file, opening the models) happens in a thread, the run itself
in a worker on the app's loop with the models in their own threads: the screen never freezes.
Escape cancels; the run is left ``interrupted`` and resumable.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import (
    Button,
    DataTable,
    Footer,
    Input,
    Label,
    OptionList,
    ProgressBar,
    Select,
    SelectionList,
    Static,
)
from textual.widgets.option_list import Option, OptionDoesNotExist
from textual.widgets.selection_list import Selection
from textual.worker import Worker, WorkerState

from codesteer.errors import CodesteerError
from codesteer.local.config import Config
from codesteer.local.harness import (
    Bench,
    BenchConfig,
    BenchEvent,
    BenchFinished,
    BenchStarted,
    ItemFinished,
    Mode,
    RunSummary,
    TaskSummary,
)
from codesteer.local.harness.report import score_text
from codesteer.local.session import NO_STEERER
from codesteer.symbench import Task, all_tasks, resolve_names
from codesteer.tui.runs import RunRecord, read_summary, run_label, run_name
from codesteer.tui.widgets.model_picker import ModelPicker

__all__ = ["BenchScreen"]

#: Quick picks for the task list: a :func:`~codesteer.symbench.resolve_names` spec each.
_TASK_PRESETS = [("all 37", "all"), ("seen", "seen"), ("unseen", "unseen"), ("none", "none")]


@dataclass
class BenchProgress(Message):
    """One harness event of the run in ``path``, posted from the run's worker."""

    path: Path
    event: BenchEvent


@dataclass
class Planning(Message):
    """The harness reads ``task``'s items (posted from the thread that opens a run)."""

    task: str


class BenchScreen(Screen[None]):
    BINDINGS = [
        Binding("ctrl+r", "start", "Start", id="bench.start"),
        Binding("escape", "cancel", "Cancel", id="bench.cancel"),
        Binding("ctrl+g", "resume", "Resume run", id="bench.resume"),
        Binding("ctrl+b", "toggle_form", "Form", id="bench.form"),
        Binding("ctrl+o", "focus_open", "Open run", id="bench.open", show=False),
    ]

    DEFAULT_CSS = """
    BenchScreen #bench-body { height: 1fr; }
    BenchScreen #bench-form {
        width: 36;
        height: 1fr;
        padding: 0 1 0 0;
        border-right: vkey $panel-lighten-2;
    }
    BenchScreen #bench-form.-hidden { display: none; }
    BenchScreen .bench-heading { color: $text-muted; margin: 1 0 0 1; }
    BenchScreen #bench-tasks { height: 10; }
    BenchScreen #bench-modes { height: auto; max-height: 5; }
    BenchScreen #bench-form .form-row Input { width: 7; }
    BenchScreen #bench-start { width: 1fr; margin: 1 1 0 1; }
    BenchScreen #bench-side { width: 1fr; }
    BenchScreen #bench-status { height: auto; max-height: 2; padding: 0 1; background: $panel; }
    BenchScreen #bench-progress { height: 1; width: 1fr; padding: 0 1; }
    BenchScreen #bench-progress Bar { width: 1fr; }
    BenchScreen #bench-table { height: 1fr; }
    BenchScreen #bench-runs { height: 6; }
    BenchScreen #bench-open { margin: 0 1; }
    """

    def __init__(self) -> None:
        super().__init__()
        self._worker: Worker[None] | None = None
        #: Row key -> (done, planned) of the runs this session runs.
        self._counts: dict[str, tuple[int, int]] = {}
        #: Whether the table shows this session's runs (and takes their new rows).
        self._live_view = True
        #: Runs whose first failed item was already notified.
        self._warned: set[Path] = set()

    # -- layout ---------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        config = self.app.services.config  # type: ignore[attr-defined]
        tasks = [Selection(task.title, task.name) for task in all_tasks()]
        modes = [Selection(mode.value, mode.value, mode is Mode.CODESTEER) for mode in Mode]
        with Horizontal(id="bench-body"):
            with VerticalScroll(id="bench-form"):
                with Horizontal(classes="form-row"):
                    yield Label("tasks", classes="form-label")
                    yield Select(_TASK_PRESETS, prompt="pick…", compact=True, id="bench-preset")
                yield SelectionList[str](*tasks, compact=True, id="bench-tasks")
                with Horizontal(classes="form-row"):
                    yield Label("n", classes="form-label")
                    yield Input("5", type="integer", compact=True, id="bench-n")
                    yield Label("seed", classes="form-label")
                    yield Input("0", type="integer", compact=True, id="bench-seed")
                with Horizontal(classes="form-row"):
                    yield Label("rounds", classes="form-label")
                    yield Input(str(config.rounds), type="integer", compact=True, id="bench-rounds")
                    yield Label("k", classes="form-label")
                    yield Input("1", type="integer", compact=True, id="bench-k")
                with Horizontal(classes="form-row"):
                    yield Label("max tokens", classes="form-label")
                    yield Input("1024", type="integer", compact=True, id="bench-max-tokens")
                yield Label("modes (one run each)", classes="bench-heading")
                yield SelectionList[str](*modes, compact=True, id="bench-modes")
                with Horizontal(classes="form-row"):
                    yield Label("task ", classes="form-label")
                    yield ModelPicker(config.models.task, id="bench-task-model")
                with Horizontal(classes="form-row"):
                    yield Label("steer", classes="form-label")
                    yield ModelPicker(config.models.steerer, steerer=True, id="bench-steerer")
                yield Button("Start (ctrl+r)", compact=True, variant="primary", id="bench-start")
            with Vertical(id="bench-side"):
                yield Static("No run yet: pick tasks and modes, then Start.", id="bench-status")
                yield ProgressBar(total=1, show_eta=True, id="bench-progress")
                yield DataTable(cursor_type="row", zebra_stripes=True, id="bench-table")
                yield Label("runs (Enter shows one; ctrl+g resumes it)", classes="bench-heading")
                yield OptionList(compact=True, id="bench-runs")
                yield Input(
                    placeholder="open a run folder: type its path, Enter",
                    compact=True,
                    id="bench-open",
                )
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#bench-table", DataTable)
        table.add_column("task", key="task", width=23)
        table.add_column("score", key="score", width=5)
        table.add_column("done", key="done", width=7)
        table.add_column("mode", key="mode")
        self.add_models(self.app.model_specs)  # type: ignore[attr-defined]
        self.app.models_listed.subscribe(self, self.add_models)  # type: ignore[attr-defined]

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        self.reload()

    def reload(self) -> None:
        """Find the run folders under the runs folder and relabel every known run."""
        self._survey()

    # -- the models and the runs list (read in threads) ---------------------------------------

    def add_models(self, specs: list[str]) -> None:
        """Offer ``specs`` in both model pickers (the app lists them once, in a thread)."""
        for picker in self.query(ModelPicker):
            picker.offer(specs)

    @work(exclusive=True, group="bench-survey", exit_on_error=False)
    async def _survey(self) -> None:
        records = await self.app.survey_runs()  # type: ignore[attr-defined]
        for path, record in records.items():
            self._show_record(path, record)

    def _show_record(self, path: Path, record: RunRecord) -> None:
        """Add or relabel ``path`` in the runs list (newest first)."""
        known: dict[str, Path] = self.app.known_runs  # type: ignore[attr-defined]
        runs = self.query_one("#bench-runs", OptionList)
        label = run_label(run_name(known, path), record)
        key = str(path)
        try:
            runs.get_option(key)
        except OptionDoesNotExist:  # a run new to this list goes on top
            highlighted = runs.highlighted
            options = [Option(label, id=key), *runs.options]
            runs.set_options(options)
            if highlighted is not None:
                runs.highlighted = highlighted + 1
            return
        runs.replace_option_prompt(key, label)

    def _register(self, path: Path) -> str:
        known: dict[str, Path] = self.app.known_runs  # type: ignore[attr-defined]
        name = run_name(known, path)
        known[name] = path
        return name

    # -- past runs --------------------------------------------------------------------------------

    @on(OptionList.OptionSelected, "#bench-runs")
    def _run_picked(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self._show_run(Path(event.option.id))

    @on(Input.Submitted, "#bench-open")
    def _open_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if text:
            self._show_run(Path(text).expanduser().resolve(), opened=True)

    def action_focus_open(self) -> None:
        self.query_one("#bench-open", Input).focus()

    @work(exclusive=True, group="bench-show", exit_on_error=False)
    async def _show_run(self, path: Path, *, opened: bool = False) -> None:
        """Show a run's per-task table as its files have it (a live run's stays live)."""
        try:
            info, summary = await asyncio.to_thread(read_summary, path)
        except CodesteerError as exc:
            self.notify(str(exc), title="Not a run", severity="error", markup=False)
            return
        name = self._register(path)
        self._show_record(path, info)
        if opened:
            self.query_one("#bench-open", Input).value = ""
        self._live_view = False
        table = self.query_one("#bench-table", DataTable)
        table.clear()
        self._add_rows(path, info.config.mode.value, summary.tasks)
        bar = self.query_one("#bench-progress", ProgressBar)
        bar.update(total=max(summary.planned, 1), progress=summary.done)
        self._status(f"{name} · {info.config.mode.value} · {info.status} · {_averages(summary)}")

    # -- the form -------------------------------------------------------------------------------

    @on(Select.Changed, "#bench-preset")
    def _preset_picked(self, event: Select.Changed) -> None:
        if event.value is Select.NULL:
            return
        tasks: SelectionList[str] = self.query_one("#bench-tasks", SelectionList)
        tasks.deselect_all()
        if event.value != "none":
            for task in resolve_names(str(event.value)):
                tasks.select(task.name)

    @on(Button.Pressed, "#bench-start")
    def _start_pressed(self) -> None:
        self.action_start()

    def configs(self) -> list[BenchConfig] | None:
        """The form as one config per chosen mode, or ``None`` (and a notification) when it
        cannot make a run."""
        services = self.app.services  # type: ignore[attr-defined]
        numbers: dict[str, int] = {}
        for name, label in (("n", "n"), ("seed", "seed"), ("rounds", "rounds"),
                            ("k", "k (items at once)"), ("max-tokens", "max tokens")):  # fmt: skip
            text = self.query_one(f"#bench-{name}", Input).value.strip()
            try:
                numbers[name] = int(text)
            except ValueError:
                self.notify(f"{label} must be a whole number", severity="error")
                return None
        if not 1 <= numbers["rounds"] <= 50:
            self.notify("rounds must be between 1 and 50", severity="error")
            return None
        if not 1 <= numbers["k"] <= 256:
            self.notify("k (items at once) must be between 1 and 256", severity="error")
            return None
        chosen_tasks = set(self.query_one("#bench-tasks", SelectionList).selected)
        tasks = tuple(task.name for task in all_tasks() if task.name in chosen_tasks)
        chosen_modes = set(self.query_one("#bench-modes", SelectionList).selected)
        modes = [mode for mode in Mode if mode.value in chosen_modes]
        if not tasks:
            self.notify("Pick at least one task", severity="warning")
            return None
        if not modes:
            self.notify("Pick at least one mode", severity="warning")
            return None
        task_model = self.query_one("#bench-task-model", ModelPicker).spec
        steerer = self.query_one("#bench-steerer", ModelPicker).spec
        configs = [
            BenchConfig(
                tasks=tasks,
                mode=mode,
                n=numbers["n"],
                seed=numbers["seed"],
                task_model=task_model,
                steerer=steerer if mode.steered and steerer.lower() != NO_STEERER else None,
                rounds=numbers["rounds"],
                max_tokens=numbers["max-tokens"],
                sandbox_level=services.config.sandbox.level,
                concurrency=numbers["k"],
            )
            for mode in modes
        ]
        try:  # every mode's settings, before the first run starts
            for config in configs:
                config.validate()
        except CodesteerError as exc:
            self.notify(str(exc), title="Run not started", severity="error", markup=False)
            return None
        return configs

    def action_toggle_form(self) -> None:
        self.query_one("#bench-form").toggle_class("-hidden")

    # -- running ----------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._worker is not None and self._worker.state in (
            WorkerState.PENDING,
            WorkerState.RUNNING,
        )

    def action_start(self) -> None:
        if self._refuse_while_running():
            return
        configs = self.configs()
        if configs is not None:
            app_config = self.app.services.config  # type: ignore[attr-defined]
            self.start_runs([partial(self._create, config, app_config) for config in configs])

    def action_resume(self) -> None:
        if self._refuse_while_running():
            return
        option = self.query_one("#bench-runs", OptionList).highlighted_option
        if option is None or option.id is None:
            self.notify("Highlight a run in the runs list to resume it", severity="warning")
            return
        app_config = self.app.services.config  # type: ignore[attr-defined]
        self.start_runs([partial(Bench.resume, Path(option.id), app_config)])

    def start_runs(self, openers: list[Callable[[], Bench]]) -> None:
        """Open (in a thread) and run each of ``openers``' runs in turn, in the background,
        showing them in the table; stop at the first that does not complete."""
        if self._refuse_while_running():
            return
        self.query_one("#bench-table", DataTable).clear()
        self._live_view = True
        self._worker = self._run_all(openers)

    def _refuse_while_running(self) -> bool:
        if self.running:
            self.notify("A run is going: Escape cancels it", severity="warning")
        return self.running

    def action_cancel(self) -> None:
        if self.running:
            assert self._worker is not None
            self._worker.cancel()

    def _create(self, config: BenchConfig, app_config: Config) -> Bench:
        """A new run folder for ``config`` (in a thread): ``<time>-<mode>`` under the runs
        folder, with a number added when that name is taken (nothing is overwritten)."""
        runs_dir: Path = self.app.services.runs_dir  # type: ignore[attr-defined]
        stem = f"{datetime.now().strftime('%Y%m%d-%H%M%S')}-{config.mode.value}"
        path, number = runs_dir / stem, 1
        while path.exists():
            number += 1
            path = runs_dir / f"{stem}-{number}"
        return Bench.create(path.resolve(), config, app_config, on_plan=self._planning)

    def _planning(self, task: Task[Any]) -> None:
        """Called in the thread that opens a run: ``post_message`` is thread-safe."""
        self.post_message(Planning(task.name))

    @work(exclusive=True, group="bench", exit_on_error=False)
    async def _run_all(self, openers: list[Callable[[], Bench]]) -> None:
        for open_bench in openers:
            self._status("reading items, opening the models…")
            bench = await self._open(open_bench)
            if bench is None or await self._run_one(bench) != "complete":
                return

    async def _open(self, open_bench: Callable[[], Bench]) -> Bench | None:
        opening = asyncio.ensure_future(asyncio.to_thread(open_bench))
        try:
            return await asyncio.shield(opening)
        except asyncio.CancelledError:
            # The thread cannot be stopped: let it finish, then leave its run interrupted.
            with suppress(Exception):
                await _interrupt(await opening)
            self._status("cancelled before the run started")
            raise
        except CodesteerError as exc:
            self._status("run not started")
            self.notify(str(exc), title="Run not started", severity="error", markup=False)
        except Exception as exc:  # a bug must not take the app down
            self.log.error(exc)
            self._status("run not started")
            self.notify(
                f"{type(exc).__name__}: {exc}", title="Unexpected error", severity="error",
                markup=False,
            )  # fmt: skip
        return None

    async def _run_one(self, bench: Bench) -> str:
        """Run ``bench`` to its end; return its status."""
        run_dir = bench.run_dir
        path = run_dir.path
        name = self._register(path)
        self._show_record(path, run_dir.info)
        if self._live_view:
            self._add_rows(path, bench.config.mode.value, bench.summary().tasks)
        try:
            await bench.run(lambda event: self.post_message(BenchProgress(path, event)))
        except asyncio.CancelledError:
            self._show_record(path, run_dir.info)
            self._status(f"{name}: interrupted; ctrl+g on it in the runs list resumes it")
            raise
        except CodesteerError as exc:
            self._show_record(path, run_dir.info)
            self.notify(str(exc), title="The run stopped", severity="error", markup=False)
            return "failed"
        except Exception as exc:  # a bug must not take the app down with the user's session
            self.log.error(exc)
            self._show_record(path, run_dir.info)
            self.notify(
                f"{type(exc).__name__}: {exc}", title="Unexpected error", severity="error",
                markup=False,
            )  # fmt: skip
            return "failed"
        info = run_dir.info
        self._show_record(path, info)
        if info.status == "failed":
            self.notify(
                f"{name} failed: {info.error}", title="Run failed", severity="error", markup=False
            )
        elif info.status == "complete":
            self.notify(f"{name} complete", markup=False)
        return info.status

    # -- rendering the harness's events ---------------------------------------------------------

    def on_planning(self, message: Planning) -> None:
        self._status(f"reading {message.task} items…")

    def on_bench_progress(self, message: BenchProgress) -> None:
        event, path = message.event, message.path
        known: dict[str, Path] = self.app.known_runs  # type: ignore[attr-defined]
        name = run_name(known, path)
        bar = self.query_one("#bench-progress", ProgressBar)
        if isinstance(event, BenchStarted):
            bar.update(total=None)  # a new total: the ETA starts afresh
            bar.update(total=event.total, progress=event.done)
            word = "resumed" if event.resumed else "running"
            self._status(f"{name} · {word} · sandbox {event.sandbox_level}")
        elif isinstance(event, ItemFinished):
            bar.update(progress=event.done)
            sample = event.sample
            key = _row_key(path, sample.task)
            done, planned = self._counts.get(key, (0, 0))
            self._counts[key] = (done + 1, planned)
            table = self.query_one("#bench-table", DataTable)
            if key in table.rows:
                table.update_cell(key, "done", f"{done + 1}/{planned}")
                table.update_cell(key, "score", score_text(event.task_score))
            self._status(f"{name} · {event.done}/{event.total} items")
            if sample.error is not None and path not in self._warned:
                self._warned.add(path)
                self.notify(
                    f"item {sample.item_id} failed: {sample.error}\n(recorded as an error, not "
                    "a wrong answer; the run goes on)",
                    title=name,
                    severity="warning",
                    markup=False,
                )
        elif isinstance(event, BenchFinished):
            self._status(f"{name} · {event.status} · {_averages(event.summary)}")

    def _add_rows(self, path: Path, mode: str, tasks: tuple[TaskSummary, ...]) -> None:
        table = self.query_one("#bench-table", DataTable)
        for task in tasks:
            key = _row_key(path, task.task)
            self._counts[key] = (task.done, task.planned)
            if key not in table.rows:
                table.add_row(
                    task.title, score_text(task.score), f"{task.done}/{task.planned}", mode,
                    key=key,
                )  # fmt: skip

    def _status(self, text: str) -> None:
        self.query_one("#bench-status", Static).update(text)


async def _interrupt(bench: Bench) -> None:
    """Start ``bench`` and cancel it at once: the harness then records it ``interrupted``
    (resumable) and closes its models and folder."""
    runner = asyncio.ensure_future(bench.run())
    await asyncio.sleep(0)  # let it start: a task cancelled before its first step runs nothing
    runner.cancel()
    with suppress(asyncio.CancelledError):
        await runner


def _row_key(path: Path, task: str) -> str:
    return f"{path}\n{task}"


def _averages(summary: RunSummary) -> str:
    total = summary.averages.get("total")
    return f"{summary.done}/{summary.planned} items · total average {score_text(total)}"

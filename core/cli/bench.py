"""``codesteer bench``: SymBench items through the runtime in one of the paper's modes, into a
resumable run folder; this module renders the harness's events and its summary."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import typer
from rich.progress import Progress, TaskID
from rich.text import Text

from codesteer.cli._console import err, print_json, progress
from codesteer.cli.report import render_comparison
from codesteer.errors import UserError
from codesteer.local.config import load_config
from codesteer.local.harness import (
    Bench,
    BenchConfig,
    BenchEvent,
    BenchStarted,
    ItemFinished,
    Mode,
    RunSummary,
)
from codesteer.local.harness.report import compare
from codesteer.symbench import resolve_names

__all__ = ["bench"]

_EXAMPLES = """
Examples:

  codesteer bench --tasks number_multiply,game24 --n 5 --mode codesteer --out runs/steered

  codesteer bench --tasks unseen --n 10 --mode only-question --task-model ollama:qwen2.5:7b \\
      --concurrency 4 --out runs/baseline

  codesteer bench --source original path/to/dataset_gather --tasks seen --n 20 --out runs/orig

  codesteer bench --complexity-sweep --n 5 --mode all-code --out runs/sweep

  codesteer bench --resume runs/steered

  codesteer report runs/baseline runs/steered --paper

Modes (the paper's columns): only-question, all-text, all-code (code runs in the sandbox),
code-text-choice (the steering model picks once), codesteer (the full loop).
Same --seed, same items, in every mode: runs compare item by item.
"""

_MODES = ", ".join(mode.value for mode in Mode)
_SOURCES = ("generated", "original", "file")


def bench(
    source_path: Path | None = typer.Argument(
        None,
        metavar="[PATH]",
        help="With --source original: the dataset_gather/ folder (or one written by `symbench "
        "import`); with --source file: a JSONL item file.",
        show_default=False,
    ),
    tasks_spec: str | None = typer.Option(
        None, "--tasks", help="all, seen, unseen or comma-separated names (default: all)"
    ),
    n: int | None = typer.Option(
        None, "--n", help="Items per task (per level in a sweep) (default: 5)"
    ),
    seed: int | None = typer.Option(
        None, "--seed", help="Which items: same seed, same items (default: 0)"
    ),
    complexity: int | None = typer.Option(
        None, "--complexity", "-c", help="One level for every task (default: the test mix)."
    ),
    sweep: bool | None = typer.Option(
        None,
        "--complexity-sweep",
        help="Each task at the levels of the paper's varied-complexity figure (default tasks: "
        "game24, number_multiply, letters, combinatorial_calculation).",
        show_default=False,
    ),
    source: str | None = typer.Option(
        None, "--source", metavar="generated|original|file", help="Where items come from."
    ),
    mode: str | None = typer.Option(
        None, "--mode", metavar="MODE", help=f"{_MODES} (default: codesteer)"
    ),
    task_model: str | None = typer.Option(
        None, "--task-model", "-m", metavar="SPEC", help="The answering model (default: config)."
    ),
    steerer: str | None = typer.Option(
        None, "--steerer", "-s", metavar="SPEC", help="The steering model (default: config)."
    ),
    rounds: int | None = typer.Option(
        None, "--rounds", "-r", min=1, max=50, help="Review rounds in codesteer mode (default: 5)"
    ),
    self_check: bool | None = typer.Option(
        None,
        "--self-check/--no-self-check",
        help="In codesteer mode, have the task model check its answers (default: on)",
        show_default=False,
    ),
    max_tokens: int | None = typer.Option(
        None, "--max-tokens", min=16, help="Longest task-model reply (default: 1024)"
    ),
    sandbox_level: str | None = typer.Option(
        None, "--sandbox-level", metavar="LEVEL", help="best, bubblewrap, namespaces, rlimits."
    ),
    concurrency: int | None = typer.Option(
        None, "--concurrency", "-k", min=1, max=256, help="Items run at once (default: 1)"
    ),
    out_dir: Path | None = typer.Option(
        None,
        "--out",
        "-o",
        metavar="RUN_DIR",
        help="A new (or empty) folder for the run (default: runs/MODE-TIME).",
    ),
    resume: Path | None = typer.Option(
        None,
        "--resume",
        metavar="RUN_DIR",
        help="Continue an interrupted run with its recorded settings (only --concurrency may "
        "change).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON on stdout."),
) -> None:
    """Run SymBench items through the steering runtime and score them with the deterministic
    verifiers, the way the paper's table does. Every finished item is written at once to
    RUN_DIR/samples.jsonl; an interrupted run (Ctrl-C, a crash, kill -9) continues with
    --resume and loses at most the items that were in flight.
    """
    config = load_config()
    if resume is not None:
        given = {
            "PATH": source_path, "--tasks": tasks_spec, "--n": n, "--seed": seed,
            "--complexity": complexity, "--complexity-sweep": sweep, "--source": source,
            "--mode": mode, "--task-model": task_model, "--steerer": steerer, "--rounds": rounds,
            "--self-check": self_check, "--max-tokens": max_tokens,
            "--sandbox-level": sandbox_level, "--out": out_dir,
        }  # fmt: skip
        extra = [name for name, value in given.items() if value is not None]
        if extra:
            raise UserError(
                f"--resume runs with the recorded settings; drop {', '.join(extra)} "
                "(only --concurrency may change)"
            )
        try:
            runner = Bench.resume(resume, config, concurrency=concurrency)
        except KeyboardInterrupt:
            raise _interrupted_before_start() from None
    else:
        try:
            chosen = Mode(mode or Mode.CODESTEER.value)
        except ValueError:
            raise UserError(f"unknown mode {mode!r}: use one of {_MODES}") from None
        source = source or "generated"
        if source not in _SOURCES:
            raise UserError(f"unknown --source {source!r}: use generated, original or file")
        if tasks_spec is None and sweep:
            tasks_spec = "game24,number_multiply,letters,combinatorial_calculation"
        bench_config = BenchConfig(
            tasks=tuple(task.name for task in resolve_names(tasks_spec or "all")),
            mode=chosen,
            n=5 if n is None else n,
            seed=0 if seed is None else seed,
            complexity=complexity,
            complexity_sweep=bool(sweep),
            source=source,  # type: ignore[arg-type]
            source_path=str(source_path.expanduser().resolve()) if source_path else None,
            task_model=task_model or config.models.task,
            steerer=(steerer or config.models.steerer) if chosen.steered else None,
            rounds=config.rounds if rounds is None else rounds,
            self_check=True if self_check is None else self_check,
            max_tokens=1024 if max_tokens is None else max_tokens,
            sandbox_level=sandbox_level or config.sandbox.level,
            concurrency=concurrency or 1,
        )
        if out_dir is None:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            out_dir = Path("runs") / f"{chosen.value}-{stamp}"
        try:
            with progress() as bar:
                job = bar.add_task("reading items, loading models", total=None)
                runner = Bench.create(
                    out_dir,
                    bench_config,
                    config,
                    on_plan=lambda task: bar.update(job, description=f"reading {task.name} items"),
                )
        except KeyboardInterrupt:
            raise _interrupted_before_start() from None
    _run(runner, as_json)


bench.__doc__ = (bench.__doc__ or "") + _EXAMPLES


def _interrupted_before_start() -> typer.Exit:
    err.print("interrupted before the run started; nothing was run", style="yellow")
    return typer.Exit(130)


def _run(runner: Bench, as_json: bool) -> None:
    path = runner.run_dir.path
    view = _Progress(runner)
    try:
        with view.bar:
            summary = asyncio.run(runner.run(view))
    except KeyboardInterrupt:
        done, total = len(runner.run_dir.samples), len(runner.run_dir.items)
        err.print(
            f"interrupted: {done} of {total} items done; continue with: "
            f"codesteer bench --resume {path}",
            style="yellow",
        )
        raise typer.Exit(130) from None
    info = runner.run_dir.info
    if as_json:
        print_json({"run_dir": str(path), "status": info.status, **summary.to_dict()})
    else:
        _print_summary(path.name, summary, runner.config.complexity_sweep)
        err.print(f"run folder: {path} (summary.md, samples.jsonl)", style="dim")
    if info.status == "failed":
        err.print(f"[bold red]error:[/] the run failed: {info.error}", highlight=False)
        raise typer.Exit(1)


def _print_summary(name: str, summary: RunSummary, swept: bool) -> None:
    render_comparison(compare([(name, summary, swept)]), per_task_detail=True)
    if summary.errors:
        err.print(
            f"[yellow]{summary.errors} item(s) could not be run[/] (recorded as errors, not "
            f"as wrong answers): {summary.error_examples[0]}",
            highlight=False,
        )


class _Progress:
    """Overall bar with ETA, and one line per task with its running score."""

    def __init__(self, runner: Bench) -> None:
        self.bar: Progress = progress()
        self.total: TaskID | None = None
        self.rows: dict[str, TaskID] = {}
        self.counts: dict[str, int] = {}
        for item in runner.run_dir.items:
            self.counts[item.task] = self.counts.get(item.task, 0) + 1
        self.word = "running"
        self.done_before: dict[str, int] = {}
        for sample in runner.run_dir.samples.values():
            self.done_before[sample.task] = self.done_before.get(sample.task, 0) + 1

    def __call__(self, event: BenchEvent) -> None:
        if isinstance(event, BenchStarted):
            self.word = "resuming" if event.resumed else "running"
            self.total = self.bar.add_task(
                f"{self.word} ({event.sandbox_level})", total=event.total, completed=event.done
            )
            if len(self.counts) <= 12:  # one row per task while that still fits a screen
                for task, count in self.counts.items():
                    self.rows[task] = self.bar.add_task(
                        f"  {task}", total=count, completed=self.done_before.get(task, 0)
                    )
        elif isinstance(event, ItemFinished):
            assert self.total is not None
            self.bar.update(self.total, completed=event.done)
            row = self.rows.get(event.sample.task)
            score = "–" if event.task_score is None else f"{event.task_score:.0f}"
            if row is not None:
                self.bar.update(
                    row, advance=1, description=f"  {event.sample.task} · score {score}"
                )
            else:  # too many tasks for a row each: the overall bar names the latest
                self.bar.update(
                    self.total, description=f"{self.word} · {event.sample.task} score {score}"
                )
            if event.sample.error is not None:
                self.bar.console.print(
                    Text.assemble(
                        (f"item {event.sample.item_id} failed: ", "yellow"), event.sample.error
                    ),
                    highlight=False,
                )

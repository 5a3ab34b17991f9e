"""``codesteer train synthesize`` and ``codesteer train import-data``: the data half of training.
This module renders what :mod:`codesteer.train.synthesize` and :mod:`codesteer.train.importers`
do; it holds no data logic. Neither imports torch.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import typer
from rich.progress import Progress, TaskID
from rich.table import Table
from rich.text import Text

from codesteer.cli._console import err, out, print_json, progress
from codesteer.errors import UserError
from codesteer.local.config import load_config
from codesteer.symbench import resolve_names
from codesteer.symbench.seeds import TRAINING_SEED_START
from codesteer.train.importers import FORMATS, DataFormat, import_file
from codesteer.train.synthesis_config import SynthesisConfig
from codesteer.train.synthesis_data import Counts
from codesteer.train.synthesize import (
    ContinuationFinished,
    ItemFinished,
    Synthesis,
    SynthesisEvent,
    SynthesisStarted,
)

__all__ = ["import_data", "synthesize"]

_SYNTHESIZE_EXAMPLES = f"""
Examples:

  codesteer train synthesize --teacher openai:gpt-4o --task-model ollama:qwen2.5:7b \\
      --tasks seen --n 50 --out data/seen

  codesteer train synthesize --teacher default --task-model default --tasks game24 \\
      --n 2 --rounds 1 --dpo-samples 1 --max-tokens 64 --out data/try

  codesteer train synthesize --resume data/seen

Seeds: training items come from seeds >= {TRAINING_SEED_START:_} (default {TRAINING_SEED_START}),
evaluation items (`codesteer bench --seed`) from seeds below, so no benchmark item is trained on.
DIR gets trajectories.jsonl (every run, durably, as it ends), sft.jsonl (trl conversational
"messages"), dpo.jsonl (trl "prompt"/"chosen"/"rejected") and summary.json.
"""

_IMPORT_EXAMPLES = """
Examples:

  codesteer train import-data CodeSteer_SFT_dataset.json --format alpaca --out sft.jsonl

  codesteer train import-data CodeSteer_DPO_dataset_2.json --format sharegpt --out dpo.jsonl

alpaca: {"instruction", "input"?, "output", "history"?: \\[\\[q, a], ...], "system"?} (SFT).
sharegpt: {"conversations": \\[{"from": "human"|"gpt", "value"}, ...], "chosen": {...},
"rejected": {...}} (DPO ranking). A JSON array or JSON lines.
"""


def synthesize(
    teacher: str | None = typer.Option(
        None,
        "--teacher",
        metavar="SPEC",
        help="The steering model that writes the trajectories (default: the config's steerer).",
    ),
    task_model: str | None = typer.Option(
        None, "--task-model", "-m", metavar="SPEC", help="The answering model (default: config)."
    ),
    tasks_spec: str | None = typer.Option(
        None, "--tasks", help="all, seen, unseen or comma-separated names (default: seen)."
    ),
    n: int | None = typer.Option(None, "--n", min=1, help="Items per task (default: 10)."),
    seed: int | None = typer.Option(
        None,
        "--seed",
        help=f"The training item stream, >= {TRAINING_SEED_START} (default: the first).",
    ),
    complexity: int | None = typer.Option(
        None, "--complexity", "-c", help="One level for every task (default: the test mix)."
    ),
    rounds: int | None = typer.Option(
        None, "--rounds", "-r", min=0, max=50, help="Review rounds per run (default: 5)."
    ),
    dpo_samples: int | None = typer.Option(
        None,
        "--dpo-samples",
        "-K",
        min=0,
        help="Sampled steering turns per turn of a wrong trajectory; 0: no DPO data (default: 4).",
    ),
    temperature: float | None = typer.Option(
        None, "--temperature", help="Sampling temperature of resampled turns (default: 0.95)."
    ),
    top_p: float | None = typer.Option(
        None, "--top-p", help="Nucleus sampling of resampled turns (default: 0.7)."
    ),
    self_check: bool | None = typer.Option(
        None,
        "--self-check/--no-self-check",
        help="Have the task model check its answers (default: on).",
        show_default=False,
    ),
    max_tokens: int | None = typer.Option(
        None, "--max-tokens", min=16, help="Longest task-model reply (default: 1024)."
    ),
    steer_max_tokens: int | None = typer.Option(
        None, "--steer-max-tokens", min=8, help="Longest steering reply (default: 256)."
    ),
    sandbox_level: str | None = typer.Option(
        None, "--sandbox-level", metavar="LEVEL", help="best, bubblewrap, namespaces, rlimits."
    ),
    sft_per_item: int | None = typer.Option(
        None,
        "--sft-per-item",
        min=1,
        help="Correct trajectories kept per item for SFT, shortest first (default: 1).",
    ),
    concurrency: int | None = typer.Option(
        None, "--concurrency", "-k", min=1, max=256, help="Items run at once (default: 1)."
    ),
    out_dir: Path | None = typer.Option(
        None, "--out", "-o", metavar="DIR", help="A new (or empty) folder for the data."
    ),
    resume: Path | None = typer.Option(
        None,
        "--resume",
        metavar="DIR",
        help="Continue an interrupted synthesis with its recorded settings (only --concurrency "
        "may change).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON on stdout."),
) -> None:
    """Synthesize training data: the teacher steers the task model through generated SymBench
    items; every trajectory is recorded with its score; each wrong one is resumed at every
    steering turn with sampled turns, and a sampled turn whose run scores better (15 - turns
    if correct, -turns if wrong) becomes a DPO pair against the original turn. Correct
    trajectories, shortest first, become SFT conversations. An interrupted synthesis (Ctrl-C, a
    crash, kill -9) continues with --resume and runs no item twice.
    """
    config = load_config()
    if resume is not None:
        given = {
            "--teacher": teacher, "--task-model": task_model, "--tasks": tasks_spec, "--n": n,
            "--seed": seed, "--complexity": complexity, "--rounds": rounds,
            "--dpo-samples": dpo_samples, "--temperature": temperature, "--top-p": top_p,
            "--self-check": self_check, "--max-tokens": max_tokens,
            "--steer-max-tokens": steer_max_tokens, "--sandbox-level": sandbox_level,
            "--sft-per-item": sft_per_item, "--out": out_dir,
        }  # fmt: skip
        extra = [name for name, value in given.items() if value is not None]
        if extra:
            raise UserError(
                f"--resume continues with the recorded settings; drop {', '.join(extra)} "
                "(only --concurrency may change)"
            )
        try:
            runner = Synthesis.resume(resume, config, concurrency=concurrency)
        except KeyboardInterrupt:
            raise _interrupted_before_start() from None
    else:
        if out_dir is None:
            raise UserError("give --out DIR for a new synthesis (or --resume DIR)")
        defaults = SynthesisConfig(tasks=())
        synthesis_config = SynthesisConfig(
            tasks=tuple(task.name for task in resolve_names(tasks_spec or "seen")),
            n=defaults.n if n is None else n,
            seed=defaults.seed if seed is None else seed,
            complexity=complexity,
            teacher=teacher or config.models.steerer,
            task_model=task_model or config.models.task,
            rounds=config.rounds if rounds is None else rounds,
            dpo_samples=defaults.dpo_samples if dpo_samples is None else dpo_samples,
            temperature=defaults.temperature if temperature is None else temperature,
            top_p=defaults.top_p if top_p is None else top_p,
            self_check=defaults.self_check if self_check is None else self_check,
            max_tokens=defaults.max_tokens if max_tokens is None else max_tokens,
            steer_max_tokens=defaults.steer_max_tokens
            if steer_max_tokens is None
            else steer_max_tokens,
            sandbox_level=sandbox_level or config.sandbox.level,
            concurrency=concurrency or 1,
            sft_per_item=defaults.sft_per_item if sft_per_item is None else sft_per_item,
        )
        synthesis_config.validate()  # a wrong seed says so before any model loads
        try:
            with progress() as bar:
                bar.add_task("reading items, loading models", total=None)
                runner = Synthesis.create(out_dir, synthesis_config, config)
        except KeyboardInterrupt:
            raise _interrupted_before_start() from None
    _run(runner, as_json)


synthesize.__doc__ = (synthesize.__doc__ or "") + _SYNTHESIZE_EXAMPLES


def _interrupted_before_start() -> typer.Exit:
    err.print("interrupted before the synthesis started; nothing was run", style="yellow")
    return typer.Exit(130)


def _run(runner: Synthesis, as_json: bool) -> None:
    path = runner.folder.path
    view = _Progress()
    try:
        with view.bar:
            summary = asyncio.run(runner.run(view))
    except KeyboardInterrupt:
        done, total = len(runner.folder.records), len(runner.folder.items)
        err.print(
            f"interrupted: {done} of {total} items done (their data is written); continue "
            f"with: codesteer train synthesize --resume {path}",
            style="yellow",
        )
        raise typer.Exit(130) from None
    if as_json:
        print_json(summary)
    else:
        _print_summary(summary)
        err.print(
            f"folder: {path} (sft.jsonl, dpo.jsonl, trajectories.jsonl, summary.json)",
            style="dim",
        )
    info = runner.folder.info
    if info.status == "failed":
        err.print(f"[bold red]error:[/] the synthesis failed: {info.error}", highlight=False)
        raise typer.Exit(1)


def _print_summary(summary: dict[str, Any]) -> None:
    table = Table(title="training data synthesized", title_justify="left")
    # "ok": the teacher's run was correct; "resampled": continuations of the wrong ones, "→ ok"
    # those that ended correct.
    columns = [
        ("task", "task"),
        ("items", "done"),
        ("errors", "errors"),
        ("ok", "correct"),
        ("resampled", "continuations"),
        ("→ ok", "continuations_correct"),
        ("sft", "sft_examples"),
        ("pairs", "dpo_pairs"),
    ]
    for title, _ in columns:
        table.add_column(title, justify="left" if title == "task" else "right", no_wrap=True)
    for task in summary["tasks"]:
        cells = [str(task[key]) for _, key in columns]
        cells[1] = f"{task['done']}/{task['planned']}"
        table.add_row(*cells)
    total = [str(summary[key]) for _, key in columns[1:]]
    total[0] = f"{summary['done']}/{summary['planned']}"
    table.add_row("all", *total, style="bold")
    out.print(table)


class _Progress:
    """The overall bar with ETA and running counts, and a row for the item being resampled."""

    def __init__(self) -> None:
        self.bar: Progress = progress()
        self.total: TaskID | None = None
        self.resampling: TaskID | None = None
        self.word = "synthesizing"

    def _describe(self, counts: Counts) -> str:
        return (
            f"{self.word} · correct {counts.correct} · sft {counts.sft_examples} · "
            f"pairs {counts.dpo_pairs} · errors {counts.errors}"
        )

    def __call__(self, event: SynthesisEvent) -> None:
        if isinstance(event, SynthesisStarted):
            self.word = "resuming" if event.resumed else "synthesizing"
            self.total = self.bar.add_task(
                self._describe(event.counts), total=event.total, completed=event.done
            )
        elif isinstance(event, ContinuationFinished):
            description = f"  resampling {event.task} turn {event.turn}"
            if self.resampling is None:
                self.resampling = self.bar.add_task(description, total=event.planned)
            self.bar.update(
                self.resampling,
                description=description,
                total=event.planned,
                completed=event.done,
            )
        elif isinstance(event, ItemFinished):
            assert self.total is not None
            self.bar.update(
                self.total, completed=event.done, description=self._describe(event.counts)
            )
            if self.resampling is not None:
                self.bar.remove_task(self.resampling)
                self.resampling = None
            if event.error is not None:
                self.bar.console.print(
                    Text.assemble((f"item {event.item_id} failed: ", "yellow"), event.error),
                    highlight=False,
                )


def import_data(
    source: Path = typer.Argument(
        ..., metavar="FILE", help="A JSON array or JSON-lines file in the original's format."
    ),
    data_format: str = typer.Option(
        ..., "--format", "-f", metavar="alpaca|sharegpt", help="The file's format."
    ),
    out_path: Path = typer.Option(
        ..., "--out", "-o", metavar="OUT.jsonl", help="Where the converted data goes."
    ),
    system: str | None = typer.Option(
        None, "--system", metavar="TEXT", help="A system message for entries that have none."
    ),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace OUT if it exists."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON on stdout."),
) -> None:
    """Convert the original CodeSteer release's training data (LLaMA-Factory formats) to the
    JSONL codesteer trains on: alpaca SFT with history becomes trl "messages" conversations,
    sharegpt ranking DPO data becomes "prompt"/"chosen"/"rejected". The first malformed entry
    stops the import with its place (FILE:LINE or entry N); nothing is written then.
    """
    if data_format not in FORMATS:
        raise UserError(f"unknown --format {data_format!r}: use alpaca or sharegpt")
    if out_path.exists() and not overwrite:
        raise UserError(f"{out_path} exists; give --overwrite to replace it")
    if out_path.resolve() == source.resolve():
        raise UserError("--out must not be the input file")
    fmt: DataFormat = "alpaca" if data_format == "alpaca" else "sharegpt"
    result = import_file(source, fmt, out_path, system=system)
    if as_json:
        print_json(
            {
                "format": result.format,
                "source": str(result.source),
                "out": str(result.out),
                "entries": result.entries,
            }
        )
    else:
        kind = "conversations" if result.format == "alpaca" else "preference pairs"
        err.print(f"{result.entries} {kind} written to {result.out}", highlight=False)


import_data.__doc__ = (import_data.__doc__ or "") + _IMPORT_EXAMPLES

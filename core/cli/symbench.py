"""``codesteer symbench``: list, generate, score, import and verify SymBench items."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from codesteer.cli._console import err, out, print_json, progress
from codesteer.errors import ItemFormatError, UserError
from codesteer.symbench import Item, Task, all_tasks, get_task, resolve_names
from codesteer.symbench.items_io import item_to_json, read_items, write_items
from codesteer.symbench.original import ImportReport, find_dataset_root, load_items
from codesteer.symbench.verify import TaskAgreement, verify_items

app = typer.Typer(
    help=(
        "The 37 SymBench tasks: generate items, score answers, and import and check the "
        "original release's instances.\n\n"
        "Examples:\n\n"
        "  codesteer symbench list\n\n"
        "  codesteer symbench show game24 --complexity 6\n\n"
        "  codesteer symbench generate game24 --n 5 --seed 1 --complexity 3 --out g24.jsonl\n\n"
        "  codesteer symbench score game24 --item g24.jsonl:0 --answer '<<<(1+2+3)*4>>>'\n\n"
        "  codesteer symbench import path/to/dataset_gather --out originals/\n\n"
        "  codesteer symbench verify originals/"
    ),
    no_args_is_help=True,
)

TASKS_HELP = "all, seen, unseen, or comma-separated task names."


@app.command("list")
def list_tasks(
    as_json: bool = typer.Option(False, "--json", help="One JSON object per task, in a list."),
) -> None:
    """List the tasks: name, paper title, split, complexity levels and the default mix."""
    tasks = all_tasks()
    if as_json:
        print_json([task.describe() for task in tasks])
        return
    table = Table(title="SymBench: 28 seen + 9 unseen tasks")
    table.add_column("name", style="bold", no_wrap=True)
    table.add_column("paper title", min_width=12)
    table.add_column("split", no_wrap=True)
    table.add_column("levels", justify="right", no_wrap=True, min_width=6)
    table.add_column("default", no_wrap=True)
    for task in tasks:
        table.add_row(
            task.name,
            task.title,
            task.split.value,
            str(len(task.levels)),
            _ranges(task.default_levels),
        )
    out.print(table)
    out.print(
        "One task's knobs, answer format and a sample: codesteer symbench show TASK", style="dim"
    )


def _ranges(levels: tuple[int, ...]) -> str:
    """``(1, 2, 3, 5, 3)`` -> ``1-3,5``."""
    runs: list[list[int]] = []
    for level in sorted(set(levels)):
        if runs and level == runs[-1][-1] + 1:
            runs[-1].append(level)
        else:
            runs.append([level])
    return ",".join(f"{r[0]}-{r[-1]}" if len(r) > 2 else ",".join(map(str, r)) for r in runs)


@app.command()
def show(
    task_name: str = typer.Argument(..., metavar="TASK", help="Task name (see `list`)."),
    complexity: int | None = typer.Option(
        None, "--complexity", "-c", help="Level of the sample item; default: the original mix."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the sample item."),
) -> None:
    """Describe one task: what it is, its answer format, its levels' knobs, and a sample item."""
    task = get_task(task_name)
    described = task.describe()
    out.print(f"[bold]{task.name}[/] ({task.title}, {task.split.value})")
    doc = (type(task).__module__ and sys.modules[type(task).__module__].__doc__) or ""
    if doc:
        out.print(doc.strip().split("\n\n")[0], highlight=False, markup=False)
    out.print(f"\n[bold]answer format:[/] {task.answer_format}", highlight=False)
    levels = Table(title="levels (* = in the default mix)", title_justify="left")
    levels.add_column("level", justify="right")
    levels.add_column("knobs")
    for level, knobs in described["levels"].items():
        mark = "*" if int(level) in task.default_levels else ""
        levels.add_row(f"{level}{mark}", ", ".join(f"{k}={v}" for k, v in knobs.items()))
    out.print(levels)
    item = task.generate(seed, 0, complexity)
    out.rule(f"sample: {item.id}", style="dim")
    out.print(item.question, highlight=False, markup=False)
    out.print(f"\nreference answer: <<<{item.answer}>>>", style="green", markup=False)


def _parse_overrides(values: list[str]) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    for value in values:
        key, sep, raw = value.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--set expects KNOB=VALUE, got {value!r}")
        overrides[key.strip()] = _knob_value(raw.strip())
    return overrides


def _knob_value(raw: str) -> Any:
    for convert in (int, float):
        try:
            return convert(raw)
        except ValueError:
            pass
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    return raw


@app.command()
def generate(
    task_name: str = typer.Argument(..., metavar="TASK", help="Task name (see `list`)."),
    n: int = typer.Option(10, "--n", min=1, help="How many items."),
    seed: int = typer.Option(0, "--seed", help="Stream seed: same seed, same items."),
    complexity: int | None = typer.Option(
        None, "--complexity", "-c", help="Complexity level; default: the original test mix."
    ),
    start: int = typer.Option(0, "--start", min=0, help="Index of the first item."),
    knob: list[str] = typer.Option(
        [], "--set", help="Override a knob of the level, e.g. --set count=12 (repeatable)."
    ),
    out_path: Path | None = typer.Option(
        None, "--out", "-o", help="Write JSONL here (atomically) instead of stdout."
    ),
    text: bool = typer.Option(False, "--text", help="Print questions and answers for reading."),
) -> None:
    """Generate items, deterministic from (seed, index, complexity).

    Each JSONL line holds `question` and the reference `answer` (which, wrapped in <<<...>>>,
    scores 1), plus `meta` for the verifier.
    """
    task = get_task(task_name)
    overrides = _parse_overrides(knob)
    task.knobs(complexity if complexity is not None else task.default_levels[0], **overrides)
    items = task.generate_many(n, seed, complexity, start=start, **overrides)
    if out_path is not None:
        count = write_items(out_path, items)
        err.print(f"wrote {count} {task.name} items to {out_path}")
    elif text:
        for item in items:
            out.rule(f"{item.id}", style="dim")
            out.print(item.question, highlight=False, markup=False)
            out.print(f"\nreference answer: <<<{item.answer}>>>", style="green", markup=False)
    else:
        for item in items:
            sys.stdout.write(item_to_json(item) + "\n")


def _select_item(spec: str) -> Item:
    """``FILE`` (its only item), ``FILE:INDEX`` (0-based line) or ``FILE:ITEM_ID``."""
    path, index = Path(spec), None
    if not path.exists() and ":" in spec:
        head, _, tail = spec.rpartition(":")
        path, index = Path(head), tail
    items = list(read_items(path))
    if not items:
        raise ItemFormatError(f"{path} holds no items")
    if index is None:
        if len(items) > 1:
            raise UserError(f"{path} holds {len(items)} items; pick one with {path}:INDEX")
        return items[0]
    if index.isdigit():
        position = int(index)
        if position >= len(items):
            raise UserError(f"{path} has {len(items)} items; index {position} is out of range")
        return items[position]
    for item in items:
        if item.id == index:
            return item
    raise UserError(f"no item with id {index!r} in {path}")


@app.command()
def score(
    task_name: str = typer.Argument(..., metavar="TASK", help="Task name (see `list`)."),
    item_spec: str = typer.Option(
        ..., "--item", help="FILE, FILE:INDEX (0-based) or FILE:ITEM_ID of a JSONL item file."
    ),
    answer: str = typer.Option(
        ..., "--answer", help="The answer text (the last <<<...>>> counts); '-' reads stdin."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print {value, answer, reason} as JSON."),
) -> None:
    """Score an answer to one item with the task's deterministic verifier."""
    task = get_task(task_name)
    item = _select_item(item_spec)
    if get_task(item.task) is not task:
        raise UserError(f"the item is a {item.task} item, not {task.name}")
    text = sys.stdin.read() if answer == "-" else answer
    result = task.score(text, item)
    if as_json:
        print_json({"task": task.name, "item": item.id, **result.to_dict()})
        return
    style = "green" if result.correct else ("yellow" if result.value > 0 else "red")
    out.print(f"score {result.value:g}", style=f"bold {style}", end="  ")
    out.print(result.reason, highlight=False, markup=False)


def _import(path: Path, tasks: list[Task[Any]]) -> tuple[list[Item], ImportReport]:
    with progress() as bar:
        job = bar.add_task("importing", total=len(tasks))

        def step(task: Task[Any]) -> None:
            bar.update(job, description=f"importing {task.name}", advance=1)

        return load_items(path, tasks, on_task=step)


def _report_problems(report: ImportReport) -> None:
    unusable: dict[tuple[str, str], int] = {}
    for task_name, _, reason in report.unusable:
        unusable[task_name, reason] = unusable.get((task_name, reason), 0) + 1
    for (task_name, reason), count in unusable.items():
        err.print(f"{task_name}: {count} original instance(s) not posable: {reason}")
    for task_name, where, message in report.problems[:20]:
        err.print(f"[yellow]skipped[/] {task_name} {where}: {message}", highlight=False)
    if len(report.problems) > 20:
        err.print(f"... and {len(report.problems) - 20} more instances skipped")


@app.command("import")
def import_(
    path: Path = typer.Argument(..., help="The original `dataset_gather/` folder (or its parent)."),
    out_path: Path = typer.Option(
        Path("symbench-original"),
        "--out",
        "-o",
        help="A folder (one TASK.jsonl per task) or a single FILE.jsonl.",
    ),
    tasks_spec: str = typer.Option("all", "--tasks", help=TASKS_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print counts per task as JSON."),
) -> None:
    """Import the original release's instances into JSONL items.

    Reads every folder variant (test sets, `*_varied_complexity`, `_SFT` sets); each item keeps
    its source path, the stored answer (`original_answer`) and our solver's answer (`answer`).
    """
    tasks = resolve_names(tasks_spec)
    _, report = _import(find_dataset_root(path), tasks)
    written: dict[str, int] = {}
    if out_path.suffix == ".jsonl":
        all_items = [item for items in report.items.values() for item in items]
        write_items(out_path, all_items)
        written = {name: len(items) for name, items in report.items.items()}
    else:
        if out_path.exists() and not out_path.is_dir():
            raise UserError(f"{out_path} exists and is not a folder")
        for name, items in report.items.items():
            if items:
                written[name] = write_items(out_path / f"{name}.jsonl", items)
    _report_problems(report)
    if as_json:
        print_json(
            {
                "out": str(out_path),
                "items": written,
                "unusable": len(report.unusable),
                "problems": len(report.problems),
            }
        )
    else:
        err.print(f"imported {sum(written.values())} items of {len(written)} tasks to {out_path}")
    if report.problems:
        raise typer.Exit(1)


def _verify_with_progress(items: list[Item]) -> dict[str, TaskAgreement]:
    def stream() -> Iterator[Item]:
        with progress() as bar:
            job = bar.add_task("verifying", total=len(items))
            for item in items:
                yield item
                bar.advance(job)

    return verify_items(stream())


@app.command()
def verify(
    path: Path = typer.Argument(
        ..., metavar="PATH_OR_JSONL", help="An original dataset folder, an item file or folder."
    ),
    tasks_spec: str = typer.Option("all", "--tasks", help=TASKS_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the per-task report as JSON."),
) -> None:
    """Score every item's stored answer with our verifier and report agreement per task.

    Stored answers known to be wrong (documented defects of the original) are reported with
    their reason and not counted; where the original stored no answer, our solver's answer is
    checked instead. Exits 1 if any task falls short of full agreement otherwise.
    """
    tasks = resolve_names(tasks_spec)
    items, imported = _import(path, tasks)
    if not items:
        raise UserError(f"no items of the selected tasks in {path}")
    report = _verify_with_progress(items)
    _report_problems(imported)
    ok = all(entry.ok for entry in report.values()) and not imported.problems
    if as_json:
        print_json({"ok": ok, "tasks": [entry.to_dict() for entry in report.values()]})
    else:
        _print_agreement(report)
    if not ok:
        raise typer.Exit(1)


def _print_agreement(report: dict[str, TaskAgreement]) -> None:
    table = Table(
        title="Stored answers checked by our verifiers",
        caption="solver only: no stored answer, our solver's answer was checked; "
        "defects: stored answers known to be wrong (reasons below)",
    )
    table.add_column("task", no_wrap=True)
    for column in ("items", "agree", "solver only", "defects", "disagree", ""):
        table.add_column(column, justify="right", no_wrap=True)
    for entry in report.values():
        stored = entry.checked - entry.solver_only
        table.add_row(
            entry.task,
            str(entry.total),
            f"{entry.agree}/{stored}",
            str(entry.solver_only),
            str(entry.known_defects),
            str(entry.disagree + entry.reference_failures),
            "[green]ok[/]" if entry.ok else "[red]FAIL[/]",
        )
    out.print(table)
    for entry in report.values():
        for reason, count in entry.defect_reasons.items():
            out.print(f"  {entry.task}: {count} known defect(s): {reason}", highlight=False)
        for example in entry.examples:
            out.print(
                f"  [red]{entry.task}[/] {example['source']}: {example['what']}: "
                f"{example['reason']}",
                highlight=False,
            )

"""``codesteer report``: runs side by side as the paper's table, and a PNG."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from codesteer.cli._console import err, out, print_json
from codesteer.local.harness.report import Comparison, compare, load_runs, table_rows
from codesteer.local.harness.summary import score_text

__all__ = ["render_comparison", "report"]

# Run names are shown whole up to a point; the paper's 13 long method names fold.
_RUN_WIDTH, _PAPER_WIDTH = 24, 16
_PAPER = "paper: "


def render_comparison(comparison: Comparison, *, per_task_detail: bool = False) -> None:
    """The table: a row per task, a column per run, then the averages and Ave. Norm."""
    paper = any(c.summary is None for c in comparison.columns)
    table = Table(
        title="SymBench score (%) per task",
        title_justify="left",
        caption="dim columns: the paper's Table 1 (GPT-4o as the task model, o1, R1)"
        if paper
        else None,
        caption_justify="left",
    )
    table.add_column("task", no_wrap=True)
    table.add_column("split", no_wrap=True)
    for column in comparison.columns:
        table.add_column(
            column.name.removeprefix(_PAPER),
            justify="right",
            style=None if column.summary else "dim",
            max_width=_RUN_WIDTH if column.summary else _PAPER_WIDTH,
            overflow="fold",
        )
    if per_task_detail:
        for name in ("correct", "done", "errors", "tok/item", "s/item"):
            table.add_column(name, justify="right", no_wrap=True)
    previous = "task"
    for row in table_rows(comparison):
        cells = list(row.cells)
        if row.kind != previous:
            table.add_section()
            previous = row.kind
        if per_task_detail and row.kind == "task":
            task = comparison.task_summary(comparison.columns[0], row.label)
            assert task is not None
            cells += [
                str(task.correct),
                f"{task.done}/{task.planned}",
                str(task.errors),
                score_text(task.tokens_per_item),
                score_text(task.seconds_per_item),
            ]
        elif per_task_detail:
            cells += [""] * 5
        table.add_row(row.label, row.split, *cells, style="bold" if row.kind == "average" else None)
    # Wider than the terminal rather than cut to ellipses: the numbers are the point.
    needed = 40 + (45 if per_task_detail else 0)
    for column in comparison.columns:
        needed += 3 + min(len(column.name), _RUN_WIDTH if column.summary else _PAPER_WIDTH)
    if needed <= out.width:
        out.print(table)
    else:
        Console(file=out.file, width=needed).print(table)


def report(
    run_dirs: list[Path] = typer.Argument(..., metavar="RUN_DIR...", help="Run folders."),
    paper: bool = typer.Option(
        False, "--paper", help="Add the paper's 13 columns (GPT-4o + CodeSteer, o1, ...)."
    ),
    png: Path = typer.Option(
        Path("codesteer-report.png"), "--png", metavar="FILE", help="Where to write the plot."
    ),
    no_png: bool = typer.Option(False, "--no-png", help="Print the table only."),
    as_json: bool = typer.Option(False, "--json", help="Print the comparison as JSON."),
) -> None:
    """Compare runs as the paper's table, with averages and Ave. Norm.; draw a PNG.

    One row per task, one column per run, with seen, unseen and total averages and Ave. Norm.
    (each task's score over the best score on it among the columns, averaged). The PNG shows
    per-task scores by run, and score against complexity for runs made with --complexity-sweep.

    Example: codesteer report runs/baseline runs/steered --paper
    """
    runs = load_runs(run_dirs)
    comparison = compare(
        [(name, run.summary(), run.info.config.complexity_sweep) for name, run in runs],
        paper=paper,
    )
    if as_json:
        print_json(
            {
                "rows": [
                    {"task": t, "split": comparison.splits[t]}
                    | {c.name: c.scores.get(t) for c in comparison.columns}
                    for t in comparison.rows
                ],
                "averages": comparison.averages,
                "ave_norm": comparison.ave_norm,
                "runs": {name: run.info.status for name, run in runs},
            }
        )
    else:
        render_comparison(comparison)
        for name, run in runs:
            if run.info.status != "complete":
                err.print(
                    f"{name}: {run.info.status}, {len(run.samples)} of {len(run.items)} items"
                )
    if not no_png:
        from codesteer.local.harness.plot import write_png

        width, height = write_png(comparison, png)
        err.print(f"plot written to {png} ({width}x{height})", style="dim")

"""Runs side by side, as the paper's table: one row per task, one column per run (and, on
request, the paper's own columns), with seen / unseen / total averages and Ave. Norm."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from codesteer.local.harness._rundir import RunDir
from codesteer.local.harness.summary import (
    RunSummary,
    TaskSummary,
    normalized_averages,
    paper_columns,
    score_text,
    split_means,
)
from codesteer.symbench.paper import paper_table

__all__ = [
    "SPLIT_LABELS",
    "Column",
    "Comparison",
    "TableRow",
    "compare",
    "load_runs",
    "score_text",
    "table_rows",
]

#: The averages' row labels, in the order the table shows them.
SPLIT_LABELS = {"seen": "seen average", "unseen": "unseen average", "total": "total average"}


@dataclass(frozen=True)
class Column:
    name: str
    #: Task title -> score (0-100); ``None`` where the run has no scored item of the task.
    scores: dict[str, float | None]
    #: ``None`` for a paper column.
    summary: RunSummary | None = None
    #: Whether the run swept complexity (its score-by-level is worth a plot).
    swept: bool = False


@dataclass(frozen=True)
class Comparison:
    #: Task titles in the paper's order.
    rows: tuple[str, ...]
    splits: dict[str, str]
    columns: tuple[Column, ...]
    averages: dict[str, dict[str, float | None]] = field(default_factory=dict)
    ave_norm: dict[str, dict[str, float | None]] = field(default_factory=dict)

    def task_summary(self, column: Column, title: str) -> TaskSummary | None:
        if column.summary is None:
            return None
        return next((t for t in column.summary.tasks if t.title == title), None)


def load_runs(paths: Sequence[Path]) -> list[tuple[str, RunDir]]:
    """Run folders read for a report, named by folder (with its parent where names clash)."""
    runs = [RunDir.read(path) for path in paths]
    names = [run.path.name for run in runs]
    return [
        (f"{run.path.parent.name}/{name}" if names.count(name) > 1 else name, run)
        for name, run in zip(names, runs, strict=True)
    ]


def compare(runs: Sequence[tuple[str, RunSummary, bool]], *, paper: bool = False) -> Comparison:
    """``runs`` as ``(name, summary, swept)``; ``paper`` adds the paper's 13 columns."""
    order = {row.title: number for number, row in enumerate(paper_table())}
    splits: dict[str, str] = {}
    columns: list[Column] = []
    for name, summary, swept in runs:
        for task in summary.tasks:
            splits[task.title] = task.split
        scores = {task.title: task.score for task in summary.tasks}
        columns.append(Column(name, scores, summary, swept))
    rows = tuple(sorted(splits, key=lambda title: order.get(title, len(order))))
    if paper:
        for method, scores in paper_columns().items():
            columns.append(Column(f"paper: {method}", {t: scores.get(t) for t in rows}))
    table: Mapping[str, Mapping[str, float | None]] = {c.name: c.scores for c in columns}
    averages = {c.name: split_means(c.scores, splits) for c in columns}
    return Comparison(rows, splits, tuple(columns), averages, normalized_averages(table, splits))


@dataclass(frozen=True)
class TableRow:
    """One row of the comparison table as text: a task, an average or an Ave. Norm. row."""

    label: str
    #: The task's split; empty on the average rows.
    split: str
    #: One cell per column of the comparison, in its order.
    cells: tuple[str, ...]
    kind: Literal["task", "average", "ave_norm"]


def table_rows(comparison: Comparison) -> list[TableRow]:
    """The table every front end prints: a row per task, then the seen / unseen / total
    averages, then (with more than one column, where it means something) Ave. Norm."""
    columns = comparison.columns
    rows = [
        TableRow(
            title,
            comparison.splits[title],
            tuple(score_text(c.scores.get(title)) for c in columns),
            "task",
        )
        for title in comparison.rows
    ]
    for split, label in SPLIT_LABELS.items():
        cells = tuple(score_text(comparison.averages[c.name][split]) for c in columns)
        rows.append(TableRow(label, "", cells, "average"))
    if len(columns) > 1:
        for split in SPLIT_LABELS:
            cells = tuple(score_text(comparison.ave_norm[c.name][split]) for c in columns)
            rows.append(TableRow(f"Ave. Norm. {split}", "", cells, "ave_norm"))
    return rows

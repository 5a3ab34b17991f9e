"""The paper's per-task results (Chen et al., ICML 2025, Table 1), shipped as package data."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

__all__ = ["PaperRow", "paper_table"]


@dataclass(frozen=True)
class PaperRow:
    """One task's row: its title, split, and score (0-100) per method column."""

    title: str
    split: str
    scores: dict[str, float]


@cache
def paper_table() -> tuple[PaperRow, ...]:
    """The 37 rows in the paper's order, one score per method column (``o1``, ...)."""
    text = files("codesteer.symbench").joinpath("data/paper-table.csv").read_text("utf-8")
    rows = []
    for record in csv.DictReader(io.StringIO(text)):
        title = record.pop("task")
        split = record.pop("split")
        rows.append(PaperRow(title, split, {k: float(v) for k, v in record.items()}))
    return tuple(rows)

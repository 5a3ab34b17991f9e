"""What a benchmark run reports as it goes, for the CLI's progress bar and the TUI."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from codesteer.local.harness._records import SampleRecord
from codesteer.local.harness.summary import RunSummary

__all__ = ["BenchEvent", "BenchFinished", "BenchStarted", "ItemFinished", "ItemStarted"]


@dataclass(frozen=True)
class BenchStarted:
    run_dir: Path
    total: int
    #: Items already done by an earlier (interrupted) session of this run.
    done: int
    tasks: tuple[str, ...]
    sandbox_level: str
    resumed: bool


@dataclass(frozen=True)
class ItemStarted:
    index: int
    task: str
    item_id: str


@dataclass(frozen=True)
class ItemFinished:
    sample: SampleRecord
    #: The task's running score (0-100) over its items done so far; ``None`` before any scored.
    task_score: float | None
    done: int
    total: int


@dataclass(frozen=True)
class BenchFinished:
    status: str
    summary: RunSummary


BenchEvent = BenchStarted | ItemStarted | ItemFinished | BenchFinished

"""Per-task scores the way the paper reports them, from a run's samples. Pure: no I/O.

Scores are percentages (0-100): the mean item score of a task, over the items that ran
(errors are counted apart, never as wrong answers). Averages are over tasks, seen, unseen and
total, as in the paper's table. "Ave. Norm." divides each task's score by the best score on
that task among the runs compared, then averages: it weighs every task equally however hard.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from codesteer.local.harness._records import SampleRecord, TokenCounts
from codesteer.symbench import Item, get_task
from codesteer.symbench.paper import paper_table

__all__ = [
    "LevelScore",
    "RunSummary",
    "TaskSummary",
    "normalized_averages",
    "paper_columns",
    "score_text",
    "split_means",
    "summarize",
    "summary_markdown",
]

SPLITS = ("seen", "unseen", "total")


@dataclass(frozen=True)
class LevelScore:
    complexity: int
    done: int
    score: float | None


@dataclass(frozen=True)
class TaskSummary:
    task: str
    title: str
    split: str
    planned: int
    done: int
    errors: int
    #: Mean item score x 100 over the items that ran without error; ``None`` if none did.
    score: float | None
    correct: int
    tokens_per_item: float | None
    seconds_per_item: float | None
    by_complexity: tuple[LevelScore, ...] = ()


@dataclass(frozen=True)
class RunSummary:
    mode: str
    tasks: tuple[TaskSummary, ...]
    #: Mean of the task scores: ``seen``, ``unseen``, ``total``.
    averages: dict[str, float | None]
    #: Ave. Norm. of this run against the paper's 13 methods (their best per task).
    ave_norm_vs_paper: dict[str, float | None]
    planned: int
    done: int
    errors: int
    task_tokens: TokenCounts
    steerer_tokens: TokenCounts
    seconds: float
    tokens_per_item: float | None
    seconds_per_item: float | None
    error_examples: tuple[str, ...] = field(default=())

    @property
    def scored(self) -> int:
        return self.done - self.errors

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["task_tokens"] = self.task_tokens.model_dump()
        data["steerer_tokens"] = self.steerer_tokens.model_dump()
        return data


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def summarize(mode: str, items: Sequence[Item], samples: Iterable[SampleRecord]) -> RunSummary:
    """The summary of a run that planned ``items`` and finished ``samples`` (in any order)."""
    by_key = {sample.key: sample for sample in samples}
    planned: dict[str, list[Item]] = {}
    for item in items:
        planned.setdefault(item.task, []).append(item)
    tasks: list[TaskSummary] = []
    all_done: list[SampleRecord] = []
    for name, task_items in planned.items():
        task = get_task(name)
        done = [by_key[(name, item.id)] for item in task_items if (name, item.id) in by_key]
        all_done.extend(done)
        scored = [s for s in done if s.error is None and s.score is not None]
        levels: dict[int, list[SampleRecord]] = {}
        for sample in scored:
            if sample.complexity is not None:
                levels.setdefault(sample.complexity, []).append(sample)
        by_complexity = tuple(
            LevelScore(level, len(group), _round(_percent(group)))
            for level, group in sorted(levels.items())
        )
        tasks.append(
            TaskSummary(
                task=name,
                title=task.title,
                split=task.split.value,
                planned=len(task_items),
                done=len(done),
                errors=len(done) - len(scored),
                score=_round(_percent(scored)),
                correct=sum(1 for s in scored if s.score is not None and s.score.value >= 1.0),
                tokens_per_item=_round(_mean([float(s.tokens) for s in scored]), 1),
                seconds_per_item=_round(_mean([s.seconds for s in scored]), 2),
                by_complexity=by_complexity if len(by_complexity) > 1 else (),
            )
        )
    scored_all = [s for s in all_done if s.error is None and s.score is not None]
    scores = {t.title: t.score for t in tasks}
    splits = {t.title: t.split for t in tasks}
    columns: dict[str, Mapping[str, float | None]] = {**paper_columns(), "this run": scores}
    errors = [s.error for s in all_done if s.error is not None]
    return RunSummary(
        mode=mode,
        tasks=tuple(tasks),
        averages=split_means(scores, splits),
        ave_norm_vs_paper=normalized_averages(columns, splits)["this run"],
        planned=len(items),
        done=len(all_done),
        errors=len(errors),
        task_tokens=sum((s.task_tokens for s in all_done), TokenCounts()),
        steerer_tokens=sum((s.steerer_tokens for s in all_done), TokenCounts()),
        seconds=round(sum(s.seconds for s in all_done), 2),
        tokens_per_item=_round(_mean([float(s.tokens) for s in scored_all]), 1),
        seconds_per_item=_round(_mean([s.seconds for s in scored_all]), 2),
        error_examples=tuple(dict.fromkeys(errors))[:5],
    )


def _percent(samples: Sequence[SampleRecord]) -> float | None:
    values = [s.score.value for s in samples if s.score is not None]
    mean = _mean(values)
    return None if mean is None else 100.0 * mean


def split_means(
    scores: Mapping[str, float | None], splits: Mapping[str, str]
) -> dict[str, float | None]:
    """The mean score of the tasks (titles) in ``splits``: seen, unseen and total."""
    result: dict[str, float | None] = {}
    for split in SPLITS:
        values = [
            score
            for title, score in scores.items()
            if score is not None
            and title in splits
            and (split == "total" or splits[title] == split)
        ]
        result[split] = _round(_mean(values))
    return result


def paper_columns() -> dict[str, dict[str, float | None]]:
    """The paper's table as columns: method -> task title -> score."""
    columns: dict[str, dict[str, float | None]] = {}
    for row in paper_table():
        for method, score in row.scores.items():
            columns.setdefault(method, {})[row.title] = score
    return columns


def normalized_averages(
    columns: Mapping[str, Mapping[str, float | None]], splits: Mapping[str, str]
) -> dict[str, dict[str, float | None]]:
    """Ave. Norm. per column (run) over the tasks (titles) in ``splits``: each task's score
    over the best score on that task among ``columns``, x 100, averaged per split. A task that
    every column scores 0 (or that a column did not run) is left out of that column's mean."""
    best: dict[str, float] = {}
    for scores in columns.values():
        for title, score in scores.items():
            if title in splits and score is not None:
                best[title] = max(best.get(title, 0.0), score)
    result: dict[str, dict[str, float | None]] = {}
    for name, scores in columns.items():
        normalized = {
            title: 100.0 * score / best[title]
            for title, score in scores.items()
            if score is not None and best.get(title, 0.0) > 0
        }
        result[name] = split_means(dict(normalized), splits)
    return result


def score_text(value: float | None) -> str:
    """A score (0-100) as the tables show it; a dash where there is none."""
    return "–" if value is None else f"{value:.1f}"


def summary_markdown(summary: RunSummary, title: str) -> str:
    """``summary.md``: the per-task table and the averages, readable on any forge."""
    lines = [
        f"# {title}",
        "",
        f"Mode `{summary.mode}`: {summary.done} of {summary.planned} items done, "
        f"{summary.errors} errors.",
        "",
        "| task | split | score | correct | done | errors | tokens/item | s/item |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for t in summary.tasks:
        lines.append(
            f"| {t.title} | {t.split} | {score_text(t.score)} | {t.correct} | {t.done}/{t.planned} "
            f"| {t.errors} | {score_text(t.tokens_per_item)} | {score_text(t.seconds_per_item)} |"
        )
    lines += ["", "| average | seen | unseen | total |", "|---|---:|---:|---:|"]
    lines.append("| score | " + " | ".join(score_text(summary.averages[s]) for s in SPLITS) + " |")
    lines.append(
        "| Ave. Norm. vs the paper's methods | "
        + " | ".join(score_text(summary.ave_norm_vs_paper[s]) for s in SPLITS)
        + " |"
    )
    sweeps = [t for t in summary.tasks if t.by_complexity]
    if sweeps:
        lines += ["", "## Score by complexity", ""]
        for t in sweeps:
            levels = ", ".join(
                f"level {lv.complexity}: {score_text(lv.score)} ({lv.done})"
                for lv in t.by_complexity
            )
            lines.append(f"- {t.title}: {levels}")
    lines += [
        "",
        f"Tokens: task model {summary.task_tokens.total:,}, steering model "
        f"{summary.steerer_tokens.total:,}; {summary.seconds:.0f} s of item time.",
    ]
    if summary.error_examples:
        lines += ["", "## Errors", ""] + [f"- {e}" for e in summary.error_examples]
    return "\n".join(lines) + "\n"

"""The 37 SymBench tasks, in the order of the paper's table.

Task modules are imported on first use, so listing names costs nothing and a broken task
cannot stop the others from loading.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

from codesteer.errors import UnknownTaskError
from codesteer.symbench._task import Task
from codesteer.symbench._types import Split

__all__ = ["TASK_NAMES", "all_tasks", "get_task", "resolve_names", "tasks_in_split"]

#: Canonical task names, each the module name under ``codesteer.symbench.tasks``.
TASK_NAMES: tuple[str, ...] = (
    # seen (28)
    "game24",
    "path_plan",
    "boxlift",
    "boxnet",
    "blocksworld",
    "date_understanding",
    "web_of_lies",
    "logical_deduction",
    "navigation",
    "gsm_hard",
    "math_geometry",
    "math_counting_probability",
    "logical_equation",
    "new_operator",
    "pooling",
    "light_puzzles",
    "mahjong",
    "statistical_counting",
    "matrix_transformation",
    "logic_puzzle",
    "constrained_linear_arrangement",
    "pattern_recognition",
    "string_insertion",
    "letter_logic_diagram",
    "string_deletion_modification",
    "string_synthesis",
    "reversi",
    "standard_sudoku",
    # unseen (9)
    "letters",
    "eight_queens",
    "number_multiply",
    "cryptanalysis",
    "string_splitting",
    "combinatorial_calculation",
    "synthesis_decomposition",
    "game_2048",
    "permutations_combinations",
)


@cache
def _load(name: str) -> Task[Any]:
    module = importlib.import_module(f"codesteer.symbench.tasks.{name}")
    task: Task[Any] = module.TASK
    if task.name != name:  # pragma: no cover - a registry/module mismatch is a bug
        raise RuntimeError(f"module {name} defines task {task.name}")
    return task


def _key(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


@cache
def _aliases() -> dict[str, str]:
    table: dict[str, str] = {}
    for name in TASK_NAMES:
        task = _load(name)
        for alias in (name, task.title, *task.aliases):
            table[_key(alias)] = name
    return table


def get_task(name: str) -> Task[Any]:
    """The task called ``name`` (canonical name, paper title or alias; case and punctuation
    are ignored). Raises :class:`~codesteer.errors.UnknownTaskError` otherwise."""
    if name in TASK_NAMES:
        return _load(name)
    canonical = _aliases().get(_key(name))
    if canonical is None:
        raise UnknownTaskError(
            f"unknown task {name!r}; `codesteer symbench list` shows the 37 task names"
        )
    return _load(canonical)


def all_tasks() -> list[Task[Any]]:
    return [_load(name) for name in TASK_NAMES]


def tasks_in_split(split: Split) -> list[Task[Any]]:
    return [task for task in all_tasks() if task.split is split]


def resolve_names(spec: str) -> list[Task[Any]]:
    """``all``, ``seen``, ``unseen`` or a comma-separated list of task names."""
    spec = spec.strip()
    if spec == "all":
        return all_tasks()
    if spec in ("seen", "unseen"):
        return tasks_in_split(Split(spec))
    names = [part.strip() for part in spec.split(",") if part.strip()]
    if not names:
        raise UnknownTaskError("no task named; use all, seen, unseen or NAME[,NAME...]")
    tasks: list[Task[Any]] = []
    for part in names:
        task = get_task(part)
        if task not in tasks:
            tasks.append(task)
    return tasks

"""Which items a run asks: generated from (seed, index, level), or a fixed-seed sample of the
original instances. The same config always gives the same items in the same order, so runs of
different modes (or models) are comparable item by item."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from codesteer.errors import DatasetError
from codesteer.local.harness._config import BenchConfig
from codesteer.symbench import Item, Task, get_task
from codesteer.symbench.original import load_items

__all__ = ["plan_items", "sweep_levels"]


def sweep_levels(task: Task[Any]) -> tuple[int, ...]:
    """The levels a complexity sweep runs: the paper's figure points, else every level."""
    return task.sweep_levels or tuple(sorted(task.levels))


def plan_items(
    config: BenchConfig, *, on_task: Callable[[Task[Any]], object] | None = None
) -> list[Item]:
    """The run's items, task by task (and level by level in a sweep)."""
    tasks = [get_task(name) for name in config.tasks]
    if config.source == "generated":
        items = [item for task in tasks for item in _generated(task, config)]
    else:
        assert config.source_path is not None
        loaded, _ = load_items(Path(config.source_path), tasks, on_task=on_task)
        items = _sampled(tasks, loaded, config)
    if not items:
        raise DatasetError(
            f"no items to run: {config.source_path} holds none of the selected tasks' "
            + ("varied-complexity instances" if config.complexity_sweep else "test instances")
        )
    return items


def _generated(task: Task[Any], config: BenchConfig) -> list[Item]:
    levels: tuple[int | None, ...] = (
        sweep_levels(task) if config.complexity_sweep else (config.complexity,)
    )
    if config.complexity is not None:
        task.knobs(config.complexity)  # an unknown level is a clear error before anything runs
    return [
        task.generate(config.seed, index, level) for level in levels for index in range(config.n)
    ]


def _sampled(tasks: list[Task[Any]], loaded: list[Item], config: BenchConfig) -> list[Item]:
    """``n`` items per task (per level in a sweep) drawn with a seeded generator: the original
    shuffled its instances without a seed, so its runs were never over the same items."""
    wanted = "complexity" if config.complexity_sweep else "test"
    chosen: list[Item] = []
    for task in tasks:
        pool = [item for item in loaded if item.task == task.name]
        # Imported originals carry their role; items of other origins (a generated file) all count.
        pool = [item for item in pool if task.original_role(item) in (wanted, None)]
        groups: dict[int | None, list[Item]] = {}
        for item in pool:
            groups.setdefault(item.complexity if config.complexity_sweep else None, []).append(item)
        for level in sorted(groups, key=lambda lv: (lv is None, lv or 0)):
            group = groups[level]
            rng = random.Random(f"codesteer-bench/{config.seed}/{task.name}/{level}")
            picked = sorted(rng.sample(range(len(group)), min(config.n, len(group))))
            chosen.extend(group[i] for i in picked)
    return chosen

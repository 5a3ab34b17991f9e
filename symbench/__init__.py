"""SymBench: the 37 symbolic tasks of the CodeSteer paper.

Every task generates items deterministically from ``(seed, index)`` and a complexity level,
computes a reference answer with a solver, and scores answers with a pure verifier::

    from codesteer.symbench import get_task
    task = get_task("game24")
    item = task.generate(seed=0, index=0)
    task.score("<<<(1+2+3)*4>>>", item).value
"""

from codesteer.symbench._parse import extract_answer
from codesteer.symbench._registry import (
    TASK_NAMES,
    all_tasks,
    get_task,
    resolve_names,
    tasks_in_split,
)
from codesteer.symbench._task import (
    Knobs,
    OriginalSource,
    RawInstance,
    Task,
    UnusableInstance,
    item_rng,
)
from codesteer.symbench._types import Item, Score, Split

__all__ = [
    "TASK_NAMES",
    "Item",
    "Knobs",
    "OriginalSource",
    "RawInstance",
    "Score",
    "Split",
    "Task",
    "UnusableInstance",
    "all_tasks",
    "extract_answer",
    "get_task",
    "item_rng",
    "resolve_names",
    "tasks_in_split",
]

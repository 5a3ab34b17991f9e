"""Check reference answers against our verifiers (``codesteer symbench verify``). Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from codesteer.symbench._registry import get_task
from codesteer.symbench._types import Item

__all__ = ["TaskAgreement", "verify_items"]


@dataclass
class TaskAgreement:
    """Per task: how many stored answers our verifier accepts.

    - ``agree``: the original's stored answer scores 1.
    - ``known_defects``: the stored answer is known to be wrong (reason recorded), not counted.
    - ``disagree``: the stored answer scores below 1 with no known reason: a bug to look at.
    - ``solver_only``: the original stored no answer; our solver's answer was checked instead.
    - ``reference_failures``: our own reference answer did not score 1 (always a bug).
    """

    task: str
    total: int = 0
    agree: int = 0
    known_defects: int = 0
    disagree: int = 0
    solver_only: int = 0
    reference_failures: int = 0
    defect_reasons: dict[str, int] = field(default_factory=dict)
    examples: list[dict[str, Any]] = field(default_factory=list)

    @property
    def checked(self) -> int:
        """Items that count towards agreement (everything but known defects)."""
        return self.total - self.known_defects

    @property
    def ok(self) -> bool:
        return self.disagree == 0 and self.reference_failures == 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "total": self.total,
            "agree": self.agree,
            "solver_only": self.solver_only,
            "known_defects": self.known_defects,
            "disagree": self.disagree,
            "reference_failures": self.reference_failures,
            "ok": self.ok,
            "defect_reasons": self.defect_reasons,
            "examples": self.examples,
        }


MAX_EXAMPLES = 5


def verify_items(items: Iterable[Item]) -> dict[str, TaskAgreement]:
    """Score each item's stored answer (and our reference answer) with its task's verifier."""
    report: dict[str, TaskAgreement] = {}
    for item in items:
        task = get_task(item.task)
        entry = report.setdefault(task.name, TaskAgreement(task.name))
        entry.total += 1
        reference = task.score(f"<<<{item.answer}>>>", item)
        if not reference.correct:
            entry.reference_failures += 1
            _example(entry, item, "reference answer rejected", reference.reason)
        if item.known_defect:
            entry.known_defects += 1
            entry.defect_reasons[item.known_defect] = (
                entry.defect_reasons.get(item.known_defect, 0) + 1
            )
            continue
        if item.original_answer is None:
            entry.solver_only += 1
            continue
        same = item.original_answer == item.answer  # usual case: one verdict serves both
        stored = reference if same else task.score(f"<<<{item.original_answer}>>>", item)
        if stored.correct:
            entry.agree += 1
        else:
            entry.disagree += 1
            _example(entry, item, "stored answer rejected", stored.reason)
    return report


def _example(entry: TaskAgreement, item: Item, what: str, reason: str) -> None:
    if len(entry.examples) < MAX_EXAMPLES:
        entry.examples.append(
            {"id": item.id, "source": item.source, "what": what, "reason": reason}
        )

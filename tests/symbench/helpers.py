"""Checks every SymBench task's test file runs (one file per task, see tests/symbench/tasks)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from codesteer.symbench import Item, Task
from codesteer.symbench.items_io import ItemRecord, item_to_json
from codesteer.symbench.original import import_originals
from codesteer.symbench.verify import TaskAgreement, verify_items
from tests.paths import original_root

#: Answers that are not answers to anything; every verifier must give them 0 without raising.
MALFORMED = (
    "",
    "<<<>>>",
    "<<<   >>>",
    "<<<None>>>",
    "<<<null>>>",
    "<<<[]>>>",
    "<<<{}>>>",
    "<<<[[[[[[[[[[>>>",
    "<<<)(>>>",
    "<<<'>>>",
    '<<<"">>>',
    "<<<I don't know>>>",
    "<<<-1e999>>>",
    "<<<nan>>>",
    "<<<" + "9" * 5000 + ">>>",
    "<<<" + "[" * 3000 + "]" * 3000 + ">>>",
    "<<<" + "(" * 3000 + "1" + ")" * 3000 + ">>>",
    "<<<__import__('os').system('echo pwned')>>>",
    "<<<\x00\x01\x02>>>",
    "<<<😀>>>",
    "no brackets at all",
)


def assert_deterministic(
    task: Task[Any], seeds: Iterable[int] = (0, 1), n: int = 5, distinct_n: int = 10
) -> None:
    """Same ``(seed, index, complexity)`` gives the same item; at every level, ``distinct_n``
    consecutive indices give more than one question."""
    for level in task.levels:
        for seed in seeds:
            first = [task.generate(seed, i, level) for i in range(n)]
            again = [task.generate(seed, i, level) for i in range(n)]
            assert first == again, f"{task.name} level {level} is not deterministic"
    mixed = [task.generate(0, i) for i in range(n)]
    assert mixed == [task.generate(0, i) for i in range(n)]
    assert all(item.complexity in task.default_levels for item in mixed)
    for level in task.levels:
        assert_distinct(task, level, n=distinct_n)


def assert_distinct(task: Task[Any], level: int, n: int = 10, min_distinct: int = 2) -> None:
    questions = {task.generate(0, i, level).question for i in range(n)}
    assert len(questions) >= min_distinct, f"{task.name} level {level} repeats itself"


def assert_references_score_one(task: Task[Any], n: int = 8, seed: int = 0) -> list[Item]:
    """The reference answer of items at every level scores exactly 1, also after the item went
    through its JSON form (tuples become lists, keys become strings), and ids are unique."""
    items: list[Item] = []
    for level in task.levels:
        for generated in task.generate_many(n, seed, level):
            item = ItemRecord.model_validate_json(item_to_json(generated)).to_item()
            score = task.score(f"<<<{item.answer}>>>", item)
            assert score.value == 1.0, (
                f"{task.name} level {level} {item.id}: reference {item.answer!r} scored "
                f"{score.value} ({score.reason})"
            )
            assert "<<<" in item.question, f"{item.id}: question does not ask for <<<...>>>"
            items.append(item)
    assert len({item.id for item in items}) == len(items)
    return items


def assert_malformed_score_zero(task: Task[Any], item: Item) -> None:
    for text in MALFORMED:
        score = task.score(text, item)
        assert score.value == 0.0, f"{task.name}: {text[:40]!r} scored {score.value}"
        assert score.reason


def assert_below_one(task: Task[Any], item: Item, answers: Iterable[str]) -> None:
    """Each near-miss scores below 1 (and in [0, 1]), without raising."""
    for answer in answers:
        score = task.score(f"<<<{answer}>>>", item)
        assert 0.0 <= score.value < 1.0, f"{task.name}: near miss {answer!r} scored 1"
        assert score.reason


def assert_originals_agree(
    task: Task[Any], expect_min: int = 1, unusable: int = 0
) -> TaskAgreement:
    """Import the task's original instances and check the stored answers against our verifier.

    Agreement must be total apart from items flagged as known defects (which the task's
    docstring must document); exactly ``unusable`` instances may be impossible to pose.
    """
    report = import_originals(original_root(), [task])
    assert not report.problems, report.problems[:5]
    assert len(report.unusable) == unusable, report.unusable[:5]
    assert all(reason for _, _, reason in report.unusable)
    items = report.items[task.name]
    assert len(items) >= expect_min, f"only {len(items)} original instances of {task.name}"
    agreement = verify_items(items)[task.name]
    assert agreement.ok, agreement.to_dict()
    for reason in agreement.defect_reasons:
        assert reason, "a known defect needs a reason"
    return agreement

from __future__ import annotations

import dataclasses
import json

import pytest

from codesteer.symbench import get_task
from codesteer.symbench._task import RawInstance
from codesteer.symbench.tasks._arith_expressions import expression_text, leaves, value_of
from codesteer.symbench.tasks.combinatorial_calculation import solve
from tests.symbench import helpers

TASK = get_task("combinatorial_calculation")


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    items = helpers.assert_references_score_one(TASK, n=15)
    for item in items:
        knobs = TASK.levels[item.complexity]
        assert len(item.meta["numbers"]) == knobs.count
        assert item.meta["target"] == knobs.target
        assert all(knobs.low <= n <= knobs.high for n in item.meta["numbers"])


@pytest.mark.parametrize(
    ("numbers", "target"),
    [
        ([6, 2, 7], 10),
        ([7, 1, 9, 9, 1], 78),
        ([8, 3, 8, 3], 24),  # only 8 / (3 - 8 / 3): a fraction on the way
        ([3, 1, 4, 3, 7, 5, 8, 1, 3, 7, 5, 8, 9, 9, 4, 9, 1, 8, 2, 9], 500),
    ],
)
def test_solver_keeps_order_and_is_exact(numbers: list[int], target: int) -> None:
    node = solve(numbers, target)
    assert node is not None
    assert leaves(node) == numbers
    assert value_of(node) == target


def test_solver_reports_unsolvable() -> None:
    assert solve([1, 1, 1], 10) is None
    assert solve([3, 3, 8, 8], 24) is None  # 24 needs another order


def test_lenient_formats() -> None:
    item = dataclasses.replace(TASK.generate(0, 0, 1), meta={"numbers": [6, 2, 7], "target": 10})
    variants = (
        "[6, /, 2, +, 7]",
        '["6", "/", "2", "+", "7"]',
        "['6','/','2','+','7']",
        "6, /, 2, +, 7",
        "6 / 2 + 7",
        "6/2+7 = 10",
        "(6 / 2) + 7",
        "[(, 6, /, 2, ), +, 7]",
        "6 ÷ 2 + 7",
    )
    for variant in variants:
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_order_is_enforced() -> None:
    item = dataclasses.replace(TASK.generate(0, 0, 1), meta={"numbers": [6, 2, 7], "target": 10})
    score = TASK.score("<<<7 + 6 / 2>>>", item)
    assert score.value == 0.0
    assert "order" in score.reason


def test_near_misses() -> None:
    item = TASK.generate(0, 1, 5)
    numbers = item.meta["numbers"]
    expression = expression_text(item.answer)
    helpers.assert_below_one(
        TASK,
        item,
        [
            f"{expression} + {numbers[-1]}",  # the last number used twice
            f"{numbers[-1]} + {expression}",  # out of order and a number reused
            f"({expression}) * 2 = {item.meta['target'] * 2}",  # a wrong claim
            f"-{expression}",  # unary minus
            "[" + ", ".join(map(str, numbers)) + "]",  # glued numbers, no operations
            "(" + " + ".join(map(str, reversed(numbers))) + ")",  # reversed order
            f"{expression} = {item.meta['target'] + 1}",
        ],
    )
    glued = TASK.score("<<<[6, 9]>>>", item)
    assert glued.value == 0.0


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


def test_stored_solution_rendered_as_token_list() -> None:
    record = {"numbers": [6, 2, 7], "target": 10, "solution": ["6", "/", "2", "+", "7"]}
    raw = RawInstance(
        "combinatorial_calculation/sample_0",
        {"solution.json": json.dumps(record), "question.txt": "..."},
    )
    item = TASK.parse_original(raw)
    assert item.original_answer == "[6, /, 2, +, 7]"
    assert item.complexity == 1
    assert TASK.score(f"<<<{item.original_answer}>>>", item).value == 1.0
    assert TASK.score(f"<<<{item.answer}>>>", item).value == 1.0


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=180)
    # every stored solution keeps the numbers in order and is exact
    assert agreement.agree == agreement.total

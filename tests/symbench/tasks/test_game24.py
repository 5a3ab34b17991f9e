from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest

from codesteer.symbench import get_task
from codesteer.symbench._arith import evaluate
from codesteer.symbench._task import RawInstance
from codesteer.symbench.tasks._arith_expressions import leaves, value_of
from codesteer.symbench.tasks.game24 import solve
from tests.symbench import helpers

TASK = get_task("game24")


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=10)


@pytest.mark.parametrize(
    ("numbers", "target"),
    [
        ([3, 3, 8, 8], 24),  # needs a fraction: 8 / (3 - 8 / 3)
        ([1, 5, 5, 5], 24),  # 5 * (5 - 1 / 5)
        ([3, 7, 3, 7], 24),  # 7 * (3 + 3 / 7)
        ([1, 1, 1, 1, 1, 1, 1, 3, 8], 24),
        ([5, 8, 8, 11, 14, 15, 15, 20, 21, 22, 23, 23, 24, 27, 31, 35, 36, 38, 39, 40], 122880),
    ],
)
def test_solver_is_exact(numbers: list[int], target: int) -> None:
    node = solve(numbers, target)
    assert node is not None
    assert value_of(node) == target
    assert sorted(leaves(node)) == sorted(numbers)


def test_solver_reports_unsolvable() -> None:
    assert solve([1, 1, 1, 1], 24) is None
    assert solve([13, 13, 13, 13], 24) is None


def test_exact_arithmetic_accepted() -> None:
    item = dataclasses.replace(TASK.generate(0, 0, 2), meta={"numbers": [3, 3, 8, 8], "target": 24})
    for variant in ("8/(3-8/3)", "8 / (3 - 8 / 3) = 24", "8÷(3−8÷3)", "\\frac{8}{3-\\frac{8}{3}}"):
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_lenient_formats() -> None:
    item = TASK.generate(0, 0, 2)
    expression = item.answer.split("=")[0].strip()
    variants = (
        expression,
        f"{expression} = 24",
        f"'{expression} = 24'",
        f"`{expression}`",
        expression.replace("*", "×").replace("/", "÷"),
        expression.replace("(", "[").replace(")", "]"),
        f" {expression}  ",
        f"{expression} = 24.",
        f"{expression} = 24.0",
    )
    for variant in variants:
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_near_misses() -> None:
    item = TASK.generate(0, 1, 2)
    numbers = item.meta["numbers"]
    expression = item.answer.split("=")[0].strip()
    assert evaluate(expression).value == 24
    misses = [
        f"{expression} + {numbers[0]}",  # a number used twice
        f"({expression}) * 2",  # an extra number (or 2 used once too often)
        f"{expression} = 25",  # a wrong claim
        f"-{expression}",  # unary minus
        "8 * 3",  # the right value from other numbers
        expression[:-1],  # broken syntax or a changed last number
    ]
    if sum(numbers) != 24:
        misses.append(" + ".join(map(str, numbers)))  # the right numbers, a wrong value
    helpers.assert_below_one(TASK, item, misses)


def test_float_approximation_is_rejected() -> None:
    item = dataclasses.replace(
        TASK.generate(0, 0, 2), meta={"numbers": [1, 24, 1000, 1000], "target": 24}
    )
    score = TASK.score("<<<24 + 1 / (1000 * 1000)>>>", item)
    assert score.value == 0.0
    assert "evaluates to" in score.reason
    assert TASK.score("<<<24 * 1 * (1000 / 1000)>>>", item).value == 1.0


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


def test_float_tolerant_stored_solution_is_a_known_defect() -> None:
    raw = RawInstance(
        "game24_dataset/24/24_4_number.csv#row=1",
        {"Rank": "1", "Puzzles": "1 24 1000 1000", "Solutions": "24+(1/(1000*1000))"},
    )
    item = TASK.parse_original(raw)
    assert item.known_defect is not None and "not exact" in item.known_defect
    assert TASK.score(f"<<<{item.answer}>>>", item).value == 1.0
    good = TASK.parse_original(
        RawInstance(raw.path, {"Rank": "1", "Puzzles": "1 2 3 4", "Solutions": "1*2*3*4"})
    )
    assert good.known_defect is None and good.original_answer == "1*2*3*4"
    wrong = TASK.parse_original(
        RawInstance(raw.path, {"Rank": "1", "Puzzles": "1 2 3 4", "Solutions": "1+2+3+4"})
    )
    assert wrong.known_defect is None  # plainly wrong is not excused as a float artefact
    assert Fraction(24) == evaluate(item.answer.split("=")[0]).value


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=13000)
    assert agreement.solver_only == 1362  # 24.csv stores no solutions
    assert agreement.known_defects == 35  # 24_40 (7), 24_60 (10), 24_80 (17), 24_8 (1)
    assert agreement.agree == agreement.total - 1362 - 35


def test_original_levels_and_missing_solution() -> None:
    plain = TASK.parse_original(
        RawInstance("game24_dataset/24/24.csv#row=5", {"Rank": "5", "Puzzles": "1 1 2 12"})
    )
    assert plain.complexity == 2 and plain.original_answer is None
    assert TASK.score(f"<<<{plain.answer}>>>", plain).value == 1.0
    other = TASK.parse_original(
        RawInstance(
            "game24_dataset/24/24_4_number.csv#row=1",
            {"Rank": "1", "Puzzles": "1 2 3 19", "Solutions": "19+3+2*1"},
        )
    )
    assert other.complexity is None
    assert TASK.score(f"<<<{other.original_answer}>>>", other).value == 1.0

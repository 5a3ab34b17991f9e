from __future__ import annotations

from fractions import Fraction

import pytest

from codesteer.symbench import Item, get_task
from codesteer.symbench._task import RawInstance
from codesteer.symbench.tasks.new_operator import DEFECT, evaluate, parse_expression
from tests.symbench import helpers

TASK = get_task("new_operator")

OPERATORS = {"~": ["mul", 1], "&": ["lin", 5, 5], "@": ["mul", 3], "#": ["ratio"]}


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=20)


def test_left_to_right_with_parentheses_first() -> None:
    # (3~4)&5@6 = ((3*4) & 5) @ 6 = (5*12 + 5*5) @ 6 = 3*85*6
    assert evaluate(parse_expression("(3~4)&5@6"), OPERATORS) == 1530
    # a right-hand group is evaluated before the operator to its left applies
    assert evaluate(parse_expression("2~(3&1)"), OPERATORS) == 40
    assert evaluate(parse_expression("1#3"), OPERATORS) == Fraction(4, 3)


def _fraction_item() -> tuple[Item, Fraction]:
    for index in range(200):
        item = TASK.generate(0, index, 1)
        value = Fraction(item.answer)
        if value.denominator % 3 == 0:
            return item, value
    raise AssertionError("no non-terminating value drawn")


def test_lenient_formats() -> None:
    item = TASK.generate(0, 0, 2)
    value = Fraction(item.answer)
    for variant in (
        item.answer,
        f" {item.answer}. ",
        f"${item.answer}$",
        f"\\boxed{{{item.answer}}}",
        f"[{item.answer}]",
        f"x = {item.answer}",
        f"\\frac{{{value.numerator}}}{{{value.denominator}}}",
    ):
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant
    repeating, exact = _fraction_item()
    for variant in (f"{float(exact):.6f}", repr(float(exact)), f"{float(exact):.12f}"):
        assert TASK.score(f"<<<{variant}>>>", repeating).value == 1.0, variant


def test_near_misses() -> None:
    item = TASK.generate(0, 1, 2)
    value = Fraction(item.answer)
    helpers.assert_below_one(
        TASK,
        item,
        [
            str(value + 1),
            str(-value),
            f"{value.denominator}/{value.numerator}" if value != 1 else "2",
            str(value * 10),
        ],
    )
    repeating, exact = _fraction_item()
    helpers.assert_below_one(
        TASK,
        repeating,
        [
            f"{float(exact):.2f}",  # too few places for a non-terminating value
            f"{float(exact) + 1e-5:.7f}",  # seven places but not the value
            str(int(exact)),  # truncated to an integer
        ],
    )


def test_right_group_matters() -> None:
    # dropping the parentheses of a right-hand group (plain left to right) must score 0
    for index in range(50):
        item = TASK.generate(3, index, 4)
        flat = parse_expression(item.meta["expression"].replace("(", "").replace(")", ""))
        wrong = evaluate(flat, item.meta["operators"])
        if wrong != Fraction(item.answer):
            helpers.assert_below_one(TASK, item, [str(wrong)])
            return
    raise AssertionError("no item where the grouping changes the value")


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


def _raw(expression: str, stored: float) -> RawInstance:
    solution = (
        f'{{"solution": {stored}, "complexity": 5, "operator_definitions": '
        '{"~": "1*a*b", "&": "5*a+5*b", "@": "3*a*b"}}'
    )
    return RawInstance(
        "new_operator_dataset/sample_0",
        {"question.txt": f"Calculate {expression}.\n", "solution.json": solution},
    )


def test_known_defect_detected() -> None:
    # the original stored 5@6 = 90 for (3~4)&5@6: '&' comes after '@' in # @ $ & % ~
    item = TASK.parse_original(_raw("(3~4)&5@6", 90.0))
    assert item.known_defect == DEFECT
    assert item.answer == "1530"
    assert TASK.score("<<<90>>>", item).value == 0.0
    correct = TASK.parse_original(_raw("(3~4)&5@6", 1530.0))
    assert correct.known_defect is None
    unexplained = TASK.parse_original(_raw("(3~4)&5@6", 7.0))
    assert unexplained.known_defect is None


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=100)
    assert agreement.agree + agreement.known_defects == agreement.total
    assert set(agreement.defect_reasons) <= {DEFECT}

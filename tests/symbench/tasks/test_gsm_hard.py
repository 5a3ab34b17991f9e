from __future__ import annotations

from fractions import Fraction

import pytest

from codesteer.symbench import Item, get_task
from codesteer.symbench.tasks.gsm_hard import (
    IGNORED_NUMBER_DEFECT,
    ignored_numbers,
    interpret,
    read_number,
)
from tests.symbench import helpers

TASK = get_task("gsm_hard")

PROGRAM = '''
def solution():
    """Tom has 3 boxes of 12 pens and gives away 5 pens. How many pens are left?"""
    boxes = 3
    pens = boxes * 12
    pens -= 5
    share = 1 / 4
    result = pens * share * 4
    return result
'''


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=20)


def test_generated_answers_are_whole_and_non_negative() -> None:
    for level in TASK.levels:
        for index in range(20):
            value = Fraction(TASK.generate(4, index, level).meta["target"])
            assert value.denominator == 1
            assert value >= 0


def test_interpreter_reads_straight_line_programs() -> None:
    assert interpret(PROGRAM) == 31
    assert interpret("def solution():\n    for i in range(3):\n        pass\n    return 1") is None
    assert interpret("def solution():\n    return __import__('os')") is None
    assert interpret("not python (") is None


def test_ignored_numbers_rule() -> None:
    # The question states 36 pens per box but the program still multiplies by 12.
    garbled = "Tom has 3 boxes of 36 pens and gives away 5 pens. How many pens are left?"
    assert ignored_numbers(garbled, PROGRAM) == ["36"]
    # A number the program computes from constants alone (1 / 4) counts as used.
    stated = "Tom has 3 boxes of 12 pens, gives away 5 and keeps 0.25 of them four times over."
    assert ignored_numbers(stated, PROGRAM) == []


def test_read_number() -> None:
    assert read_number("$1,234") == 1234
    assert read_number("1234 dollars") == 1234
    assert read_number("12 boxes and 3 crates") is None
    assert read_number("-7.5") == Fraction(-15, 2)


def _item(target: str) -> Item:
    return Item(
        task="gsm_hard", id="t", question="q <<<1>>>", answer=target, meta={"target": target}
    )


def test_tolerance_is_relative_one_in_a_thousand() -> None:
    item = _item("1000000")
    assert TASK.score("<<<1000999>>>", item).value == 1.0
    assert TASK.score("<<<1001001>>>", item).value == 0.0
    zero = _item("0")
    assert TASK.score("<<<0.0>>>", zero).value == 1.0
    assert TASK.score("<<<0.01>>>", zero).value == 0.0


def test_lenient_formats() -> None:
    item = TASK.generate(0, 0, 2)
    value = int(item.answer)
    for variant in (
        item.answer,
        f"{value:,}",
        f"${value}",
        f"{value}.0",
        f"{value} {'dollars'}",
        f"The answer is {value}.",
        f"{value:.6e}",
    ):
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_near_misses() -> None:
    item = TASK.generate(0, 1, 2)
    value = int(item.answer)
    helpers.assert_below_one(
        TASK,
        item,
        [
            str(value * 2 + 10),  # off by far more than 0.1%
            str(-value) if value else "5",
            str(value + value // 100 + 1),  # 1% too high
            f"{value} or {value + 1}",  # two numbers
            item.answer[:-1] or "1",  # a digit short
        ],
    )


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=1319)
    assert agreement.agree == 1257
    assert agreement.known_defects == 62
    assert set(agreement.defect_reasons) == {IGNORED_NUMBER_DEFECT}

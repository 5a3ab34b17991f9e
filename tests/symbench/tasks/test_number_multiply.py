from __future__ import annotations

import math

import pytest

from codesteer.symbench import get_task
from codesteer.symbench.tasks.number_multiply import parse_product
from tests.symbench import helpers

TASK = get_task("number_multiply")


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=20)


def test_factors_have_the_requested_digits() -> None:
    for level, knobs in TASK.levels.items():
        item = TASK.generate(3, 0, level)
        factors = item.meta["factors"]
        assert [len(str(abs(f))) for f in factors] == list(knobs.digits)
        assert all(abs(f) >= 2 for f in factors)
        assert int(item.answer) == math.prod(factors)


def test_lenient_formats() -> None:
    item = TASK.generate(0, 0, 4)
    answer = int(item.answer)
    variants = (
        f"{answer:,}",
        f"{answer:_}",
        f"{answer:,}".replace(",", " "),
        f"{answer}.0",
        f"'{answer}'",
        f"{answer}.",
        f"= {answer}",
        f"{' * '.join(map(str, item.meta['factors']))} = {answer}",
        str(answer).replace("-", "\u2212"),
    )
    for variant in variants:
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_near_misses() -> None:
    item = TASK.generate(0, 1, 3)
    answer = int(item.answer)
    helpers.assert_below_one(
        TASK,
        item,
        [
            str(-answer),  # wrong sign
            str(answer + 1),  # off by one
            str(answer) + "5",  # the product as a substring (the original accepted this)
            "1" + str(abs(answer)),
            str(answer)[:-1],
            f"{answer}.5",
            f"{answer} or {answer + 1}",
        ],
    )
    assert parse_product(f"{answer}5") == answer * 10 + (5 if answer > 0 else -5)


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=400)
    assert agreement.agree == agreement.total


def test_grouping_must_be_in_threes() -> None:
    assert parse_product("1,234,567") == 1234567
    assert parse_product("-1 234 567") == -1234567
    assert parse_product("1,23,4567") is None
    assert parse_product("1, 234") is None
    assert parse_product("1,234_567") is None

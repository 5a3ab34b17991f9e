from __future__ import annotations

from fractions import Fraction

import pytest

from codesteer.symbench import get_task
from codesteer.symbench.tasks.pooling import pool
from tests.symbench import helpers

TASK = get_task("pooling")


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=10)


def test_pool_rule() -> None:
    matrix = [[-1, 7, 20], [6, 16, -4], [9, 13, 7]]
    assert pool(matrix, 2, "max") == [[16, 20], [16, 16]]
    assert pool(matrix, 2, "average") == [
        [Fraction(7), Fraction(39, 4)],
        [Fraction(11), Fraction(8)],
    ]


def _decimals(item_answer: str, digits: int) -> list[str]:
    return [f"{float(Fraction(v)):.{digits}f}" for v in item_answer.split(",")]


def test_lenient_formats_max() -> None:
    item = TASK.generate(0, 0, 2)
    values = item.answer.split(",")
    side = 3
    rows = [values[i : i + side] for i in range(0, len(values), side)]
    for variant in (
        " , ".join(values),
        " ".join(values),
        "\n".join(" ".join(row) for row in rows),
        str([[int(v) for v in row] for row in rows]),
        "[" + ", ".join(f'"{v}"' for v in values) + "]",
        ",".join(f"{v}.0" for v in values),
        item.answer + ".",
    ):
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_lenient_formats_average() -> None:
    item = TASK.generate(0, 0, 5)
    decimals = _decimals(item.answer, 6)
    for variant in (
        ",".join(decimals),
        ",".join(_decimals(item.answer, 10)),
        item.answer.replace("/", " / "),
        "[" + ", ".join(decimals) + "]",
    ):
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_near_misses() -> None:
    item = TASK.generate(0, 1, 2)
    values = [int(v) for v in item.answer.split(",")]
    bumped = [*values[:-1], values[-1] + 1]
    helpers.assert_below_one(
        TASK,
        item,
        [
            ",".join(str(v) for v in bumped),  # one value off by one
            ",".join(str(v) for v in values[:-1]),  # one value missing
            ",".join(str(v) for v in [*values, 0]),  # one value too many
            ",".join(str(v) for v in values[::-1]) if values != values[::-1] else "0",
            ",".join(str(v + 0.5) for v in values),  # not the integers
        ],
    )


def test_average_needs_six_decimals() -> None:
    # pick an item whose averages are not all multiples of 1/100, so rounding shows
    item = next(
        it
        for it in TASK.generate_many(20, 3, 6)
        if any(Fraction(v).denominator not in (1, 2, 4) for v in it.answer.split(","))
    )
    for digits in (1, 2, 3):
        rounded = ",".join(_decimals(item.answer, digits))
        assert TASK.score(f"<<<{rounded}>>>", item).value == 0.0, digits
    exact = item.answer.split(",")
    truncated = [str(int(Fraction(v))) for v in exact]  # the original checker's int() reading
    helpers.assert_below_one(TASK, item, [",".join(truncated)])


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))
    item = TASK.generate(0, 2, 4)
    for hostile in ("1e9999999," * 9, "1/0," * 9, "nan," * 9):
        assert TASK.score(f"<<<{hostile}>>>", item).value == 0.0


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=100)
    # the stored averages are full-precision floats: all agree, none is a known defect
    assert agreement.known_defects == 0
    assert agreement.agree == agreement.total

from __future__ import annotations

import pytest

from codesteer.symbench import get_task
from codesteer.symbench.tasks.matrix_transformation import rotate_clockwise
from tests.symbench import helpers

TASK = get_task("matrix_transformation")


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=10)


def test_rotation() -> None:
    assert rotate_clockwise([["Q", "R"], ["J", "H"]]) == [["J", "Q"], ["H", "R"]]
    assert rotate_clockwise([["1", "2", "3"], ["4", "5", "6"]]) == [
        ["4", "1"],
        ["5", "2"],
        ["6", "3"],
    ]


def test_lenient_formats() -> None:
    item = TASK.generate(0, 0, 4)  # 3 x 4 letters and digits: 4 x 3 rotated
    cells = item.answer.split(",")
    rows = [cells[i : i + 3] for i in range(0, 12, 3)]
    for variant in (
        ", ".join(cells),
        " ".join(cells),
        "\n".join(" ".join(row) for row in rows),
        ",".join("".join(row) for row in rows),
        str(rows),
        "[" + ", ".join(f'"{c}"' for c in cells) + "]",
        item.answer.lower(),
        item.answer + ".",
    ):
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_symbols_are_kept() -> None:
    item = TASK.generate(0, 0, 5)
    assert TASK.score(f"<<<[{item.answer}]>>>", item).value == 1.0


def test_near_misses() -> None:
    item = TASK.generate(0, 1, 4)
    matrix = item.meta["matrix"]
    cells = item.answer.split(",")
    counter = rotate_clockwise(rotate_clockwise(rotate_clockwise(matrix)))
    other = next(i for i, cell in enumerate(cells) if cell != cells[0])
    swapped = cells[:]
    swapped[0], swapped[other] = cells[other], cells[0]
    helpers.assert_below_one(
        TASK,
        item,
        [
            ",".join(c for row in matrix for c in row),  # unchanged
            ",".join(c for row in counter for c in row),  # the other direction
            ",".join(c for col in zip(*matrix, strict=True) for c in col),  # transposed
            ",".join(cells[:-1]),  # a cell missing
            ",".join(swapped),  # two cells swapped
        ],
    )


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=100)
    assert agreement.agree == agreement.total

from __future__ import annotations

import json

import pytest

from codesteer.symbench import get_task
from codesteer.symbench.tasks.game_2048 import play
from tests.symbench import helpers

TASK = get_task("game_2048")


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=20)


def test_move_rules() -> None:
    grid = [[0, 16], [4, 2]]
    # d is blocked by a different value, l moves into the empty cell.
    assert play(grid, (0, 1), "dl") == [[16, 0], [4, 2]]
    # Off the grid nothing happens; equal values merge and the merged tile keeps moving.
    assert play([[2, 2, 0], [0, 0, 4]], (0, 0), "urrd") == [[0, 0, 0], [0, 0, 8]]
    # An empty start cell moves nothing.
    assert play(grid, (0, 0), "rd") == grid
    assert grid == [[0, 16], [4, 2]]  # the input is not modified


def test_generated_tiles_move() -> None:
    for item in TASK.generate_many(20, 0, 1):
        assert json.loads(item.answer) != item.meta["grid"]


def test_lenient_formats() -> None:
    item = TASK.generate(0, 0, 3)
    rows = json.loads(item.answer)
    for variant in (
        "\n".join(", ".join(map(str, row)) for row in rows),
        "\n".join(" ".join(map(str, row)) for row in rows),
        "; ".join(", ".join(map(str, row)) for row in rows),
        "\n".join(str(row) for row in rows),
        json.dumps(rows),
        " ".join(str(v) for row in rows for v in row),
        str([[str(v) for v in row] for row in rows]),
    ):
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_near_misses() -> None:
    item = TASK.generate(0, 1, 3)
    rows = json.loads(item.answer)
    flat = [v for row in rows for v in row]
    bumped = [row[:] for row in rows]
    bumped[0][0] = bumped[0][0] * 2 or 2  # one wrong cell
    reshaped = [flat[:2], flat[2:]]  # the right numbers in the wrong shape
    helpers.assert_below_one(
        TASK,
        item,
        [
            json.dumps(item.meta["grid"]),  # unchanged
            json.dumps(bumped),
            json.dumps(rows[::-1]) if rows[::-1] != rows else json.dumps(bumped[::-1]),
            json.dumps(reshaped),
            json.dumps(rows[:-1]),
            ", ".join(map(str, flat[:-1])),
        ],
    )


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=140)
    assert agreement.agree == agreement.total

from __future__ import annotations

import json

import pytest

from codesteer.symbench import Item, get_task
from codesteer.symbench.tasks.letter_logic_diagram import solve, violation
from tests.symbench import helpers

TASK = get_task("letter_logic_diagram")


def _rows(item: Item) -> list[list[str]]:
    return [line.split(",") for line in item.answer.splitlines()]


def _fmt(rows: list[list[str]]) -> str:
    return "\n".join(",".join(row) for row in rows)


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=10)


def test_solver_completes_generated_puzzles() -> None:
    for level in (1, 4, 6, 7):
        for item in TASK.generate_many(10, 3, level):
            puzzle = item.meta["puzzle"]
            found = solve(puzzle)
            assert found is not None and violation(puzzle, found) is None


def test_any_valid_completion_passes() -> None:
    # a single given letter leaves many completions; a relabelled cyclic square is one of them
    puzzle: list[list[str | None]] = [[None] * 7 for _ in range(7)]
    puzzle[0][0] = "c"
    item = Item(TASK.name, "x", "", "", {"puzzle": puzzle})
    order = "cdefgab"
    other = [[order[(r + c) % 7] for c in range(7)] for r in range(7)]
    assert TASK.score(f"<<<{_fmt(other)}>>>", item).value == 1.0
    mirrored = [[order[(c - r) % 7] for c in range(7)] for r in range(7)]  # main diagonal
    score = TASK.score(f"<<<{_fmt(mirrored)}>>>", item)
    assert score.value == 0.0 and "diagonal" in score.reason


def test_lenient_formats() -> None:
    item = TASK.generate(0, 0, 3)
    rows = _rows(item)
    variants = (
        item.answer,
        item.answer.upper(),
        json.dumps(rows),
        str(rows),
        json.dumps(rows).replace("], [", "],\n["),
        "\n".join("".join(row) for row in rows),
        "\n".join(" ".join(row) for row in rows),
        "\n".join(f"Row {i + 1}: {', '.join(row)}" for i, row in enumerate(rows)),
        f"\n{item.answer}\n",
    )
    for variant in variants:
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_near_misses() -> None:
    item = TASK.generate(0, 1, 4)
    puzzle = item.meta["puzzle"]
    rows = _rows(item)
    # swapping two cells of a row keeps the row valid but breaks two columns (or a given)
    swapped = [row[:] for row in rows]
    swapped[0][0], swapped[0][1] = swapped[0][1], swapped[0][0]
    # swapping two whole rows keeps rows and columns valid but breaks the diagonal or a given
    rows_swapped = [rows[1], rows[0], *rows[2:]]
    # a given letter replaced by another leaves a repeat in its row
    r, c = next((r, c) for r in range(7) for c in range(7) if puzzle[r][c] is not None)
    changed = [row[:] for row in rows]
    changed[r][c] = next(letter for letter in "abcdefg" if letter != rows[r][c])
    helpers.assert_below_one(
        TASK,
        item,
        [
            _fmt(swapped),
            _fmt(rows_swapped),
            _fmt(changed),
            _fmt(rows[:-1]),  # a row missing
            _fmt([*rows[:-1], ["a"] * 7]),
            item.answer.replace("a", "h"),  # a letter outside a..g
        ],
    )


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=100)
    assert agreement.agree == agreement.total

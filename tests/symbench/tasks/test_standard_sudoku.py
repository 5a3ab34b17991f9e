from __future__ import annotations

import json
import random

import pytest

from codesteer.symbench import Item, get_task
from codesteer.symbench.tasks.standard_sudoku import (
    SudokuKnobs,
    make_puzzle,
    solve,
    violation,
)
from tests.symbench import helpers

TASK = get_task("standard_sudoku")


def _cells(item: Item) -> list[int]:
    return [int(v) for line in item.answer.splitlines() for v in line.split(",")]


def _fmt(cells: list[int]) -> str:
    return "\n".join(",".join(str(v) for v in cells[r * 9 : r * 9 + 9]) for r in range(9))


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK, n=3, distinct_n=4)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=6)


def test_generated_puzzles_are_unique_with_drawn_blanks() -> None:
    for level in (1, 5):
        knobs = TASK.levels[level]
        assert isinstance(knobs, SudokuKnobs)
        for item in TASK.generate_many(6, 4, level):
            puzzle = [v for row in item.meta["puzzle"] for v in row]
            assert knobs.min_blanks <= puzzle.count(0) <= knobs.max_blanks
            solution = _cells(item)
            for i in range(81):
                if not puzzle[i]:
                    assert solve(puzzle, avoid=(i, solution[i])) is None


def _deadly_rectangle(cells: list[int]) -> list[int] | None:
    """Four cells a b / b a in two rows of one band and two columns of different stacks:
    swapping a and b keeps every row, column and box valid."""
    for r1 in range(9):
        for r2 in range(r1 + 1, r1 // 3 * 3 + 3):
            for c1 in range(9):
                for c2 in range(c1 // 3 * 3 + 3, 9):
                    a, b = cells[r1 * 9 + c1], cells[r1 * 9 + c2]
                    if cells[r2 * 9 + c1] == b and cells[r2 * 9 + c2] == a:
                        return [r1 * 9 + c1, r1 * 9 + c2, r2 * 9 + c1, r2 * 9 + c2]
    return None


def test_solver_finds_a_second_solution() -> None:
    for seed in range(50):
        _, solution = make_puzzle(random.Random(seed), 0)
        rectangle = _deadly_rectangle(solution)
        if rectangle is not None:
            break
    assert rectangle is not None
    puzzle = [0 if i in rectangle else v for i, v in enumerate(solution)]
    other = solve(puzzle, avoid=(rectangle[0], solution[rectangle[0]]))
    assert other is not None and other != solution and violation(puzzle, other) is None
    assert solve(puzzle) in (solution, other)


def test_lenient_formats() -> None:
    item = TASK.generate(0, 0, 5)
    cells = _cells(item)
    rows = [cells[r * 9 : r * 9 + 9] for r in range(9)]
    variants = (
        item.answer,
        json.dumps(rows),
        json.dumps(rows, indent=2),
        str([[str(v) for v in row] for row in rows]),
        "\n".join("".join(str(v) for v in row) for row in rows),
        "\n".join(" ".join(str(v) for v in row) for row in rows),
        "\n".join(f"Row {r + 1}: " + ", ".join(map(str, row)) for r, row in enumerate(rows)),
    )
    for variant in variants:
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_near_misses() -> None:
    item = TASK.generate(0, 1, 5)
    puzzle = [v for row in item.meta["puzzle"] for v in row]
    cells = _cells(item)
    blank = puzzle.index(0)
    given = next(i for i in range(81) if puzzle[i])
    wrong_blank = cells[:]
    wrong_blank[blank] = cells[blank] % 9 + 1  # repeats a digit of its row
    wrong_given = cells[:]
    wrong_given[given] = cells[given] % 9 + 1
    # two rows of a band swapped: still a valid Sudoku, but the given cell changes
    row = given // 9
    other = row + 1 if row % 3 != 2 else row - 1
    swapped_rows = cells[:]
    swapped_rows[row * 9 : row * 9 + 9] = cells[other * 9 : other * 9 + 9]
    swapped_rows[other * 9 : other * 9 + 9] = cells[row * 9 : row * 9 + 9]
    relabelled = [v % 9 + 1 for v in cells]  # a valid Sudoku, but not these givens
    assert violation(puzzle, relabelled) is not None
    helpers.assert_below_one(
        TASK,
        item,
        [
            _fmt(wrong_blank),
            _fmt(wrong_given),
            _fmt(swapped_rows),
            _fmt(relabelled),
            _fmt(cells[:-9]),  # a row missing
            _fmt(puzzle),  # the puzzle itself, zeros and all
            item.answer.replace("9", "0"),
        ],
    )


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=60)
    assert agreement.agree == agreement.total

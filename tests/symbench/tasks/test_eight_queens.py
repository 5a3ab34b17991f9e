from __future__ import annotations

import json
import random

import pytest

from codesteer.symbench import Item, get_task
from codesteer.symbench._task import RawInstance
from codesteer.symbench.tasks.eight_queens import attack, board_rows, solve, violation
from tests.symbench import helpers

TASK = get_task("eight_queens")


def _queens(item: Item) -> list[tuple[int, int]]:
    pairs = [part.split() for part in item.answer.split(",")]
    return [(int(r), int(c)) for r, c in pairs]


def _fmt(queens: list[tuple[int, int]]) -> str:
    return ", ".join(f"{r} {c}" for r, c in queens)


def _item_with_placed(level: int) -> Item:
    """A generated item with at least one pre-placed queen and one blocked cell."""
    return next(
        item
        for item in TASK.generate_many(50, 0, level)
        if item.meta["placed"] and item.meta["blocked"]
    )


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=15)


def test_solver() -> None:
    for n in (4, 8, 20, 30):
        queens = solve(n, [], [], rng=random.Random(n))
        assert queens is not None and violation(n, [], [], queens) is None
    # the 4x4 board has two placements; blocking (0, 1) and (0, 2) leaves none
    assert solve(4, [], [(0, 1), (0, 2)]) is None
    assert solve(8, [(0, 0), (1, 1)], []) is None  # the given queens attack each other
    for item in TASK.generate_many(20, 7, 3):
        meta = item.meta
        placed = [tuple(q) for q in meta["placed"]]
        blocked = [tuple(b) for b in meta["blocked"]]
        found = solve(meta["size"], placed, blocked)
        assert found is not None and violation(meta["size"], placed, blocked, found) is None


def test_lenient_formats() -> None:
    item = _item_with_placed(3)
    queens = _queens(item)
    n = item.meta["size"]
    board = [["0"] * n for _ in range(n)]
    for r, c in queens:
        board[r][c] = "Q"
    variants = (
        item.answer,
        _fmt(queens[::-1]),
        ", ".join(f"({r},{c})" for r, c in queens),
        json.dumps([list(q) for q in queens]),
        "\n".join(f"{r} {c}" for r, c in queens),
        "\n".join("".join(row) for row in board),
        "\n".join("".join(row) for row in board).replace("Q", "1"),
        f"[{item.answer}].",
    )
    for variant in variants:
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_near_misses() -> None:
    item = _item_with_placed(4)
    n = item.meta["size"]
    queens = _queens(item)
    placed = tuple(item.meta["placed"][0])
    blocked = tuple(item.meta["blocked"][0])
    others = [q for q in queens if q != placed]
    # a placement that avoids the blocked cells and the given queen's cell: only the
    # pre-placed rule rejects it
    blocked_cells = [(r, c) for r, c in item.meta["blocked"]]
    free = solve(n, [], [placed, *blocked_cells])
    assert free is not None
    assert "pre-placed" in TASK.score(f"<<<{_fmt(free)}>>>", item).reason
    shifted = [(r, (c + 1) % n) for r, c in queens]  # same rows, every column moved
    helpers.assert_below_one(
        TASK,
        item,
        [
            _fmt(queens[:-1]),  # one queen short
            _fmt([*queens[:-1], queens[0]]),  # a queen listed twice
            _fmt([*others, blocked]),  # the given queen swapped for a blocked cell
            _fmt(free),
            _fmt([*queens[:-1], (n, 0)]),  # off the board
            _fmt([*queens[:-1], (-1, 0)]),
            _fmt(shifted),
            _fmt([*queens, (queens[0][0], queens[1][1])]),  # nine queens
        ],
    )


def test_attacks_are_named() -> None:
    item = Item(TASK.name, "x", "", "", {"size": 4, "placed": [], "blocked": []})
    assert TASK.score("<<<1 0, 3 1, 0 2, 2 3>>>", item).value == 1.0
    score = TASK.score("<<<0 0, 1 2, 2 1, 3 3>>>", item)  # (0,0) and (3,3) share a diagonal
    assert score.value == 0.0 and "attacks" in score.reason
    assert attack((0, 0), (3, 3)) and not attack((0, 1), (2, 2))


def _raw(placed: list[list[int]], blocked: list[list[int]], stored: list[list[int]]) -> RawInstance:
    data = {
        "initial_board": board_rows(8, [(r, c) for r, c in placed], [(r, c) for r, c in blocked]),
        "blocked_positions": blocked,
        "placed_queens": placed,
        "solution": stored,
        "complexity": 3,
    }
    return RawInstance("eight_queens_dataset/sample_x", {"solution.json": json.dumps(data)})


def test_original_requires_placed_queens() -> None:
    # the original checker would accept any valid placement here, even without (7, 0)
    raw = _raw([[7, 0]], [[3, 7]], [[7, 0], [0, 2], [1, 5], [2, 3], [3, 1], [4, 7], [5, 4], [6, 6]])
    item = TASK.parse_original(raw)
    assert item.original_answer is not None
    assert TASK.score(f"<<<{item.original_answer}>>>", item).value == 1.0
    without = "0 0, 1 4, 2 7, 3 5, 4 2, 5 6, 6 1, 7 3"  # a valid 8-queens placement
    score = TASK.score(f"<<<{without}>>>", item)
    assert score.value == 0.0 and "pre-placed" in score.reason


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=300)
    assert agreement.agree == agreement.total

from __future__ import annotations

import pytest

from codesteer.symbench import get_task
from codesteer.symbench.tasks.reversi import (
    BLACK,
    WHITE,
    flatten,
    flips,
    initial_board,
    legal_moves,
    play,
)
from tests.symbench import helpers

TASK = get_task("reversi")


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=20)


def test_rules_flip_only_bracketed_lines() -> None:
    board = initial_board(4)
    assert sorted(legal_moves(board, BLACK)) == [(0, 1), (1, 0), (2, 3), (3, 2)]
    # Black at (4,3) brackets the white piece at (3,3) against the black piece at (2,3).
    after = play(board, [(BLACK, (3, 2))])
    assert flatten(after) == "*,*,*,*,*,1,0,*,*,0,0,*,*,*,0,*"
    # White at (4,4) brackets (3,3) against (2,2) on the diagonal; nothing along row 4.
    assert flips(after, 3, 3, WHITE) == [(2, 2)]
    assert flips(after, 1, 1, WHITE) == []  # occupied cell


def test_lenient_formats() -> None:
    item = TASK.generate(0, 0, 5)
    cells = item.answer.split(",")
    n = len(item.meta["board"])
    rows = ["".join(cells[i * n : (i + 1) * n]) for i in range(n)]
    variants = (
        " ".join(cells),
        "\n".join(rows),
        str(rows),
        str(cells),
        f'"{item.answer}"',
        "[" + "], [".join(",".join(r) for r in rows) + "]",
        item.answer + ".",
    )
    for variant in variants:
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_near_misses() -> None:
    item = TASK.generate(0, 1, 7)
    cells = item.answer.split(",")
    before = ",".join("".join(item.meta["board"]))
    placed_only = list(before.split(","))
    n = len(item.meta["board"])
    for player, cell in item.meta["steps"]:
        if cell is not None:
            placed_only[cell[0] * n + cell[1]] = player
    swapped = ["1" if c == "0" else "0" if c == "1" else c for c in cells]
    first_piece = next(i for i, c in enumerate(cells) if c != "*")
    one_off = cells[:]
    one_off[first_piece] = "1" if cells[first_piece] == "0" else "0"
    helpers.assert_below_one(
        TASK,
        item,
        [
            before,  # the board before the moves
            ",".join(swapped),  # colours swapped
            ",".join(one_off),  # one cell of the wrong colour
            ",".join(cells[:-1]),  # a cell short
            ",".join([*cells, "*"]),  # a cell too many
            ",".join(placed_only),  # pieces placed but nothing flipped
        ],
    )
    assert TASK.score(f"<<<{','.join(one_off)}>>>", item).reason.startswith("1 cell(s) wrong")


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


def test_generated_moves_are_legal_and_passes_are_real() -> None:
    for index in range(30):
        item = TASK.generate(0, index, 9)
        board = [list(row) for row in item.meta["board"]]
        for player, cell in item.meta["steps"]:
            if cell is None:
                assert not legal_moves(board, player)
            else:
                assert flips(board, cell[0], cell[1], player)
            board = play(board, [(player, tuple(cell) if cell else None)])


@pytest.mark.original
def test_original_instances_agree() -> None:
    # Every original question shows the board after the moves (reference section 6); re-posed
    # from the standard opening, every stored answer is right.
    agreement = helpers.assert_originals_agree(TASK, expect_min=150)
    assert agreement.agree == agreement.total
    assert agreement.known_defects == 0


@pytest.mark.original
def test_original_stored_answers_solve_the_reposed_question() -> None:
    from codesteer.symbench.original import import_originals
    from tests.paths import original_root

    items = import_originals(original_root(), [TASK]).items[TASK.name]
    assert len(items) >= 150
    for item in items:
        assert item.original_answer is not None
        assert TASK.score(f"<<<{item.original_answer}>>>", item).value == 1.0, item.id
        # The re-posed board is the standard opening, not the board the original displayed.
        assert ",".join("".join(item.meta["board"])) != item.answer

from __future__ import annotations

import json

import pytest

from codesteer.symbench import Item, UnusableInstance, get_task
from codesteer.symbench._task import RawInstance
from codesteer.symbench.tasks.logic_puzzle import PRODUCT, SUM, solve, violation
from tests.symbench import helpers

TASK = get_task("logic_puzzle")


def _cells(item: Item) -> list[tuple[int, int]]:
    pairs = [part.split() for part in item.answer.split(",")]
    return [(int(r), int(c)) for r, c in pairs]


def _fmt(cells: list[tuple[int, int]]) -> str:
    return ", ".join(f"{r} {c}" for r, c in cells)


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=20)


def test_solver_finds_valid_selections() -> None:
    for level in range(1, 11):
        for index in range(10):
            meta = TASK.generate(3, index, level).meta
            found = solve(meta["grid"], meta["num_select"], meta["constraint"])
            assert found is not None
            assert violation(meta["grid"], found, meta["num_select"], meta["constraint"]) is None


def test_solver_proves_unsolvable() -> None:
    # Distinct values force 1, 2 and a 3; either 3 makes a line sum to 5.
    assert solve([[3, 1], [2, 3]], 3, SUM) is None
    # The only negative cell would leave its row with a negative product.
    assert solve([[1, -1], [2, 3]], 4, PRODUCT) is None


def test_lenient_formats() -> None:
    item = TASK.generate(0, 0, 5)
    cells = _cells(item)
    variants = (
        item.answer,
        ", ".join(f"({r},{c})" for r, c in cells),
        str([list(cell) for cell in cells]),
        "\n".join(f"{r} {c}" for r, c in cells),
        _fmt(cells[::-1]),
        f"[{item.answer}].",
    )
    for variant in variants:
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_near_misses() -> None:
    # an item whose selection holds negative cells (some selections are all positive)
    item = next(
        item
        for item in TASK.generate_many(50, 0, 6)
        if any(item.meta["grid"][r][c] < 0 for r, c in _cells(item))
    )
    grid = item.meta["grid"]
    n = len(grid)
    cells = _cells(item)
    values = {grid[r][c] for r, c in cells}
    start = (0, n - 1)
    others = [cell for cell in cells if cell != start]
    unused = [(r, c) for r in range(n) for c in range(n) if (r, c) not in cells]
    fresh = next((r, c) for r, c in unused if grid[r][c] > 0 and grid[r][c] not in values)
    negative = next(cell for cell in cells if grid[cell[0]][cell[1]] < 0)
    helpers.assert_below_one(
        TASK,
        item,
        [
            _fmt(cells[:-1]),  # one short
            _fmt([*cells, fresh]),  # one too many
            _fmt([*others, others[0]]),  # a repeated cell
            _fmt([*others, fresh]),  # the start cell left out
            _fmt([*cells[:-1], (n, 0)]),  # out of the grid
            # dropping one negative leaves its row with an odd number of negatives
            _fmt([cell for cell in cells if cell != negative] + [fresh]),
        ],
    )


def test_repeated_value_rejected() -> None:
    grid = [[1, 2, 3], [4, 3, 1], [2, 4, 1]]
    item = Item("logic_puzzle", "x", "", "", {"grid": grid, "num_select": 3, "constraint": SUM})
    # (0,2)=3 and (1,1)=3: each line sums to at most 4, but 3 is used twice
    score = TASK.score("<<<0 2, 1 1, 2 0>>>", item)
    assert score.value == 0.0 and "twice" in score.reason
    # the same lines with distinct values pass
    assert TASK.score("<<<0 2, 1 2, 2 0>>>", item).value == 1.0


def _raw(grid: list[list[int]], stored: list[list[int]], constraint: str) -> RawInstance:
    solution = {
        "grid": grid,
        "solution": stored,
        "complexity": 2,
        "constraints": {"type": constraint},
    }
    return RawInstance("logic_puzzle_dataset/sample_x", {"solution.json": json.dumps(solution)})


def test_known_defect_detected() -> None:
    # as in the original's sample_20: column 0 of the stored selection sums to 3 + 2 = 5
    raw = _raw([[3, 1, 2], [2, 4, 4], [3, 2, 1]], [[0, 1], [1, 2], [2, 0], [0, 2]], SUM)
    item = TASK.parse_original(raw)
    assert item is not None and item.known_defect and "lru_cache" in item.known_defect
    assert item.original_answer is not None
    assert TASK.score(f"<<<{item.original_answer}>>>", item).value == 0.0
    assert TASK.score(f"<<<{item.answer}>>>", item).value == 1.0
    # an unsolvable stored puzzle (as sample_2) cannot be posed, a sound one is not flagged
    with pytest.raises(UnusableInstance, match="no selection satisfies"):
        TASK.parse_original(_raw([[3, 1], [2, 3]], [[0, 1], [1, 0], [0, 0]], SUM))
    sound = TASK.parse_original(_raw([[1, 2], [3, 1]], [[0, 1], [1, 0], [0, 0]], SUM))
    assert sound is not None and sound.known_defect is None


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=100, unusable=19)
    assert agreement.agree + agreement.known_defects == agreement.total
    assert agreement.known_defects <= 3

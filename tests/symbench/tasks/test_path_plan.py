from __future__ import annotations

import itertools
from typing import Any

from codesteer.symbench import get_task
from codesteer.symbench._types import Item
from codesteer.symbench.tasks._path_plan_answers import ORIGINAL_PATHS
from codesteer.symbench.tasks.path_plan import (
    ORIGINAL_PAIRS,
    lattice_tokens,
    original_meta,
    reference_path,
)
from codesteer.symbench.verify import verify_items
from tests.symbench import helpers

TASK = get_task("path_plan")


def _item(**meta: Any) -> Item:
    base: dict[str, Any] = {
        "half_size": 1.4,
        "boxes": {"red": [0, 0.5, 0, 0.5], "blue": [-0.5, -0.1, -1, -0.5]},
        "start": [-1, 1],
        "end": [1, -1],
        "must": ["red"],
        "avoid": ["blue"],
    }
    return Item("path_plan", "x", "", "", meta={**base, **meta})


def _score(item: Item, waypoints: str) -> float:
    return TASK.score(f"<<<{waypoints}>>>", item).value


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=10)


def test_all_original_pairs_are_solved() -> None:
    items = TASK.builtin_originals()
    assert len({item.id for item in items}) == ORIGINAL_PAIRS == 140
    agreement = verify_items(items)["path_plan"]
    assert agreement.ok, agreement.to_dict()
    assert agreement.solver_only == agreement.total == 140


def test_stored_original_paths_are_the_solvers() -> None:
    for pair in range(ORIGINAL_PAIRS):
        path = reference_path(original_meta(pair))
        assert path is not None
        assert " ".join(lattice_tokens(path)) == ORIGINAL_PATHS[pair], pair


def test_generated_boxes_do_not_touch_each_other() -> None:
    for item in TASK.generate_many(10, seed=1, complexity=5):
        for a, b in itertools.combinations(item.meta["boxes"].values(), 2):
            assert a[1] < b[0] or b[1] < a[0] or a[3] < b[2] or b[3] < a[2]


def test_touching_counts_as_entering() -> None:
    item = _item()
    # visits red only by touching its corner (0.5, 0.5): that is entering
    assert _score(item, "[(-1, 1), (0.5, 0.5), (1, -1)]") == 1.0
    # runs along blue's top edge y = -0.5: that enters blue (the original missed this)
    along = TASK.score("<<<[(-1, 1), (0.5, 0.5), (0.2, -0.5), (-0.6, -0.5), (1, -1)]>>>", item)
    assert along.value == 0.0
    assert "segment 3" in along.reason and "blue" in along.reason
    # touches blue's corner (-0.1, -0.5) only
    assert _score(item, "[(-1, 1), (0.5, 0.5), (-0.1, -0.5), (1, -1)]") == 0.0
    # misses red by a hair
    missed = TASK.score("<<<[(-1, 1), (0.5001, 0.5001), (1, -1)]>>>", item)
    assert missed.value == 0.0
    assert "never enters the red box" in missed.reason


def test_walls_and_end_points() -> None:
    item = _item()
    assert _score(item, "[(-1, 1), (1.4, 0.5), (0.4, 0.4), (1, -1)]") == 0.0  # on the wall
    assert _score(item, "[(-1, 1), (1.39, 0.5), (0.4, 0.4), (1, -1)]") == 1.0
    assert _score(item, "[(-1.0000001, 1), (0.4, 0.4), (1, -1)]") == 1.0  # within 1e-6
    assert _score(item, "[(-1.01, 1), (0.4, 0.4), (1, -1)]") == 0.0
    assert _score(item, "[(-1, 1), (0.4, 0.4), (1, -0.99)]") == 0.0
    assert _score(item, "[(-1, 1)]") == 0.0


def test_lenient_formats() -> None:
    item = TASK.original_item(91)  # environment 10, instruction 1: negative coordinates
    answer = item.answer
    assert "-0." in answer
    points = answer[2:-2].split("), (")
    variants = (
        answer.replace("(", "[").replace(")", "]"),  # lists
        answer.replace(" ", ""),
        f"Waypoints = {answer}",
        " -> ".join(f"({p})" for p in points),
        "\n".join(f"({p})" for p in points),
        f"```python\n{answer}\n```",
        answer.replace("-0.", "-.") + ".",
    )
    for variant in variants:
        assert _score(item, variant) == 1.0, variant


def test_near_misses() -> None:
    item = TASK.original_item(2)  # environment 1, instruction 2: must not enter blue
    points = item.answer[2:-2].split("), (")
    start = points[0]
    blue = item.meta["boxes"]["blue"]
    centre = f"{(blue[0] + blue[1]) / 2}, {(blue[2] + blue[3]) / 2}"
    helpers.assert_below_one(
        TASK,
        item,
        [
            "[(" + "), (".join(points[:-1]) + ")]",  # stops short of the end
            "[(" + "), (".join(points[::-1]) + ")]",  # backwards
            "[(" + "), (".join([start, centre, *points]) + ")]",  # detour through blue
            "[(" + "), (".join([start, f"1.4, {start.split(', ')[1]}", *points]) + ")]",  # wall
            item.answer + " and then stop",
        ],
    )


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))

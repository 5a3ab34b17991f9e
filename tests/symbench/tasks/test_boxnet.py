from __future__ import annotations

import json

import pytest

from codesteer.symbench import get_task
from codesteer.symbench._types import Item
from tests.symbench import helpers

TASK = get_task("boxnet")


def _item(rows: int, cols: int, squares: dict[str, list[str]]) -> Item:
    return Item("boxnet", "x", "", "", meta={"rows": rows, "cols": cols, "squares": squares})


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=10)


def test_actions_of_a_step_run_in_order() -> None:
    item = _item(1, 3, {"0.5_0.5": ["box_red"], "0.5_1.5": [], "0.5_2.5": ["target_red"]})
    chain = [
        ("Agent[0.5, 0.5]", "move(box_red, square[0.5, 1.5])"),
        ("Agent[0.5, 1.5]", "move(box_red, square[0.5, 2.5])"),
        ("Agent[0.5, 2.5]", "move(box_red, target_red)"),
    ]
    assert TASK.score(f"<<<{json.dumps([dict(chain)])}>>>", item).value == 1.0
    backwards = TASK.score(f"<<<{json.dumps([dict(chain[::-1])])}>>>", item)
    assert backwards.value == 0.0
    assert "no box_red in square[0.5, 2.5]" in backwards.reason


def test_lenient_formats() -> None:
    item = TASK.generate(0, 0, 3)
    answer = item.answer
    variants = (
        answer.replace("Agent[", "agent[").replace(", ", ","),
        answer.replace('"', "'"),  # Python literal quoting
        answer.replace("Agent[", "Agent(").replace(']":', ')":'),
        answer.replace("move(", "move( ").replace(")", " )"),
        f"```json\n{answer}\n```",
        json.dumps(json.loads(answer), indent=2),
    )
    for variant in variants:
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_single_step_dict_is_a_plan() -> None:
    item = _item(1, 2, {"0.5_0.5": ["box_red", "target_red"], "0.5_1.5": []})
    assert TASK.score('<<<{"Agent[0.5, 0.5]": "move(box_red, target_red)"}>>>', item).value == 1.0


def test_near_misses() -> None:
    item = TASK.generate(0, 1, 3)
    steps = json.loads(item.answer)
    key, action = next(iter(steps[0].items()))
    colour = action.split("box_")[1].split(",")[0]
    other = "red" if colour != "red" else "blue"
    helpers.assert_below_one(
        TASK,
        item,
        [
            json.dumps(steps[:-1]),  # last step missing: its matches never happen
            json.dumps([{key: f"move(box_{colour}, square[-0.5, 0.5])"}, *steps]),  # off grid
            json.dumps([{key: f"move(box_{colour}, square[9.5, 9.5])"}, *steps]),  # not adjacent
            json.dumps([{key: f"move(box_{colour}, target_{other})"}, *steps]),  # wrong colour
            json.dumps([{"Agent[7.5, 7.5]": action}, *steps]),  # no such agent
            # the same agent twice in one step (JSON keeps duplicate keys for us)
            "[{" + f'"{key}": "{action}", "{key}": "{action}"' + "}]",
            json.dumps([{key: "lift(box_red)"}, *steps]),
        ],
    )


def test_partial_credit_counts_matched_boxes() -> None:
    item = _item(
        1, 2, {"0.5_0.5": ["box_red", "target_red", "box_blue"], "0.5_1.5": ["target_blue"]}
    )
    score = TASK.score('<<<[{"Agent[0.5, 0.5]": "move(box_red, target_red)"}]>>>', item)
    assert score.value == 0.5
    stopped = TASK.score(
        '<<<[{"Agent[0.5, 0.5]": "move(box_red, target_red)"}, '
        '{"Agent[0.5, 0.5]": "move(box_blue, square[0.5, 0.5])"}]>>>',
        item,
    )
    assert stopped.value == 0.5
    assert "not next to" in stopped.reason


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=150)
    assert agreement.solver_only == agreement.total

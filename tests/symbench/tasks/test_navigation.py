from __future__ import annotations

import pytest

from codesteer.symbench import get_task
from codesteer.symbench.tasks.navigation import parse_instructions, simulate
from tests.symbench import helpers

TASK = get_task("navigation")


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=20)


def test_simulation_semantics() -> None:
    # Sideways steps are relative to the facing direction, which turns change.
    assert simulate([("forward", 3), ("turn_right", 0), ("forward", 2)]) == (2, 3)
    assert simulate([("turn_left", 0), ("right", 4)]) == (0, 4)
    assert simulate([("turn_around", 0), ("backward", 5)]) == (0, 5)
    assert simulate([("left", 2), ("right", 2), ("forward", 1), ("backward", 1)]) == (0, 0)


def test_parse_bbh_wording() -> None:
    text = (
        "If you follow these instructions, do you return to the starting point? Turn left. "
        "Take 1 step. Turn around. Take 1 step backward.\nOptions:\n- Yes\n- No"
    )
    instructions, face_forward = parse_instructions(text)
    assert instructions == [("turn_left", 0), ("forward", 1), ("turn_around", 0), ("backward", 1)]
    assert not face_forward
    assert simulate(instructions) == (-2, 0)
    with pytest.raises(ValueError):
        parse_instructions("Do you return? Jump twice.")


def test_both_answers_and_both_variants_occur() -> None:
    items = [TASK.generate(0, i, 3) for i in range(40)]
    assert {item.answer for item in items} == {"Yes", "No"}
    assert {item.meta["face_forward"] for item in items} == {True, False}


def test_lenient_formats() -> None:
    item = TASK.generate(0, 0, 3)
    answer = item.answer
    for variant in (answer.lower(), answer.upper(), f"{answer}.", f"'{answer}'", f"- {answer}"):
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_near_misses() -> None:
    item = TASK.generate(0, 1, 4)
    wrong = "No" if item.answer == "Yes" else "Yes"
    helpers.assert_below_one(
        TASK, item, [wrong, f"{wrong}.", "Yes, No", "Y", f"not {item.answer}", "0"]
    )


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=250)
    assert agreement.agree == agreement.total

from __future__ import annotations

import pytest

from codesteer.symbench import get_task
from codesteer.symbench.tasks.boxlift import greedy_plan
from tests.symbench import helpers

TASK = get_task("boxlift")


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=10)


def test_budget_is_the_greedy_step_count() -> None:
    # heaviest first, lifters taken in list order: 90 needs lifters 0+1, 40 then fits lifter 2
    assert greedy_plan([40, 90, 30], [50, 45, 40]) == [[(90, [0, 1]), (40, [2])], [(30, [0])]]
    for item in TASK.generate_many(20, seed=3):
        assert item.meta["max_steps"] == len(item.answer.splitlines())


def test_lenient_formats() -> None:
    item = TASK.generate(0, 0, 1)
    answer = item.answer
    variants = (
        answer.replace("(", "[").replace(")", "]"),  # lists instead of tuples
        answer.replace("Step", "step").replace(", ", ","),
        answer.replace("\n", "\n\n"),
        "Here is the plan:\n" + answer,
        answer + "\n",
    )
    for variant in variants:
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_near_misses() -> None:
    item = TASK.generate(0, 1, 3)
    lines = item.answer.splitlines()
    lifters = item.meta["lifters"]
    first_weight = int(lines[0].split("(")[1].split(",")[0])
    helpers.assert_below_one(
        TASK,
        item,
        [
            "\n".join(lines[:-1]),  # last step missing: its boxes are never lifted
            # every lifter at once on the first box, then the same box again in step 1
            f"Step 1: [({first_weight}, {list(range(len(lifters)))}), ({first_weight}, [0])]",
            lines[0].replace("[0", f"[{len(lifters)}", 1),  # a lifter that does not exist
            lines[0].replace(f"({first_weight},", "(100000,", 1),  # a box that does not exist
            # the same plan spread over one step more than allowed
            "\n".join([*lines[:-1], "Step 0: []", lines[-1]]),
        ],
    )


def test_partial_credit_is_the_lifted_weight_ratio() -> None:
    item = TASK.generate(0, 2, 1)
    lines = item.answer.splitlines()
    partial = TASK.score(f"<<<{lines[0]}>>>", item)
    first_step = greedy_plan(item.meta["boxes"], item.meta["lifters"])[0]
    lifted = sum(weight for weight, _ in first_step)
    assert partial.value == pytest.approx(lifted / sum(item.meta["boxes"]))
    assert partial.value < 1.0


def test_too_weak_team_is_illegal() -> None:
    for item in TASK.generate_many(50, seed=0, complexity=1):
        lifters = item.meta["lifters"]
        weakest = min(range(len(lifters)), key=lambda i: lifters[i])
        heavy = [w for w in item.meta["boxes"] if w > lifters[weakest]]
        if heavy:
            score = TASK.score(f"<<<Step 1: [({heavy[0]}, [{weakest}])]>>>", item)
            assert score.value == 0.0
            assert "capacity" in score.reason
            return
    raise AssertionError("no draw with a box heavier than the weakest lifter")


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=200)
    assert agreement.solver_only == agreement.total

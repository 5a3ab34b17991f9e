from __future__ import annotations

import random

import pytest

from codesteer.symbench import get_task
from codesteer.symbench._types import Item
from codesteer.symbench.tasks.blocksworld import plan_moves, render_moves
from tests.symbench import helpers

TASK = get_task("blocksworld")


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=15)


def test_planner_handles_crowded_three_stack_instances() -> None:
    # three stacks, all needed in the goal: the planner must park blocks on finished stacks
    rng = random.Random(7)
    for _ in range(200):
        blocks = [chr(ord("A") + i) for i in range(rng.randint(2, 9))]
        initial: list[list[str]] = [[], [], []]
        goal: list[list[str]] = [[], [], []]
        for block in rng.sample(blocks, len(blocks)):
            initial[rng.randrange(3)].append(block)
            goal[rng.randrange(3)].append(block)
        item = Item("blocksworld", "x", "", "", meta={"initial": initial, "goal": goal})
        answer = render_moves(plan_moves(initial, goal))
        assert TASK.score(f"<<<{answer}>>>", item).value == 1.0, (initial, goal)


def test_lenient_formats() -> None:
    item = TASK.generate(0, 0, 3)
    answer = item.answer
    variants = (
        answer.lower(),
        answer.replace("stack", ""),  # Move B from 2 to 1
        answer.replace("stack", "Stack "),
        answer.replace("\n", ", "),
        "\n".join(f"{n}. {line}" for n, line in enumerate(answer.splitlines(), start=1)),
        str(answer.splitlines()),  # a Python list of strings
        answer + "\n",
    )
    for variant in variants:
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_already_solved_instance_accepts_no_moves() -> None:
    state = [["A"], ["B"], []]
    item = Item("blocksworld", "x", "", "No moves", meta={"initial": state, "goal": state[:2]})
    for text in ("No moves", "none", "No moves needed."):
        assert TASK.score(f"<<<{text}>>>", item).value == 1.0, text
    assert TASK.score("<<<Move B from stack2 to stack3>>>", item).value == 0.0


def test_near_misses() -> None:
    item = next(
        item
        for item in TASK.generate_many(20, seed=0, complexity=3)
        if any(len(stack) >= 2 for stack in item.meta["goal"])
    )
    lines = item.answer.splitlines()
    number, stack = next((i + 1, s) for i, s in enumerate(item.meta["goal"]) if len(s) >= 2)
    other = 1 if number != 1 else 2
    helpers.assert_below_one(
        TASK,
        item,
        [
            "\n".join(lines[:-1]),  # last move missing: goal not reached
            # one move too many: the goal stack loses its top block
            "\n".join([*lines, f"Move {stack[-1]} from stack{number} to stack{other}"]),
            # the bottom block of a finished stack is not on top
            "\n".join([*lines, f"Move {stack[0]} from stack{number} to stack{other}"]),
            "\n".join([*lines, f"Move {stack[-1]} from stack{number} to stack9"]),
            "\n".join([*lines, f"Move Z from stack{number} to stack{other}"]),
            "\n".join(lines) + "\nand then celebrate",
        ],
    )


def test_illegal_move_names_the_move() -> None:
    item = Item(
        "blocksworld", "x", "", "", meta={"initial": [["A", "B"], [], []], "goal": [["B", "A"]]}
    )
    score = TASK.score("<<<Move A from stack1 to stack2>>>", item)
    assert score.value == 0.0
    assert "move 1" in score.reason and "top of stack1 is B" in score.reason


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=100)
    assert agreement.solver_only == agreement.total

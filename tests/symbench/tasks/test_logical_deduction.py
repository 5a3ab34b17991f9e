from __future__ import annotations

import pytest

from codesteer.symbench import get_task
from codesteer.symbench.tasks.logical_deduction import count_orders, parse_bbh, solve
from tests.symbench import helpers

TASK = get_task("logical_deduction")


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=20)


@pytest.mark.parametrize("level", [1, 3, 5, 7])
def test_generated_orders_are_unique_and_answer_matches(level: int) -> None:
    for index in range(15):
        item = TASK.generate(1, index, level)
        count = len(item.meta["names"])
        clues = [(str(k), int(a), int(b)) for k, a, b, _ in item.meta["clues"]]
        order = solve(count, clues)
        assert order is not None, item.id
        assert order[item.meta["position"]] == item.meta["correct"]


def test_solver_counts_orders() -> None:
    assert count_orders(3, []) == 2  # capped at the default limit
    assert count_orders(3, [], limit=10) == 6
    assert count_orders(3, [("before", 0, 1), ("before", 1, 2)]) == 1
    assert count_orders(3, [("next", 0, 1)], limit=10) == 2
    assert count_orders(3, [("at", 0, 0), ("at", 1, 0)]) == 0
    assert solve(3, [("at", 2, 0), ("before", 1, 0)]) == [2, 1, 0]


def test_parse_bbh() -> None:
    text = (
        "The following paragraphs each describe a set of three objects arranged in a fixed "
        "order. The statements are logically consistent within each paragraph. On a shelf, "
        "there are three books: a red book, a gray book, and a white book. The white book is "
        "to the left of the gray book. The red book is the second from the left.\nOptions:\n"
        "(A) The red book is the leftmost\n(B) The gray book is the leftmost\n"
        "(C) The white book is the leftmost"
    )
    puzzle = parse_bbh(text)
    assert puzzle.display_names == ["the red book", "the gray book", "the white book"]
    clues = [clue for clue, _ in puzzle.clues]
    assert clues == [("before", 2, 1), ("at", 0, 1)]
    assert puzzle.asked == (0, False)
    assert solve(3, clues) == [2, 0, 1]


def test_lenient_formats() -> None:
    item = TASK.generate(0, 0, 3)
    index = item.meta["correct"]
    text = item.meta["options"][index]
    name = item.meta["names"][index]
    answer = item.answer
    for variant in (
        answer,
        answer.lower(),
        f"({answer})",
        f"{answer})",
        f"Option {answer}",
        f"({answer}) {text}",
        text,
        text.upper() + ".",
        name,
    ):
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_near_misses() -> None:
    item = TASK.generate(0, 1, 3)
    index = item.meta["correct"]
    wrong = (index + 1) % len(item.meta["options"])
    wrong_letter = chr(ord("A") + wrong)
    helpers.assert_below_one(
        TASK,
        item,
        [
            wrong_letter,
            f"({wrong_letter})",
            f"({item.answer}) {item.meta['options'][wrong]}",  # letter and text disagree
            item.meta["options"][wrong],
            item.meta["names"][wrong],
            f"{item.answer}, {wrong_letter}",
            "Z",
        ],
    )


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=250)
    assert agreement.agree == agreement.total

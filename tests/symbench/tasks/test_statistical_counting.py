from __future__ import annotations

import itertools

import pytest

from codesteer.symbench import get_task
from codesteer.symbench.tasks.statistical_counting import total_score
from tests.symbench import helpers

TASK = get_task("statistical_counting")
SCORES = {"A": 1, "B": 2, "C": 3}


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=8)


def test_rule_counts_each_run_once() -> None:
    assert total_score("BBAAB", SCORES) == 3  # the original's first example
    assert total_score("AAAAA", SCORES) == 1  # one run, however long
    assert total_score("AABAA", SCORES) == 2  # two runs of A
    assert total_score("ABCABC", SCORES) == 0
    assert total_score("CCCBBA", SCORES) == 5


def test_lenient_formats() -> None:
    item = TASK.generate(0, 0, 9)
    answer = item.answer
    for variant in (
        f'"{answer}"',
        f"[{answer}]",
        f"{answer}.0",
        f"Total score: {answer}",
        f"{answer} points",
        f" {answer}. ",
    ):
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def _per_pair(sequence: str, scores: dict[str, int]) -> int:
    """A misreading: every adjacent equal pair scores (AAA counts twice)."""
    return sum(scores[a] for a, b in itertools.pairwise(sequence) if a == b)


def test_near_misses() -> None:
    item = next(
        it
        for it in TASK.generate_many(20, 1, 9)
        if _per_pair(it.meta["sequence"], it.meta["scores"]) != int(it.answer)
    )
    expected = int(item.answer)
    helpers.assert_below_one(
        TASK,
        item,
        [
            str(expected + 1),
            str(expected - 1),
            str(_per_pair(item.meta["sequence"], item.meta["scores"])),
            f"{expected}.5",
            f"{expected} or {expected + 1}",
        ],
    )


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=100)
    assert agreement.agree == agreement.total

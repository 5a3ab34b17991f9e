from __future__ import annotations

import pytest

from codesteer.symbench import get_task
from codesteer.symbench.tasks.string_insertion import apply_operation
from tests.symbench import helpers

TASK = get_task("string_insertion")


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=20)


def test_rule_collects_insertions_before_applying() -> None:
    # ABCDE holds ABCD (insert A) and BCDE (insert B); the inserted A must not break BCDE.
    assert apply_operation("ABCDE") == "ABCDAEB"
    assert apply_operation("EEEEE") == "EEEEE"


def test_lenient_formats() -> None:
    item = TASK.generate(0, 0, 3)
    answer = item.answer
    for variant in (answer.lower(), f'"{answer}"', f" {answer} ", f"'{answer}'"):
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_near_misses() -> None:
    item = TASK.generate(0, 1, 3)
    text, answer = item.meta["string"], item.answer
    twice = apply_operation(answer)
    helpers.assert_below_one(
        TASK,
        item,
        [
            text,  # unchanged
            answer[:-1],  # one letter short
            answer + "A",  # one letter too many
            answer[::-1],
            twice,  # applied twice
            answer.replace("A", "B", 1),
        ],
    )


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=100)
    assert agreement.agree == agreement.total

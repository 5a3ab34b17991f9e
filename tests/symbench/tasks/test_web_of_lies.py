from __future__ import annotations

import pytest

from codesteer.symbench import get_task
from codesteer.symbench.tasks.web_of_lies import parse_chain, question_for, solve
from tests.symbench import helpers

TASK = get_task("web_of_lies")


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=20)


def test_chain_rule() -> None:
    # A truthful person who says the previous one lies makes that one a liar, and so on.
    assert solve(True, []) is True
    assert solve(True, [False]) is False
    assert solve(False, [False]) is True
    assert solve(False, [False, True, False]) is False


def test_parse_chain_reads_the_bbh_wording() -> None:
    names, first, claims = parse_chain(
        "Question: Kim lies. Al says Kim lies. Bo says Al tells the truth. Does Bo tell the truth?"
    )
    assert names == ["Kim", "Al", "Bo"]
    assert first is False
    assert claims == [False, True]
    with pytest.raises(ValueError):
        parse_chain("Question: Kim lies. Al says Bo lies. Does Al tell the truth?")


def test_both_answers_occur() -> None:
    answers = {TASK.generate(0, i, 3).answer for i in range(30)}
    assert answers == {"Yes", "No"}


def test_lenient_formats() -> None:
    item = TASK.generate(0, 0, 3)
    answer = item.answer
    for variant in (answer.lower(), answer.upper(), f"{answer}.", f'"{answer}"', f" {answer} "):
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_near_misses() -> None:
    item = TASK.generate(0, 1, 5)
    wrong = "No" if item.answer == "Yes" else "Yes"
    helpers.assert_below_one(
        TASK,
        item,
        [wrong, wrong.lower(), "Yes or No", "Yes/No", f"{item.answer} and {wrong}", "maybe"],
    )


def test_shuffled_statements_keep_the_chain() -> None:
    item = TASK.generate(3, 0, 8)
    meta = item.meta
    in_order = question_for(
        meta["names"], meta["first_truthful"], meta["claims"], list(range(len(meta["names"])))
    )
    shown = item.question.split("\n\n")[1].splitlines()
    chain = in_order.split("\n\n")[1].splitlines()
    assert shown != chain
    assert sorted(shown) == sorted(chain)


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=250)
    assert agreement.agree == agreement.total

from __future__ import annotations

import json
from collections import Counter

import pytest

from codesteer.symbench import RawInstance, get_task
from codesteer.symbench.tasks.mahjong import (
    CHI,
    DEFECT_MULTISET_CHI,
    DEFECT_NO_CHI_RULE,
    DEFECT_NON_LETTER_CHI,
    PASS,
    PENG,
    judge,
    solve,
)
from tests.symbench import helpers

TASK = get_task("mahjong")

WITH_CHI_RULE = '... 4. ... the result is determined as "Chi," represented by the number 2 ...'
WITHOUT_CHI_RULE = '... 3. ... "Peng," represented by the number 1. 4. ... "Pass" ...'


def _raw(initial: str, rounds: list[tuple[str, str]], stored: int, question: str) -> RawInstance:
    solution = {
        "initial_cards": initial,
        "rounds": [{"add": add, "remove": remove} for add, remove in rounds],
        "solution": stored,
        "complexity": len(rounds),
    }
    return RawInstance(
        "mahjong_pattern_dataset/sample_0",
        {"solution.json": json.dumps(solution), "question.txt": question},
    )


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=10)


def test_generated_answers_cover_all_judgements() -> None:
    answers = Counter(TASK.generate(0, i).answer for i in range(150))
    assert set(answers) == {"0", "1", "2"}
    assert min(answers.values()) >= 30


def test_rule() -> None:
    assert judge(Counter("ABBDEF"), "C") == CHI  # B C D, with a duplicate B in the hand
    assert judge(Counter("XYY"), "Z") == CHI  # a sorted-multiset window would miss it
    assert judge(Counter("AACD"), "A") == PENG  # Peng takes precedence over Chi
    assert judge(Counter("ACEG"), "B") == CHI  # A B C around the added card
    assert judge(Counter("ACEG"), "F") == CHI
    assert judge(Counter("ACEG"), "K") == PASS
    assert judge(Counter("YZA"), "B") == PASS  # no wrap from Z to A
    assert judge(Counter("YZ"), "[") == PASS  # not a letter
    assert judge(Counter("Z[["), "[") == PENG


def test_removal_follows_the_judgement() -> None:
    # round 1 adds D and removes C; the last D is judged against A B D (no C any more)
    assert solve("ABC", [["D", "C"], ["C", ""]]) == CHI  # A B + C
    assert solve("ABC", [["D", "C"], ["E", ""]]) == PASS  # C D E needs the removed C
    assert solve("ABCC", [["C", "C"], ["C", ""]]) == PENG  # three C, one removed: two left


def test_lenient_formats() -> None:
    item = next(it for it in TASK.generate_many(20, 0, 5) if it.answer == "2")
    for variant in ("2", '"2"', "[2]", "2.0", "2.", "Chi", "chi", "2 (Chi)", "Chi: 2", "Answer: 2"):
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_near_misses() -> None:
    item = next(it for it in TASK.generate_many(20, 0, 5) if it.answer == "2")
    helpers.assert_below_one(
        TASK, item, ["0", "1", "Pass", "Peng", "1 (Chi)", "Peng or Chi", "12", "-2", "3"]
    )


def test_ignoring_removals_is_wrong() -> None:
    # the generator plants cards that judge differently when removals are ignored
    for item in TASK.generate_many(60, 1, 5):
        initial, rounds = item.meta["initial"], item.meta["rounds"]
        naive = Counter(initial) + Counter(add for add, _ in rounds[:-1])
        wrong = judge(naive, rounds[-1][0])
        if wrong != int(item.answer):
            helpers.assert_below_one(TASK, item, [str(wrong)])
            return
    pytest.fail("no item where ignoring the removals changes the answer")


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


def test_defects_detected_with_their_reasons() -> None:
    # the question omits Chi, the stored answer is Chi
    item = TASK.parse_original(_raw("ABDFHJLNPRTVX", [("C", "A")], 2, WITHOUT_CHI_RULE))
    assert item.answer == "2" and item.known_defect == DEFECT_NO_CHI_RULE
    # X Y Y in the hand: the original's windows missed the Chi of Z and stored Pass
    item = TASK.parse_original(_raw("XYYACEGIKMOQS", [("Z", "A")], 0, WITH_CHI_RULE))
    assert item.answer == "2" and item.known_defect == DEFECT_MULTISET_CHI
    # Y Z + '[' counted as consecutive letters by the original
    item = TASK.parse_original(_raw("YZACEGIKMOQSU", [("[", "A")], 2, WITH_CHI_RULE))
    assert item.answer == "0" and item.known_defect == DEFECT_NON_LETTER_CHI
    # a plain wrong stored answer is not excused as a known defect
    item = TASK.parse_original(_raw("ABDFHJLNPRTVX", [("C", "A")], 1, WITH_CHI_RULE))
    assert item.known_defect is None and item.original_answer == "1"


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=100)
    assert set(agreement.defect_reasons) == {
        DEFECT_NO_CHI_RULE,
        DEFECT_MULTISET_CHI,
        DEFECT_NON_LETTER_CHI,
    }
    assert agreement.agree == agreement.total - agreement.known_defects

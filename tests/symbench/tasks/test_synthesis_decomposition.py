from __future__ import annotations

import pytest

from codesteer.symbench import get_task
from codesteer.symbench.tasks.synthesis_decomposition import METHOD_SETS, final_counts
from tests.symbench import helpers

TASK = get_task("synthesis_decomposition")


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=10)


def test_default_mix_follows_the_original() -> None:
    levels = [item.complexity for item in TASK.generate_many(400, 0)]
    assert levels.count(1) < levels.count(2) < levels.count(3)


def test_one_method_per_visit() -> None:
    # 6 A, 1 B: method 1 once (A+B -> X), then method 2 once (3A -> 2X); 2 A are left over.
    assert final_counts("ab_x", {"A": 6, "B": 1}) == [2, 0, 3]
    # 4 A, 2 B: method 1, then method 2 takes three A before method 1 comes round again;
    # exhausting method 1 first would give [2, 0, 2].
    assert final_counts("ab_x", {"A": 4, "B": 2}) == [0, 1, 3]
    # 2 A, 2 B, 2 C: methods 1, 2 (making 2 C), 3, then nothing; one C is left.
    assert final_counts("abc_x", {"A": 2, "B": 2, "C": 2}) == [0, 0, 1, 2]


def test_question_names_the_answer_order() -> None:
    for level in (1, 2, 3):
        item = TASK.generate(0, 0, level)
        names = METHOD_SETS[item.meta["method_set"]][1]
        assert f"[{', '.join(names)}]" in item.question
        assert len(item.answer.split(",")) == len(names)


def test_lenient_formats() -> None:
    item = TASK.generate(0, 0, 3)
    numbers = item.answer.strip("[]").split(", ")
    for variant in (
        ", ".join(numbers),
        " ".join(numbers),
        "[" + ",".join(numbers) + "]",
        "[" + ", ".join(f'"{n}"' for n in numbers) + "]",
        "(" + ", ".join(numbers) + ")",
        f"'{item.answer}'",
    ):
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_near_misses() -> None:
    item = TASK.generate(0, 1, 3)
    numbers = [int(n) for n in item.answer.strip("[]").split(", ")]
    helpers.assert_below_one(
        TASK,
        item,
        [
            str(numbers[:-1]),  # the complexity-4 length
            str([*numbers, 0]),
            str([numbers[0] + 1, *numbers[1:]]),
            str(numbers[::-1]) if numbers[::-1] != numbers else "[9, 9, 9, 9, 9]",
            str([item.meta["initial"][name] for name in "ABC"] + [0, 0]),  # nothing done
        ],
    )


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=140)
    assert agreement.agree == agreement.total

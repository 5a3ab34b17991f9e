from __future__ import annotations

import math
import random
from fractions import Fraction

import pytest

from codesteer.symbench import Item, get_task
from codesteer.symbench._task import RawInstance
from codesteer.symbench.tasks.math_counting_probability import dice_sum, divisibility
from tests.symbench import helpers

TASK = get_task("math_counting_probability")


def _original(solution: str) -> Item:
    raw = RawInstance(
        "MATH/train/counting_and_probability/0.json",
        {
            "problem": "p",
            "level": "Level 3",
            "type": "Counting & Probability",
            "solution": solution,
        },
    )
    return TASK.parse_original(raw)


def _value(latex: str) -> Fraction:
    if latex.startswith("\\frac{"):
        top, bottom = latex[len("\\frac{") : -1].split("}{")
        return Fraction(int(top), int(bottom))
    return Fraction(int(latex))


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=20)


def test_counts_against_brute_force() -> None:
    for seed in range(20):
        problem, answer = dice_sum(random.Random(seed), 2)
        words = problem.split()
        dice, faces = int(words[0]), int(words[2].split("-")[0])
        target = int(problem.split("add up to ")[1].split("?")[0])
        hits = sum(
            sum(roll) + dice == target for roll in _rolls(dice, faces)
        )  # faces 0..faces-1 shifted by one per die
        assert _value(answer) == Fraction(hits, faces**dice)
    for seed in range(20):
        problem, answer = divisibility(random.Random(seed), 3)
        limit = int(problem.split(" to ")[1].split()[0])
        listed = problem.split("by ")[1].replace("none of ", "").rstrip("?")
        divisors = [int(d) for d in listed.replace(" or", ",").split(", ")]
        hit = sum(any(n % d == 0 for d in divisors) for n in range(1, limit + 1))
        assert int(answer) == (limit - hit if "none of" in problem else hit)


def _rolls(dice: int, faces: int) -> list[tuple[int, ...]]:
    rolls: list[tuple[int, ...]] = [()]
    for _ in range(dice):
        rolls = [(*roll, face) for roll in rolls for face in range(faces)]
    return rolls


def test_lenient_formats() -> None:
    item = _original("So the probability is $\\boxed{\\dfrac{5}{16}}$.")
    for variant in ("5/16", "\\frac{5}{16}", "0.3125", "$\\frac{5}{16}$", "\\boxed{5/16}", "10/32"):
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant
    repeating = _original("\\boxed{\\frac{2}{3}}")
    assert TASK.score("<<<0.666667>>>", repeating).value == 1.0
    assert TASK.score("<<<0.6666666666666666>>>", repeating).value == 1.0
    big = _original("\\boxed{18564}")
    assert TASK.score("<<<18,564>>>", big).value == 1.0


def test_near_misses() -> None:
    item = _original("\\boxed{\\dfrac{5}{16}}")
    helpers.assert_below_one(TASK, item, ["16/5", "5/15", "0.31", "\\frac{5}{17}", "11/16"])
    generated = TASK.generate(0, 4, 3)
    value = _value(generated.answer)
    helpers.assert_below_one(
        TASK, generated, [str(value + 1), str(value * 2), str(-value), str(math.floor(value) + 2)]
    )


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=700)
    assert agreement.agree == agreement.total

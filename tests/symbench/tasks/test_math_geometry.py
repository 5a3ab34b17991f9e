from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from fractions import Fraction

import pytest

from codesteer.symbench import Item, get_task
from codesteer.symbench._task import RawInstance
from codesteer.symbench.tasks._latex_answers import equivalent, last_boxed, sympy_safe
from codesteer.symbench.tasks._math_tasks import latex_radicals, simplify_sqrt
from codesteer.symbench.tasks.math_geometry import _twice_area
from tests.symbench import helpers

TASK = get_task("math_geometry")


def _original(target: str, level: str = "Level 2") -> Item:
    raw = RawInstance(
        "MATH/train/geometry/0.json",
        {
            "problem": "p",
            "level": level,
            "type": "Geometry",
            "solution": f"so $\\boxed{{{target}}}$.",
        },
    )
    return TASK.parse_original(raw)


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=20)


def test_exact_solvers() -> None:
    assert simplify_sqrt(72) == (6, 2)
    assert latex_radicals({1: Fraction(3), 2: Fraction(5)}) == "3+5\\sqrt{2}"
    assert latex_radicals({3: Fraction(9, 2)}, pi=True) == "\\frac{9\\sqrt{3}\\pi}{2}"
    assert latex_radicals({1: Fraction(-1), 5: Fraction(1)}) == "-1+\\sqrt{5}"
    assert _twice_area([(0, 0), (3, 0), (3, 3), (0, 3)]) == 18
    assert _twice_area([(0, 0), (0, 3), (3, 3), (3, 0)]) == -18


def test_last_boxed() -> None:
    assert last_boxed("a \\boxed{1} b \\boxed{\\frac{1}{2}}.") == "\\frac{1}{2}"
    assert last_boxed("\\fbox{x^{2}}") == "x^{2}"
    assert last_boxed("so \\boxed 5$.") == "5"
    assert last_boxed("no box") is None


def test_equivalent_forms() -> None:
    for gold, given in (
        ("\\frac{1}{2}", "0.5"),
        ("\\frac{1}{2}", "1/2"),
        ("\\dfrac{1}{2}", "\\frac12"),
        ("(18, -18)", "(18,-18)"),
        ("12\\sqrt{3}", "\\sqrt{432}"),
        ("60^\\circ", "60"),
        ("16+8\\pi", "8\\pi + 16"),
        ("\\frac{2}{3}", "0.666667"),
    ):
        assert equivalent(gold, given), (gold, given)
    for gold, given in (
        ("\\frac{2}{3}", "0.67"),
        ("12\\sqrt{3}", "12\\sqrt{2}"),
        ("36\\pi", "36"),
        ("(18, -18)", "(-18, 18)"),
    ):
        assert not equivalent(gold, given), (gold, given)


def test_lenient_formats() -> None:
    item = _original("(18, -18)")
    for variant in ("(18,-18)", "$(18, -18)$", "\\boxed{(18,-18)}", " (18, -18). "):
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant
    radical = _original("\\frac{3\\sqrt{13}}{2}")
    assert TASK.score("<<<\\frac{3}{2}\\sqrt{13}>>>", radical).value == 1.0
    assert TASK.score("<<<1.5\\sqrt{13}>>>", radical).value == 1.0


def test_near_misses() -> None:
    item = _original("\\frac{3\\sqrt{13}}{2}")
    helpers.assert_below_one(
        TASK,
        item,
        ["\\frac{3\\sqrt{13}}{4}", "3\\sqrt{13}", "\\frac{3}{2}", "\\frac{3\\sqrt{14}}{2}", "5.4"],
    )
    generated = TASK.generate(0, 3, 2)
    helpers.assert_below_one(TASK, generated, [f"{generated.answer}+1", f"2({generated.answer})"])


def test_dangerous_answers_are_refused_before_sympy_sees_them() -> None:
    item = _original("2")
    for answer in (
        "10^{10^{10}}",
        "2^2^100",
        "(999^{999})^{999}",
        "99999!",
        "\\sum_{n=1}^{9999} n^n",
    ):
        assert not sympy_safe(answer)
        assert TASK.score(f"<<<{answer}>>>", item).value == 0.0


def test_works_in_worker_threads() -> None:
    # math-verify's default timeout uses signals, which fail outside the main thread
    item = _original("12\\sqrt{3}")
    with ThreadPoolExecutor(max_workers=2) as pool:
        scores = list(
            pool.map(lambda a: TASK.score(f"<<<{a}>>>", item).value, ["\\sqrt{432}", "7"])
        )
    assert scores == [1.0, 0.0]


def test_original_level_is_the_complexity() -> None:
    assert _original("4", "Level 5").complexity == 5
    assert _original("4", "Level ?").complexity is None


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))
    helpers.assert_malformed_score_zero(TASK, _original("(18, -18)"))


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=800)
    assert agreement.agree == agreement.total

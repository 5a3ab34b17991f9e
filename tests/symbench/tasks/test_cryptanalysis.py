from __future__ import annotations

from itertools import permutations

import pytest

from codesteer.symbench import get_task
from codesteer.symbench.tasks.cryptanalysis import (
    HIGH,
    MID,
    MIXED,
    NONE,
    code_feedback,
    part_feedback,
    solve,
    split_code,
)
from tests.symbench import helpers

TASK = get_task("cryptanalysis")


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=10)


def test_feedback_rule() -> None:
    # Original sample_0: code 53FA. Guess 38TA: 3 elsewhere, 8 above both; A right, T above both.
    assert code_feedback("53FA", "38TA", 2) == ((0, 1, HIGH), (1, 0, HIGH))
    # 4 lies between 3 and 5; two absent digits on both sides are "mixed"; two in-between too.
    assert part_feedback((5, 3), (4, 5)) == (0, 1, MID)
    assert part_feedback((5, 3), (1, 9)) == (0, 0, MIXED)
    assert part_feedback((2, 7), (4, 5)) == (0, 0, MIXED)
    assert part_feedback((5, 3), (3, 5)) == (0, 2, NONE)


def test_solver_matches_brute_force() -> None:
    for index in range(6):
        item = TASK.generate(1, index, 1 + index % 3)
        guesses, code = item.meta["guesses"], item.meta["password"]
        feedback = [code_feedback(code, guess, 2) for guess in guesses]
        parts = [split_code(guess, 2) for guess in guesses]
        fits_d = [
            "".join(map(str, d))
            for d in permutations(range(10), 2)
            if all(part_feedback(d, g) == fb[0] for (g, _), fb in zip(parts, feedback, strict=True))
        ]
        fits_l = [
            "".join(chr(65 + x) for x in letters)
            for letters in permutations(range(26), 2)
            if all(
                part_feedback(letters, g) == fb[1]
                for (_, g), fb in zip(parts, feedback, strict=True)
            )
        ]
        brute = [d + x for d in fits_d for x in fits_l]
        assert brute == [code] == solve(guesses, feedback, 2, 2)
        # One guess fewer leaves the code ambiguous: guesses stop as soon as it is unique.
        assert len(solve(guesses[:-1], feedback[:-1], 2, 2)) > 1


def test_lenient_formats() -> None:
    item = TASK.generate(0, 0, 2)
    code = item.answer
    variants = (
        code.lower(),
        str(list(code)),
        '["' + '", "'.join(code) + '"]',
        ", ".join(code),
        " ".join(code),
        f"'{code}'",
        code + ".",
        f"[{code[:2]}, {code[2:]}]",
    )
    for variant in variants:
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_near_misses() -> None:
    item = TASK.generate(0, 1, 3)
    code = item.answer
    helpers.assert_below_one(
        TASK,
        item,
        [
            code[1] + code[0] + code[2:],  # digits swapped
            code[:2] + code[3] + code[2],  # letters swapped
            code[0] * 2 + code[2:],  # a repeated digit
            code[:3] + ("Z" if code[3] != "Z" else "Y"),  # one letter off
            code[:3],  # a symbol short
            item.meta["guesses"][0],  # the first guess
            code[::-1],
        ],
    )
    wrong = code[1] + code[0] + code[2:]
    assert "feedback of guess" in TASK.score(f"<<<{wrong}>>>", item).reason


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=75)
    assert agreement.agree == agreement.total

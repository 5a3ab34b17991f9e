from __future__ import annotations

import json

import pytest

from codesteer.symbench import get_task
from codesteer.symbench._task import RawInstance
from codesteer.symbench.tasks._letter_equations import count_solutions, parse_constraint
from tests.symbench import helpers

TASK = get_task("logical_equation")


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=10)


def test_parse_constraint_scales_decimals() -> None:
    constraint = parse_constraint("I = 1.5D")
    assert constraint is not None
    assert constraint.holds({"I": 3, "D": 2})
    assert not constraint.holds({"I": 2, "D": 3})
    greater = parse_constraint("C > H")
    assert greater is not None and greater.holds({"C": 2, "H": 1})
    assert not greater.holds({"C": 1, "H": 1})
    assert parse_constraint("A = B = C") is None
    assert parse_constraint("A B = 3") is None


def test_generated_items_are_unique() -> None:
    for level in (1, 5, 10, 13):
        item = TASK.generate(0, 0, level)
        constraints = [parse_constraint(text) for text in item.meta["constraints"]]
        assert all(constraints)
        found, finished = count_solutions(
            item.meta["letters"], item.meta["values"], [c for c in constraints if c], limit=2
        )
        assert finished and len(found) == 1
        assert [found[0][letter] for letter in item.meta["letters"]] == json.loads(item.answer)


def test_lenient_formats() -> None:
    item = TASK.generate(0, 0, 1)
    values = json.loads(item.answer)
    pairs = ", ".join(
        f"{letter}={v}" for letter, v in zip(item.meta["letters"], values, strict=True)
    )
    for variant in (
        " ".join(map(str, values)),
        ",".join(map(str, values)),
        "(" + ", ".join(f"{v}.0" for v in values) + ")",
        pairs,
        pairs.lower(),
        "\n".join(f"{letter}: {v}" for letter, v in zip(item.meta["letters"], values, strict=True)),
        f"'{values}'",
    ):
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_near_misses() -> None:
    item = TASK.generate(0, 1, 3)
    values = json.loads(item.answer)
    swapped = [values[1], values[0], *values[2:]]
    repeated = [values[0], values[0], *values[2:]]
    outsider = [max(item.meta["values"]) + 1, *values[1:]]
    helpers.assert_below_one(
        TASK,
        item,
        [
            json.dumps(swapped),  # a unique solution: a swap breaks a constraint
            json.dumps(values[:-1]),  # one value short
            json.dumps([*values, values[0]]),  # one too many
            json.dumps(repeated),
            json.dumps(outsider),
            json.dumps(sorted(values)),
        ],
    )
    assert "more than one letter" in TASK.score(f"<<<{repeated}>>>", item).reason
    assert "not in the value set" in TASK.score(f"<<<{outsider}>>>", item).reason


def test_any_valid_assignment_passes() -> None:
    # two solutions: A + B = 5 over {1, 4, 9} leaves A, B in {1, 4} either way round
    raw = RawInstance(
        "logical_equation/sample_3_1_0",
        {
            "question.txt": (
                "There are 3 letters A, B, C, each representing one of the numbers 1, 4, 9. "
                "The system of inequalities is satisfied as follows:\n1. A + B = 5\n\nReturn..."
            ),
            "solution.json": "[1, 4, 9]",
        },
    )
    item = TASK.parse_original(raw)
    assert TASK.score("<<<[1, 4, 9]>>>", item).value == 1.0
    assert TASK.score("<<<[4, 1, 9]>>>", item).value == 1.0
    assert TASK.score("<<<[9, 1, 4]>>>", item).value == 0.0
    # the original accepted repeated values; we require a permutation
    assert TASK.score("<<<[1, 4, 4]>>>", item).value == 0.0


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=100)
    assert agreement.agree == agreement.total

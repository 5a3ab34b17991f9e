from __future__ import annotations

import pytest

from codesteer.symbench import get_task
from codesteer.symbench.tasks.light_puzzles import simulate
from tests.symbench import helpers

TASK = get_task("light_puzzles")


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=10)


def test_rule_toggles_in_order() -> None:
    initial = [[0, 1], [1, 1]]
    buttons = {"A": [[1, 1], [2, 2]], "B": [[1, 1], [1, 2]]}
    # A: 1 1 / 1 0; B: 0 0 / 1 0; A again: 1 0 / 1 1
    assert simulate(initial, buttons, ["A", "B", "A"]) == [1, 0, 1, 1]
    assert simulate(initial, buttons, ["B", "B"]) == [0, 1, 1, 1]


def test_lenient_formats() -> None:
    item = TASK.generate(0, 0, 5)
    bits = item.answer.split(",")
    rows = ["".join(bits[i : i + 5]) for i in range(0, 25, 5)]
    for variant in (
        " ".join(bits),
        "\n".join(rows),
        ",".join(rows),
        str([[int(b) for b in row] for row in rows]),
        "[" + ", ".join(f"'{b}'" for b in bits) + "]",
        "".join(bits),
        item.answer + ".",
    ):
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_near_misses() -> None:
    item = TASK.generate(0, 1, 5)
    bits = item.answer.split(",")
    flipped = ["1" if bits[0] == "0" else "0", *bits[1:]]
    initial = [str(light) for row in item.meta["initial"] for light in row]
    assert initial != bits, "pick an item whose presses change the panel"
    helpers.assert_below_one(
        TASK,
        item,
        [
            ",".join(flipped),  # one light wrong
            ",".join(bits[:-1]),  # one light missing
            ",".join([*bits, "0"]),  # one light too many
            ",".join(initial),  # no press applied
            ",".join("2" if b == "1" else b for b in bits),  # not a bit
        ],
    )


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=100)
    assert agreement.agree == agreement.total

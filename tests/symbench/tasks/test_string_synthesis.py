from __future__ import annotations

import pytest

from codesteer.symbench import get_task
from codesteer.symbench.tasks.string_synthesis import (
    BLOCKS,
    synthesize,
    synthesize_once_per_pass,
)
from tests.symbench import helpers

TASK = get_task("string_synthesis")


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=20)


def test_each_method_is_exhausted() -> None:
    # 1 [A], 2 [B], 4 [C]: methods 1, 3 and 4 once each, then method 5 uses the {A} and {C}.
    assert synthesize(1, 2, 4) == [0, 0, 0, 0, 1, 0, 1, 1, 0]
    assert synthesize(3, 1, 2) == [2, 0, 1, 1, 0, 0, 0, 0, 0]
    # Method 3 twice in one pass gives two {B}, which method 6 turns into one (C).
    assert synthesize(0, 2, 2) == [0, 0, 0, 0, 0, 0, 0, 0, 1]
    # Exhausting method 1 leaves nothing for method 2; the once-per-pass reading differs.
    assert synthesize(2, 2, 2) == [0, 0, 0, 2, 0, 0, 0, 0, 0]
    assert synthesize_once_per_pass(2, 2, 2) == [0, 0, 1, 0, 0, 0, 1, 1, 0]


def test_lenient_formats() -> None:
    item = TASK.generate(0, 0, 1)
    counts = item.answer.split()
    labelled = ", ".join(f"{block}: {n}" for block, n in zip(BLOCKS, counts, strict=True))
    variants = (
        ", ".join(counts),
        "[" + ", ".join(counts) + "]",
        "[" + ", ".join(f"'{n}'" for n in counts) + "]",
        '["' + '", "'.join(counts) + '"]',
        "".join(counts),
        f'"{"".join(counts)}"',
        "\n".join(counts),
        labelled,
    )
    for variant in variants:
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_run_of_digits_needs_single_digit_counts() -> None:
    item = next(i for i in TASK.generate_many(50, 0, 4) if max(map(int, i.answer.split())) > 9)
    assert TASK.score(f"<<<{''.join(item.answer.split())}>>>", item).value == 0.0


def test_near_misses() -> None:
    item = next(
        i
        for i in TASK.generate_many(50, 0, 1)
        if synthesize_once_per_pass(*i.meta["initial"]) != synthesize(*i.meta["initial"])
    )
    counts = [int(n) for n in item.answer.split()]
    bumped = [counts[0] + 1, *counts[1:]]
    helpers.assert_below_one(
        TASK,
        item,
        [
            " ".join(map(str, synthesize_once_per_pass(*item.meta["initial"]))),
            " ".join(map(str, counts[:-1])),  # eight counts
            " ".join(map(str, [*counts, 0])),  # ten counts
            " ".join(map(str, bumped)),
            " ".join(map(str, counts[::-1])) if counts[::-1] != counts else "9 9 9 9 9 9 9 9 9",
            "[A]: 1",  # a partial labelled list
        ],
    )
    once = " ".join(map(str, synthesize_once_per_pass(*item.meta["initial"])))
    assert "once per pass" in TASK.score(f"<<<{once}>>>", item).reason


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=140)
    assert agreement.agree == agreement.total

from __future__ import annotations

import pytest

from codesteer.symbench import get_task
from codesteer.symbench.tasks._cyclic import Method, parse_counts, run_cyclic
from codesteer.symbench.tasks.string_splitting import final_counts
from tests.symbench import helpers

TASK = get_task("string_splitting")


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=10)


def test_one_method_per_visit() -> None:
    # 0 A, 4 B, 1 C: method 2 runs once, then method 4 gets its turn and uses the only C.
    # Exhausting method 2 first would leave 0 0 1 2 0 0 instead.
    assert final_counts(0, 4, 1) == [0, 1, 0, 2, 0, 1]
    assert final_counts(1, 0, 0) == [0, 0, 0, 1, 0, 1]
    states = run_cyclic({"p": 3, "q": 0}, [Method((("p", 1),), (("q", 1),))])
    assert [state["q"] for state in states] == [0, 1, 2, 3]


def test_count_parser() -> None:
    assert parse_counts("002003", 6) == [0, 0, 2, 0, 0, 3]
    assert parse_counts('["0","0","1","2","0","3"]', 6) == [0, 0, 1, 2, 0, 3]
    assert parse_counts("10 2", 6) == [10, 2]  # the caller rejects the length
    assert parse_counts("0020031", 6) == [20031]  # seven digits are one number, not counts


def test_lenient_formats() -> None:
    item = TASK.generate(0, 0, 3)
    counts = item.answer.split()
    for variant in (
        ", ".join(counts),
        "[" + ", ".join(counts) + "]",
        "[" + ", ".join(f'"{n}"' for n in counts) + "]",
        "".join(counts),
        f"'{''.join(counts)}'",
        "\n".join(counts),
    ):
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_near_misses() -> None:
    item = TASK.generate(0, 1, 5)
    counts = [int(n) for n in item.answer.split()]
    helpers.assert_below_one(
        TASK,
        item,
        [
            " ".join(map(str, counts[:-1])),
            " ".join(map(str, [*counts, 0])),
            " ".join(map(str, [*counts[:-1], counts[-1] + 1])),
            " ".join(map(str, counts[3:] + counts[:3])) if counts[3:] != counts[:3] else "9 " * 6,
            " ".join(map(str, item.meta["initial"] + [0, 0, 0])),  # nothing done
        ],
    )


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=140)
    assert agreement.agree == agreement.total

from __future__ import annotations

import json
import random
from itertools import permutations

import pytest

from codesteer.symbench import get_task
from codesteer.symbench.tasks.permutations_combinations import Constraint, solve, violated
from tests.symbench import helpers

TASK = get_task("permutations_combinations")


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=10)


def test_solver_finds_the_first_arrangement_like_brute_force() -> None:
    rng = random.Random(7)
    books = list("ABCDEF")
    kinds = ("fixed", "left", "not_at", "right", "adjacent")
    for _ in range(150):
        constraints: list[Constraint] = []
        for _ in range(rng.randint(2, 8)):
            kind = rng.choice(kinds)
            if kind in ("fixed", "not_at"):
                constraints.append((kind, rng.choice(books), rng.randint(1, 6)))
            else:
                a, b = rng.sample(books, 2)
                constraints.append((kind, a, b))
        brute = next(
            (
                list(order)
                for order in permutations(books)
                if not any(
                    violated(c, {book: i for i, book in enumerate(order, start=1)})
                    for c in constraints
                )
            ),
            None,
        )
        assert solve(books, constraints) == brute, constraints


def test_semantics_of_each_constraint() -> None:
    position = {"A": 1, "B": 2, "C": 3}
    assert not violated(("left", "A", "C"), position)  # not necessarily next to it
    assert violated(("right", "A", "C"), position)
    assert not violated(("adjacent", "C", "B"), position)
    assert violated(("adjacent", "A", "C"), position)
    assert violated(("fixed", "B", 3), position)
    assert violated(("not_at", "B", 2), position)


def test_lenient_formats() -> None:
    item = TASK.generate(0, 0, 2)
    books = json.loads(item.answer)
    for variant in (
        ", ".join(books),
        " ".join(books),
        "".join(books),
        "".join(books).lower(),
        str(books),
        "\n".join(books),
        f"({', '.join(books)})",
    ):
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_any_valid_arrangement_passes() -> None:
    # A validator: every arrangement satisfying the constraints scores 1, not just ours.
    item = TASK.generate(0, 5, 1)
    books = item.meta["books"]
    constraints: list[Constraint] = [(c[0], c[1], c[2]) for c in item.meta["constraints"]]
    valid = [
        list(order)
        for order in permutations(books)
        if not any(violated(c, {b: i for i, b in enumerate(order, start=1)}) for c in constraints)
    ]
    assert len(valid) > 1
    for order in valid[:20]:
        assert TASK.score(f"<<<{json.dumps(order)}>>>", item).value == 1.0


def test_near_misses() -> None:
    item = TASK.generate(0, 1, 3)
    books = json.loads(item.answer)
    first_violation = next(
        order
        for order in permutations(books)
        if any(
            violated((c[0], c[1], c[2]), {b: i for i, b in enumerate(order, start=1)})
            for c in item.meta["constraints"]
        )
    )
    helpers.assert_below_one(
        TASK,
        item,
        [
            json.dumps(books[:-1]),  # a book missing (the original accepted this)
            json.dumps([*books[:-1], books[0]]),  # a book twice, one missing
            json.dumps([*books, "Z"]),  # an unknown book
            json.dumps(list(first_violation)),  # a full permutation breaking a constraint
            json.dumps(books + books),  # every book twice
        ],
    )
    reason = TASK.score(f"<<<{json.dumps(list(first_violation))}>>>", item).reason
    assert reason.startswith("breaks constraint")
    assert "missing" in TASK.score(f"<<<{json.dumps(books[:-1])}>>>", item).reason


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=150)
    assert agreement.agree == agreement.total

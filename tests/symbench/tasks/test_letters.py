from __future__ import annotations

import random

import pytest

from codesteer.symbench import get_task
from codesteer.symbench._task import RawInstance
from codesteer.symbench.tasks.letters import parse_count_positions, positions_of, pseudo_word
from tests.symbench import helpers

TASK = get_task("letters")


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=20)


def test_words_follow_the_knobs() -> None:
    for level, knobs in TASK.levels.items():
        for index in range(5):
            item = TASK.generate(1, index, level)
            word, letter = item.meta["word"], item.meta["letter"]
            assert knobs.min_length <= len(word) <= knobs.max_length
            assert knobs.min_count <= word.count(letter) <= knobs.max_count


def test_pseudo_word_has_exact_count() -> None:
    rng = random.Random(5)
    for count in range(8):
        word = pseudo_word(rng, 12, "a", count)
        assert len(word) == 12
        assert word.count("a") == count


def test_lenient_formats() -> None:
    item = TASK.generate(0, 0, 3)
    positions = positions_of(item.meta["word"], item.meta["letter"])
    n = len(positions)
    plain = ", ".join(map(str, positions))
    variants = (
        f"Count: {n}, Positions: [{plain}]",
        f"count:{n},positions:[{','.join(map(str, positions))}]",
        f"COUNT = {n}; POSITIONS = ({plain})",
        f"Count: {n}\nPositions: {' '.join(map(str, positions))}",
        f"Count: {n}, Positions: [{', '.join(map(str, reversed(positions)))}]",
        f"Positions: [{plain}], Count: {n}",
        f"{n}, [{plain}]",
        f"'Count: {n}, Positions: [{plain}]'.",
    )
    for variant in variants:
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_near_misses() -> None:
    item = TASK.generate(0, 1, 3)
    positions = positions_of(item.meta["word"], item.meta["letter"])
    n = len(positions)
    zero_based = [p - 1 for p in positions]
    shifted = [*positions[:-1], positions[-1] + 1]
    helpers.assert_below_one(
        TASK,
        item,
        [
            f"Count: {n + 1}, Positions: {positions}",  # wrong count
            f"Count: {n}, Positions: {zero_based}",  # 0-based positions
            f"Count: {n}, Positions: {shifted}",  # one position off by one
            f"Count: {n}, Positions: {positions[:-1]}",  # one missing
            f"Count: {n}, Positions: {[*positions, len(item.meta['word']) + 1]}",
            f"Count: {n}",  # no positions
            str(positions),
        ],
    )


def test_parser() -> None:
    assert parse_count_positions("Count: 0, Positions: []") == (0, [])
    assert parse_count_positions("Count: 2, Positions: [1, x]") is None
    assert parse_count_positions("two, one and five") is None


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


def test_wrong_folder_count_is_a_known_defect() -> None:
    path = "Letters/Letters_dataset_min_length_10_max_length_15/a_3_0"
    good = TASK.parse_original(RawInstance(path, {"test_words.json": '"banana"'}))
    assert good.known_defect is None
    assert good.complexity == 2
    assert TASK.score(f"<<<{good.original_answer}>>>", good).value == 1.0
    wrong = TASK.parse_original(RawInstance(path, {"test_words.json": '"abracadabra"'}))
    assert wrong.known_defect is not None and "5 times" in wrong.known_defect
    assert TASK.score(f"<<<{wrong.original_answer}>>>", wrong).value == 0.0
    assert TASK.score(f"<<<{wrong.answer}>>>", wrong).value == 1.0


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=6000)
    assert agreement.agree == agreement.total

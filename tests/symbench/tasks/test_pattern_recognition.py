from __future__ import annotations

import json

import pytest

from codesteer.symbench import RawInstance, get_task
from codesteer.symbench.tasks.pattern_recognition import filled_squares
from tests.paths import original_root
from tests.symbench import helpers

TASK = get_task("pattern_recognition")


def _grid(text: str) -> list[str]:
    return text.split()


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=8)


def test_generated_matrices_hold_exactly_one_square() -> None:
    for level in TASK.levels:
        for item in TASK.generate_many(10, 3, level):
            squares = filled_squares(item.meta["grid"])
            assert len(squares) == 1, (item.id, squares)


def test_square_finder() -> None:
    # a 4 x 4 block counts once (its 3 x 3 parts are inside it)
    assert filled_squares(_grid("ABCDEF BAAAAC CAAAAD DAAAAE EAAAAB FBCDEA")) == [(4, 4, 4)]
    # a 3 x 4 rectangle holds two overlapping 3 x 3 squares: not unique
    assert len(filled_squares(_grid("ABCDEF BAAAAC CAAAAD DAAAAE EFCDBA FBCDEA"))) == 2
    # two interior squares, neither touching the right or bottom border, are both found
    grid = _grid(
        "ABCDEFGHIJ BXXXCDEFGH CXXXDEFGHI DXXXEFGHIJ EFGHIJABCD "
        "FGHIYYYABC GHIJYYYBCD HIJAYYYCDE IJABCDEFGH JABCDEFGHI"
    )
    assert filled_squares(grid) == [(3, 3, 3), (7, 6, 3)]
    # a 3 x 3 block with one cell changed is no square
    assert filled_squares(_grid("ABCDEF BAAACD CABAEF DAAAFA EFABCD FABCDE")) == []


def test_lenient_formats() -> None:
    item = TASK.generate(0, 0, 2)
    row, col = item.answer.strip("[]").split(", ")
    for variant in (
        f"{row},{col}",
        f"({row}, {col})",
        f"{row} {col}",
        f"'[{row}, {col}]'",
        f"row {row}, column {col}",
        f"[{row}, {col}].",
        f"[[{row}, {col}]]",
    ):
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_near_misses() -> None:
    item = TASK.generate(0, 1, 2)
    ((row, col, side),) = filled_squares(item.meta["grid"])
    helpers.assert_below_one(
        TASK,
        item,
        [
            f"[{row - side + 1}, {col - side + 1}]",  # top-left corner
            f"[{row + 1}, {col + 1}]",  # counted from 1
            f"[{row - 1}, {col}]",  # inside the square
            f"[{row}, {col}, 0]",  # a third number
            f"[{row}]",
        ],
    )
    if row != col:
        helpers.assert_below_one(TASK, item, [f"[{col}, {row}]"])


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


def test_original_with_two_squares_is_rejected() -> None:
    rows = "A A A B B B\nA A A B B B\nA A A B B B\nC D C D C D"
    question = f"If the matrix is\n\n{rows}\n\nPlease provide ..."
    solution = json.dumps({"row": 2, "column": 2, "complexity": 3})
    raw = RawInstance(
        "pattern_recognition/sample_0", {"question.txt": question, "solution.json": solution}
    )
    with pytest.raises(ValueError, match="2 filled squares"):
        TASK.parse_original(raw)


@pytest.mark.original
def test_aggregate_json_repeats_the_samples() -> None:
    folder = original_root() / "pattern_recognition"
    entries = json.loads((folder / "pattern_recognition_dataset.json").read_text())
    samples = [folder / f"sample_{i}" for i in range(len(entries))]
    present = [(i, path) for i, path in enumerate(samples) if path.is_dir()]
    assert present
    for i, path in present:
        assert entries[i]["question"] == (path / "question.txt").read_text()
        assert entries[i]["solution"] == json.loads((path / "solution.json").read_text())


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=50)
    assert agreement.agree == agreement.total

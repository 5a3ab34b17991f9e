"""Pattern Recognition (seen): find the one filled square in a matrix of letters.

Rule: a *filled square* is a ``k x k`` block (``k >= 3``) whose cells all hold the same letter
and which is not part of a larger such block. Every matrix holds exactly one; the answer is
its bottom-right corner ``[row, column]``, counted from 0, and is compared exactly. Leniency:
``[5, 6]``, ``(5, 6)``, ``5,6``, ``5 6``, ``row 5, column 6``, quotes and a trailing period.

Uniqueness is checked over the whole matrix, not only at its borders: the largest uniform
square ending at each cell is computed by dynamic programming and the blocks not contained in
a larger one are collected. The generator plants one square, then, while any other filled
square exists (a stray block of random letters, a decoy grown into a square, or the planted
square grown larger by equal neighbours), changes one of its cells outside the planted square
and checks again; an item is produced only when the planted square is the only one. Higher
levels use small alphabets and plant decoys (a 3 x 3 block with one cell changed, bars two
cells wide), so near-squares abound.

About the original: the reference notes that its generator's uniqueness check only caught
competing squares touching the right or bottom border. On the released instances that did not
matter: with 26 letters a stray 3 x 3 uniform block is vanishingly rare, and our solver finds
exactly one filled square, at the stored corner, on every instance. The folder also holds
``pattern_recognition_dataset.json``, an aggregate whose entry ``i`` repeats the question and
solution of ``sample_i`` (checked on every sample present); it is not imported, so no instance
counts twice. The original's checker ``int()``-parsed ``r,c`` and failed on brackets, although
its own question asked for ``[row, column]``; ours accepts both.
"""

from __future__ import annotations

import json
import random
import re
import string
from dataclasses import dataclass

from codesteer.symbench._parse import parse_int_list, strip_quotes
from codesteer.symbench._task import Knobs, OriginalSource, RawInstance, Task
from codesteer.symbench._types import Item, Score, Split

LETTERS = string.ascii_uppercase
MIN_SIDE = 3
#: rounds of breaking stray squares; each round usually leaves none
MAX_REPAIRS = 100

#: a square as (bottom row, right column, side)
Square = tuple[int, int, int]


@dataclass(frozen=True)
class PatternRecognitionKnobs(Knobs):
    min_size: int
    max_size: int
    #: how many different letters fill the matrix
    letters: int = 26
    #: near-squares planted to mislead (3 x 3 with one cell changed, bars two cells wide)
    decoys: int = 0

    def validate(self) -> None:
        if not 2 * MIN_SIDE <= self.min_size <= self.max_size <= 200:
            raise ValueError(f"need {2 * MIN_SIDE} <= min_size <= max_size <= 200")
        if not 3 <= self.letters <= len(LETTERS):
            raise ValueError("need 3 to 26 letters")
        if not 0 <= self.decoys <= 100:
            raise ValueError("need 0 <= decoys <= 100")


def filled_squares(grid: list[str]) -> list[Square]:
    """Every uniform square of side >= 3 that is not inside a larger one."""
    rows, cols = len(grid), len(grid[0])
    best = [[1] * cols for _ in range(rows)]  # largest uniform square ending at each cell
    for i in range(1, rows):
        for j in range(1, cols):
            cell = grid[i][j]
            if cell == grid[i - 1][j] == grid[i][j - 1] == grid[i - 1][j - 1]:
                best[i][j] = 1 + min(best[i - 1][j], best[i][j - 1], best[i - 1][j - 1])
    candidates = sorted(
        ((i, j, best[i][j]) for i in range(rows) for j in range(cols) if best[i][j] >= MIN_SIDE),
        key=lambda square: -square[2],
    )
    # a square inside a non-maximal one is inside a maximal one: compare with those only
    maximal: list[Square] = []
    for square in candidates:
        if not any(_inside(square, other) for other in maximal):
            maximal.append(square)
    return sorted(maximal)


def _inside(inner: Square, outer: Square) -> bool:
    i, j, k = inner
    oi, oj, ok = outer
    return oi - ok <= i - k and i <= oi and oj - ok <= j - k and j <= oj


def solve(grid: list[str]) -> tuple[int, int]:
    squares = filled_squares(grid)
    if len(squares) != 1:
        raise ValueError(f"the matrix holds {len(squares)} filled squares, not exactly one")
    row, col, _ = squares[0]
    return row, col


def question_for(grid: list[str]) -> str:
    matrix = "\n".join(" ".join(line) for line in grid)
    return (
        f"Here is a matrix of letters with {len(grid)} rows and {len(grid[0])} columns:\n\n"
        f"{matrix}\n\n"
        "A filled square is a k x k block of cells, with k at least 3, in which every cell "
        "holds the same letter and which is not part of a larger such block. The matrix "
        "contains exactly one filled square. Rows and columns are numbered from 0, starting "
        "at the top-left cell. Give the row and column of the bottom-right corner of the "
        "filled square, in the form <<<[row, column]>>>, for example <<<[4, 7]>>>."
    )


_LABELS = re.compile(r"\b(?:row|column|col|r|c)\b\s*[:=]?", re.IGNORECASE)


def parse_corner(answer: str) -> tuple[int, int] | None:
    if len(answer) > 200:
        return None
    numbers = parse_int_list(_LABELS.sub(" ", strip_quotes(answer)).rstrip("."))
    if numbers is None or len(numbers) != 2:
        return None
    return numbers[0], numbers[1]


class PatternRecognition(Task[PatternRecognitionKnobs]):
    name = "pattern_recognition"
    title = "Pattern Recognition"
    split = Split.SEEN
    aliases = ("pattern recognition", "square finding")
    answer_format = "the bottom-right corner of the square, 0-based, e.g. <<<[4, 7]>>>"
    levels = {
        1: PatternRecognitionKnobs(6, 8),
        2: PatternRecognitionKnobs(6, 15),  # the original generator's range
        3: PatternRecognitionKnobs(10, 15, letters=8, decoys=2),
        4: PatternRecognitionKnobs(16, 20, letters=5, decoys=4),
        5: PatternRecognitionKnobs(25, 30, letters=4, decoys=8),
        6: PatternRecognitionKnobs(40, 50, letters=3, decoys=12),
    }
    default_levels = (2,)
    # sample folders only: pattern_recognition_dataset.json repeats them (module docstring)
    original_sources = (OriginalSource("pattern_recognition/sample_*", "dir"),)

    def _generate(self, rng: random.Random, knobs: PatternRecognitionKnobs) -> Item:
        rows = rng.randint(knobs.min_size, knobs.max_size)
        cols = rng.randint(knobs.min_size, knobs.max_size)
        side = rng.randint(MIN_SIDE, min(rows, cols) // 2)
        alphabet = "".join(sorted(rng.sample(LETTERS, knobs.letters)))
        grid = [[rng.choice(alphabet) for _ in range(cols)] for _ in range(rows)]
        for _ in range(knobs.decoys):
            _plant_decoy(rng, grid, alphabet)
        top, left = rng.randint(0, rows - side), rng.randint(0, cols - side)
        letter = rng.choice(alphabet)
        for i in range(top, top + side):
            grid[i][left : left + side] = [letter] * side
        planted = (top + side - 1, left + side - 1, side)
        for _ in range(MAX_REPAIRS):
            lines = ["".join(row) for row in grid]
            others = [square for square in filled_squares(lines) if square != planted]
            if not others:
                return self._item(lines)
            for square in others:
                _break_square(rng, grid, square, planted, alphabet)
        raise RuntimeError("could not make the square unique")  # pragma: no cover

    def _item(self, grid: list[str]) -> Item:
        row, col = solve(grid)
        return Item(
            task=self.name,
            id="",
            question=question_for(grid),
            answer=f"[{row}, {col}]",
            meta={"grid": grid},
        )

    def check(self, answer: str, item: Item) -> Score:
        grid: list[str] = item.meta["grid"]
        row, col = solve(grid)
        given = parse_corner(answer)
        if given is None:
            return Score(0.0, None, "not a [row, column] pair of integers")
        shown = f"[{given[0]}, {given[1]}]"
        if given == (row, col):
            return Score(1.0, shown, "correct")
        side = next(k for i, j, k in filled_squares(grid) if (i, j) == (row, col))
        top, left = row - side + 1, col - side + 1
        if given == (col, row):
            reason = "row and column are swapped"
        elif given == (row + 1, col + 1):
            reason = "counted from 1; rows and columns are counted from 0"
        elif given == (top, left):
            reason = "that is the top-left corner, not the bottom-right one"
        elif top <= given[0] <= row and left <= given[1] <= col:
            reason = "inside the square but not its bottom-right corner"
        else:
            reason = "not the bottom-right corner of the filled square"
        return Score(0.0, shown, reason)

    def parse_original(self, raw: RawInstance) -> Item:
        solution = json.loads(raw.data["solution.json"])
        grid = _grid_from_question(raw.data["question.txt"])
        return self.as_original(
            raw,
            self._item(grid),
            original_answer=f"[{int(solution['row'])}, {int(solution['column'])}]",
            complexity=solution.get("complexity"),
        )


_MATRIX_LINE = re.compile(r"\S(?: \S)+")


def _grid_from_question(question: str) -> list[str]:
    """The matrix of an original question: its lines of single characters separated by
    single spaces (no other line of the question looks like that)."""
    lines = [line.strip() for line in question.splitlines()]
    grid = [line.replace(" ", "") for line in lines if _MATRIX_LINE.fullmatch(line)]
    if not grid or any(len(row) != len(grid[0]) for row in grid):
        raise ValueError("no rectangular character matrix in the question")
    return grid


def _break_square(
    rng: random.Random, grid: list[list[str]], square: Square, planted: Square, alphabet: str
) -> None:
    """Change one cell of a stray (or overgrown) square, outside the planted square, so that
    the block is no longer uniform. Random letters and decoys make such blocks now and then."""
    row, col, side = square
    prow, pcol, pside = planted
    cells = [
        (i, j)
        for i in range(row - side + 1, row + 1)
        for j in range(col - side + 1, col + 1)
        if not (prow - pside < i <= prow and pcol - pside < j <= pcol)
    ]
    # never empty: a uniform square inside the planted one is not maximal
    i, j = rng.choice(cells)
    grid[i][j] = rng.choice([c for c in alphabet if c != grid[i][j]])


def _plant_decoy(rng: random.Random, grid: list[list[str]], alphabet: str) -> None:
    """A near-square: a 3 x 3 uniform block with one cell changed, or a bar two cells wide."""
    rows, cols = len(grid), len(grid[0])
    letter = rng.choice(alphabet)
    if rng.random() < 0.5:
        height, width = 3, 3
    else:
        length = rng.randint(3, max(3, min(rows, cols) // 2))
        height, width = (2, length) if rng.random() < 0.5 else (length, 2)
    top, left = rng.randint(0, rows - height), rng.randint(0, cols - width)
    for i in range(top, top + height):
        grid[i][left : left + width] = [letter] * width
    if height == width:
        other = rng.choice([c for c in alphabet if c != letter])
        grid[top + rng.randrange(3)][left + rng.randrange(3)] = other


TASK = PatternRecognition()

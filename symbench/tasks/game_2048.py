"""2048 (unseen): move one tile of a grid step by step and report the grid afterwards.

Rules (as the original ground truth applies them, verified on every original instance): only
the tile that starts at the given cell moves, one cell per letter of the move string (u, d, l,
r); no other tile ever moves. For each letter, with the target cell being the neighbour in that
direction:

- the target is off the grid: nothing happens;
- the target is empty: the tile moves there;
- the target holds the same value: the two merge into one tile of twice the value on the target
  cell, and that merged tile is the one that keeps moving;
- the target holds a different value: nothing happens (the tile stays where it is).

Quirk of the original data: 78 of its 150 released instances start on an empty cell, so nothing
moves and the answer is the grid as given. The ground truth is consistent with the rules above
(an "empty tile" changes nothing), so these are not defects; our question says what happens
then. Our generator always starts on a tile and redraws puzzles in which it never moves.

Scoring: the final grid is unique, so it is compared exactly, cell by cell. Accepted forms: rows
on separate lines or separated by commas/semicolons, with or without brackets
(``16, 0\\n4, 2``, ``[[16, 0], [4, 2]]``, ``16 0 4 2``). A nested list must have the grid's shape.
The original checker compared comma-separated tokens without stripping brackets, so
``[[16, 0], [4, 2]]`` failed there.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from codesteer.symbench._parse import parse_int_list, parse_literal
from codesteer.symbench._task import Knobs, OriginalSource, RawInstance, Task
from codesteer.symbench._types import Item, Score, Split

DIRECTIONS: dict[str, tuple[int, int]] = {"u": (-1, 0), "d": (1, 0), "l": (0, -1), "r": (0, 1)}
TILE_VALUES = (2, 4, 8, 16, 32)
#: Longest answer worth reading (a 12 x 12 grid of large numbers is far shorter).
MAX_ANSWER_LENGTH = 20_000
#: Draws tried before accepting a puzzle in which the tile does not move.
MAX_DRAWS = 100

Grid = list[list[int]]


def play(grid: Grid, start: tuple[int, int], moves: str) -> Grid:
    """The grid after the tile at ``start`` (0-based row, column) follows ``moves``."""
    board = [row[:] for row in grid]
    row, col = start
    for move in moves:
        d_row, d_col = DIRECTIONS[move]
        to_row, to_col = row + d_row, col + d_col
        if not (0 <= to_row < len(board) and 0 <= to_col < len(board[0])):
            continue
        value, target = board[row][col], board[to_row][to_col]
        if target == 0 or target == value:
            board[to_row][to_col] = value + target
            board[row][col] = 0
            row, col = to_row, to_col
    return board


def render(grid: Grid) -> str:
    return "[" + ", ".join("[" + ", ".join(map(str, row)) + "]" for row in grid) + "]"


def question_for(grid: Grid, start: tuple[int, int], moves: str) -> str:
    rows = "\n".join(", ".join(map(str, row)) for row in grid)
    size = f"{len(grid)}x{len(grid[0])}"
    return (
        f"Here is a {size} grid; 0 is an empty cell, the other numbers are tiles:\n{rows}\n\n"
        f"Take the tile at row {start[0] + 1}, column {start[1] + 1} (counting from 1 at the "
        f"top-left) and move it according to the letters of '{moves}', one cell per letter: "
        "u = up, d = down, l = left, r = right. Only this tile moves; all other tiles stay put. "
        "For each letter, look at the neighbouring cell in that direction:\n"
        "- outside the grid: the tile stays where it is;\n"
        "- empty: the tile moves into it;\n"
        "- a tile of the same value: the two merge into one tile of double the value in that "
        "neighbouring cell, and the merged tile is the one that carries on moving;\n"
        "- a tile of a different value: the tile stays where it is.\n"
        "(If the starting cell is empty, there is nothing to move.) The next letter then "
        "applies to the tile's current position.\n\n"
        "What is the grid after all the moves? Give it as a list of rows, e.g. "
        "<<<[[2, 0], [0, 8]]>>>."
    )


@dataclass(frozen=True)
class Game2048Knobs(Knobs):
    size: int
    num_moves: int

    def validate(self) -> None:
        if not 2 <= self.size <= 12:
            raise ValueError("size must be in 2..12")
        if not 1 <= self.num_moves <= 1_000:
            raise ValueError("num_moves must be in 1..1000")


class Game2048(Task[Game2048Knobs]):
    name = "game_2048"
    title = "2048"
    split = Split.UNSEEN
    aliases = ("2048", "game 2048")
    answer_format = "the final grid as a list of rows, e.g. <<<[[2, 0], [0, 8]]>>>"
    levels = {  # 1..5: the original (size, #moves) configurations
        1: Game2048Knobs(2, 2),
        2: Game2048Knobs(3, 3),
        3: Game2048Knobs(4, 4),
        4: Game2048Knobs(5, 5),
        5: Game2048Knobs(5, 6),
        6: Game2048Knobs(6, 12),
        7: Game2048Knobs(8, 30),
        8: Game2048Knobs(10, 80),
    }
    default_levels = (1, 2, 3, 4, 5)
    original_sources = (OriginalSource("2048_dataset/sample_*", "dir"),)

    def _generate(self, rng: random.Random, knobs: Game2048Knobs) -> Item:
        # Redraw puzzles where the tile never moves (the answer would be the given grid);
        # on a 2x2 grid that is most draws.
        for _ in range(MAX_DRAWS):
            grid, start, moves = _draw(rng, knobs)
            if play(grid, start, moves) != grid:
                break
        return self._item(grid, start, moves)

    def _item(self, grid: Grid, start: tuple[int, int], moves: str) -> Item:
        return Item(
            task=self.name,
            id="",
            question=question_for(grid, start, moves),
            answer=render(play(grid, start, moves)),
            meta={"grid": grid, "start": list(start), "moves": moves},
        )

    def check(self, answer: str, item: Item) -> Score:
        if len(answer) > MAX_ANSWER_LENGTH:
            return Score(0.0, None, "answer too long")
        grid = item.meta["grid"]
        rows, cols = len(grid), len(grid[0])
        shape_problem = _shape_problem(answer, rows, cols)
        if shape_problem:
            return Score(0.0, None, shape_problem)
        given = parse_int_list(answer)
        if given is None:
            return Score(0.0, None, "no grid of numbers found")
        if len(given) != rows * cols:
            return Score(0.0, None, f"expected {rows * cols} numbers, got {len(given)}")
        given_grid = [given[r * cols : (r + 1) * cols] for r in range(rows)]
        shown = render(given_grid)
        row, col = item.meta["start"]
        expected = play(grid, (row, col), item.meta["moves"])
        if given_grid == expected:
            return Score(1.0, shown, "correct")
        if given_grid == grid:
            return Score(0.0, shown, "the grid is unchanged, but the tile moves")
        wrong = next(
            (r + 1, c + 1)
            for r in range(rows)
            for c in range(cols)
            if given_grid[r][c] != expected[r][c]
        )
        return Score(0.0, shown, f"wrong value at row {wrong[0]}, column {wrong[1]}")

    def parse_original(self, raw: RawInstance) -> Item:
        solution = json.loads(raw.data["solution.json"])
        grid = [[int(value) for value in row] for row in solution["grid"]]
        row, col = (int(value) for value in solution["start_pos"])
        item = self._item(grid, (row, col), str(solution["moves"]))
        stored = [
            [int(tok) for tok in line.split(",")] for line in solution["solution"].splitlines()
        ]
        return self.as_original(
            raw, item, original_answer=render(stored), complexity=solution.get("complexity")
        )


def _draw(rng: random.Random, knobs: Game2048Knobs) -> tuple[Grid, tuple[int, int], str]:
    """A grid with size..2*size tiles, a start cell on a tile, and a random move string."""
    n = knobs.size
    cells = [(r, c) for r in range(n) for c in range(n)]
    tiles = rng.sample(cells, rng.randint(n, 2 * n))
    grid = [[0] * n for _ in range(n)]
    for r, c in tiles:
        grid[r][c] = rng.choice(TILE_VALUES)
    moves = "".join(rng.choice("udlr") for _ in range(knobs.num_moves))
    return grid, rng.choice(tiles), moves


def _shape_problem(answer: str, rows: int, cols: int) -> str | None:
    """Why a nested list does not have the grid's shape (``None`` if fine or not nested)."""
    if "[" not in answer and "(" not in answer:
        return None
    value = parse_literal(answer.strip())
    if not isinstance(value, list | tuple) or not all(isinstance(r, list | tuple) for r in value):
        return None
    if len(value) != rows or any(len(r) != cols for r in value):
        return f"the grid must have {rows} rows of {cols} numbers"
    return None


TASK = Game2048()

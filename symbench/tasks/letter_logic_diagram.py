"""Letter Logic Diagram (seen): complete a Latin square of letters with a uniform anti-diagonal.

An ``n x n`` grid over the first ``n`` letters (the original: 7x7 over ``a..g``) is partly
filled. Fill it so that every row and every column holds each letter exactly once and all
cells of the minor diagonal (top-right to bottom-left, ``col = n-1-row``) hold the same letter.

Puzzles usually have several completions, so the verifier is a validator: any grid that keeps
the given letters and meets the three rules scores 1, anything else 0. The original checker
compared the answer cell by cell with its single stored solution, so valid alternative
completions failed (reference section 6, item 9), and its parser needed ``],[`` without spaces.
We read the grid leniently: one row per line or JSON/Python lists, with or without commas,
quotes, spaces or brackets, in any case (``c,g,e``, ``["c", "g", "e"]``, ``cge`` per row).

Generation: levels 1-4 reproduce the original (a cyclic square ``(r + c) mod 7`` under a
random letter permutation, then 15/20/25/30 random cells blanked; the original's complexity 4
and 5 both blank 30). Higher levels draw a random Latin square with a uniform anti-diagonal
(randomised backtracking), blank more cells and grow the grid. The reference answer is the
drawn full grid; original instances are completed by our bounded solver.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from codesteer.symbench._task import Knobs, OriginalSource, RawInstance, Task
from codesteer.symbench._types import Item, Score, Split
from codesteer.symbench.tasks._latin_grids import Cell, Full, Grid, parse_grid, solve_grid

LETTERS = "abcdefghijklmnopqrstuvwxyz"
Puzzle = list[list[str | None]]


@dataclass(frozen=True)
class LetterLogicKnobs(Knobs):
    size: int
    blanks: int
    #: the original's cyclic square (r + c) mod n, else a random Latin square
    cyclic: bool

    def validate(self) -> None:
        if not 2 <= self.size <= 16:
            raise ValueError("size must be in 2..16")
        if not 0 <= self.blanks <= self.size * self.size:
            raise ValueError("blanks must be in 0..size*size")


def groups_for(n: int) -> list[list[Cell]]:
    rows = [[(r, c) for c in range(n)] for r in range(n)]
    cols = [[(r, c) for r in range(n)] for c in range(n)]
    return rows + cols


def anti_diagonal(n: int) -> list[Cell]:
    return [(r, n - 1 - r) for r in range(n)]


def violation(puzzle: Puzzle, answer: list[list[str]]) -> str | None:
    """Why ``answer`` is not a valid completion of ``puzzle``, or ``None``."""
    n = len(puzzle)
    for r in range(n):
        for c in range(n):
            given = puzzle[r][c]
            if given is not None and answer[r][c] != given:
                return f"cell ({r}, {c}) must stay {given}, not {answer[r][c]}"
    for r in range(n):
        if len(set(answer[r])) != n:
            return f"row {r} repeats a letter: {''.join(answer[r])}"
    for c in range(n):
        column = [answer[r][c] for r in range(n)]
        if len(set(column)) != n:
            return f"column {c} repeats a letter: {''.join(column)}"
    diagonal = {answer[r][c] for r, c in anti_diagonal(n)}
    if len(diagonal) != 1:
        return f"the minor diagonal holds several letters: {', '.join(sorted(diagonal))}"
    return None


def solve(puzzle: Puzzle) -> list[list[str]] | None:
    """One completion of ``puzzle`` (``None`` if there is none); raises ``ValueError`` when
    the bounded search gives up."""
    n = len(puzzle)
    grid: Grid = [[None if v is None else LETTERS.index(v) for v in row] for row in puzzle]
    found = solve_grid(grid, groups_for(n), anti_diagonal(n))
    return _letters(found) if found is not None else None


def _letters(full: Full) -> list[list[str]]:
    return [[LETTERS[v] for v in row] for row in full]


def format_grid(grid: list[list[str]]) -> str:
    return "\n".join(",".join(row) for row in grid)


def _full_grid(rng: random.Random, knobs: LetterLogicKnobs) -> list[list[str]]:
    n = knobs.size
    if knobs.cyclic:
        perm = rng.sample(LETTERS[:n], n)
        return [[perm[(r + c) % n] for c in range(n)] for r in range(n)]
    empty: Grid = [[None] * n for _ in range(n)]
    found = solve_grid(empty, groups_for(n), anti_diagonal(n), rng=rng, budget=1_000_000)
    if found is None:  # pragma: no cover - (r + c) mod n shows a completion always exists
        raise RuntimeError("no Latin square with a uniform anti-diagonal found")
    return _letters(found)


def question_for(puzzle: Puzzle) -> str:
    n = len(puzzle)
    alphabet = LETTERS[:n]
    rows = "\n".join(",".join(v if v is not None else "_" for v in row) for row in puzzle)
    return (
        f"A {n} x {n} grid uses the letters {alphabet[0]} to {alphabet[-1]}. Some cells are "
        "already filled; the empty ones are shown as _. Each row is on its own line, with its "
        f"cells separated by commas:\n\n{rows}\n\n"
        "Fill every empty cell so that\n"
        f"- each row contains each of the {n} letters exactly once,\n"
        f"- each column contains each of the {n} letters exactly once, and\n"
        "- all cells on the diagonal from the top-right corner to the bottom-left corner hold "
        "the same letter.\n"
        "Keep the letters that are already given.\n\n"
        f"Answer with the completed grid: {n} lines, each with {n} letters separated by "
        "commas, wrapped in <<< and >>>. For example, a 3 x 3 grid over a to c would be "
        "written\n<<<\nb,c,a\nc,a,b\na,b,c\n>>>"
    )


class LetterLogicDiagram(Task[LetterLogicKnobs]):
    name = "letter_logic_diagram"
    title = "Letter Logic Diagram"
    split = Split.SEEN
    aliases = ("letter logic diagram", "letter logic", "letter_logic")
    answer_format = "the completed grid, one row per line, letters separated by commas"
    levels = {
        # 1-4: the original (7x7 cyclic square, min(10 + 5c, 30) blanks for c = 1..5)
        1: LetterLogicKnobs(7, 15, True),
        2: LetterLogicKnobs(7, 20, True),
        3: LetterLogicKnobs(7, 25, True),
        4: LetterLogicKnobs(7, 30, True),
        5: LetterLogicKnobs(7, 36, False),
        6: LetterLogicKnobs(7, 42, False),
        7: LetterLogicKnobs(9, 56, False),
        8: LetterLogicKnobs(9, 68, False),
        9: LetterLogicKnobs(12, 110, False),
        10: LetterLogicKnobs(16, 200, False),
    }
    #: the original draws complexity 1..5 uniformly; 4 and 5 both blank 30 cells
    default_levels = (1, 2, 3, 4, 4)
    original_sources = (OriginalSource("letter_logic_diagram/sample_*", "dir"),)

    def _generate(self, rng: random.Random, knobs: LetterLogicKnobs) -> Item:
        n = knobs.size
        full = _full_grid(rng, knobs)
        puzzle: Puzzle = [list(row) for row in full]
        for r, c in rng.sample([(r, c) for r in range(n) for c in range(n)], knobs.blanks):
            puzzle[r][c] = None
        return Item(
            task=self.name,
            id="",
            question=question_for(puzzle),
            answer=format_grid(full),
            meta={"puzzle": puzzle},
        )

    def check(self, answer: str, item: Item) -> Score:
        puzzle: Puzzle = item.meta["puzzle"]
        n = len(puzzle)
        grid = parse_grid(answer, n, LETTERS[:n])
        if grid is None:
            return Score(0.0, None, f"could not read a {n}x{n} grid of letters a-{LETTERS[n - 1]}")
        shown = format_grid(grid)
        problem = violation(puzzle, grid)
        if problem is not None:
            return Score(0.0, shown, problem)
        return Score(1.0, shown, "correct")

    def parse_original(self, raw: RawInstance) -> Item:
        data = json.loads(raw.data["solution.json"])
        puzzle: Puzzle = data["grid"]
        solution = solve(puzzle)
        if solution is None:
            raise ValueError("the puzzle has no completion")
        item = Item(
            task=self.name,
            id="",
            question=question_for(puzzle),
            answer=format_grid(solution),
            meta={"puzzle": puzzle},
        )
        return self.as_original(
            raw,
            item,
            original_answer=format_grid(data["solution"]),
            complexity=data.get("complexity"),
        )


TASK = LetterLogicDiagram()

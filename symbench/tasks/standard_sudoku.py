"""Standard Sudoku (seen): fill a 9x9 Sudoku grid.

Every row, column and 3x3 box must hold the digits 1-9 once, and the given digits stay. The
verifier is a validator (as the original's): any grid that keeps the givens and meets the three
rules scores 1. Generated puzzles have a unique solution anyway. The grid is read leniently:
one row per line or JSON/Python lists, with or without commas, spaces or brackets
(``[[1,2,...],...]``, ``1,2,3,...`` or ``123456789`` per line, ``Row 1: ...`` labels).

Generation follows the original: a random full grid, then cells are removed in random order,
each removal kept only while the solution stays unique, until the level's number of blanks
(drawn from its range) is reached or no cell is left to try; like the original, a grid can end
with fewer blanks than drawn. Levels 1-5 are the original generator's complexity 1-5
(30-35, 36-40, 41-45, 46-50, 51-55 blanks; the original test set used only the last); level 6
removes as many cells as this pass allows (a minimal puzzle, typically 55-60 blanks).

Uniqueness after removing a cell that held ``v``: the puzzle had exactly one solution, so it
stays unique unless a solution with a different digit in that cell exists. A cell whose digit
is forced by the givens (its only candidate, or the only place for ``v`` in its row, column or
box) needs no search; otherwise one bounded search for a solution avoiding ``v`` decides. The
search is bitmask backtracking with naked- and hidden-single propagation, branching on a cell
with the fewest candidates. The full grid is drawn as the original did (three random diagonal
boxes, then a search, here with random digit order). Measured: about 4.5 ms of CPU per item
at the default level (0.5 s per 100), 15 ms at level 6; verifying is well under 0.1 ms.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from codesteer.symbench._task import Knobs, OriginalSource, RawInstance, Task
from codesteer.symbench._types import Item, Score, Split
from codesteer.symbench.tasks._latin_grids import parse_grid

N = 9
ALL = (1 << N) - 1  # bit d-1 stands for digit d
DIGITS = "123456789"
#: search nodes per solver call; 9x9 puzzles with a solution need a few hundred at most
SEARCH_BUDGET = 100_000

ROW = [i // N for i in range(N * N)]
COL = [i % N for i in range(N * N)]
BOX = [(i // N // 3) * 3 + (i % N) // 3 for i in range(N * N)]
#: for each cell, the other cells of its row, column and box
PEERS = [
    sorted(
        {
            j
            for j in range(N * N)
            if j != i and (ROW[j] == ROW[i] or COL[j] == COL[i] or BOX[j] == BOX[i])
        }
    )
    for i in range(N * N)
]
UNITS = (
    [[r * N + c for c in range(N)] for r in range(N)]
    + [[r * N + c for r in range(N)] for c in range(N)]
    + [[(b // 3 * 3 + k // 3) * N + b % 3 * 3 + k % 3 for k in range(N)] for b in range(N)]
)
CELL_UNITS = [[u for u, unit in enumerate(UNITS) if i in unit] for i in range(N * N)]


class BudgetExceeded(ValueError):
    """The bounded search gave up before deciding."""


def _propagate(cand: list[int], queue: list[int], done: list[bool]) -> bool:
    """Apply naked singles (a decided cell removes its digit from its peers) and hidden
    singles (a digit with one place left in a unit goes there) until nothing changes; False
    on a contradiction. ``cand`` holds each cell's candidate bits, ``queue`` the decided
    cells not yet propagated."""
    while True:
        while queue:
            i = queue.pop()
            if done[i]:
                continue
            done[i] = True
            bit = cand[i]
            for p in PEERS[i]:
                mask = cand[p]
                if mask & bit:
                    mask ^= bit
                    if not mask:
                        return False
                    cand[p] = mask
                    if not mask & (mask - 1):
                        queue.append(p)
        for unit in UNITS:
            once = twice = decided = 0
            for j in unit:
                mask = cand[j]
                twice |= once & mask
                once |= mask
                if not mask & (mask - 1):
                    decided |= mask
            if once != ALL:
                return False  # a digit has no place left in this unit
            hidden = once & ~twice & ~decided
            if hidden:
                for j in unit:
                    mask = cand[j] & hidden
                    if mask and cand[j] != mask:
                        if mask & (mask - 1):
                            return False  # two digits need this same cell
                        cand[j] = mask
                        queue.append(j)
        if not queue:
            return True


def solve(
    cells: list[int],
    *,
    rng: random.Random | None = None,
    avoid: tuple[int, int] | None = None,
    budget: int = SEARCH_BUDGET,
) -> list[int] | None:
    """One solution of the 81-cell puzzle ``cells`` (0 = empty), or ``None``.

    ``avoid=(cell, digit)`` asks for a solution whose ``cell`` (which must be empty) is not
    ``digit``; ``rng`` tries digits in random order. Raises :class:`BudgetExceeded`."""
    cand = _initial_candidates(cells)
    if cand is None:
        return None
    if avoid is not None:
        cand[avoid[0]] &= ~(1 << (avoid[1] - 1))
    done = [bool(d) for d in cells]
    singles = [i for i in range(N * N) if not done[i] and not cand[i] & (cand[i] - 1)]
    if not all(cand) or not _propagate(cand, singles, done):
        return None
    nodes = 0

    def search(cand: list[int], done: list[bool]) -> list[int] | None:
        nonlocal nodes
        nodes += 1
        if nodes > budget:
            raise BudgetExceeded("sudoku search budget exhausted")
        best, best_count = -1, N + 1
        for i in range(N * N):
            if not done[i]:
                count = cand[i].bit_count()
                if count < best_count:
                    best, best_count = i, count
                    if count == 2:
                        break
        if best < 0:
            return [mask.bit_length() for mask in cand]
        digits = [d for d in range(N) if cand[best] >> d & 1]
        if rng is not None:
            rng.shuffle(digits)
        for d in digits:
            trial, trial_done = cand[:], done[:]
            trial[best] = 1 << d
            if _propagate(trial, [best], trial_done):
                found = search(trial, trial_done)
                if found is not None:
                    return found
        return None

    return search(cand, done)


def _initial_candidates(cells: list[int]) -> list[int] | None:
    """Each cell's candidate bits from the givens of its row, column and box (a given's is
    its own bit); ``None`` if two givens clash."""
    rows, cols, boxes = [0] * N, [0] * N, [0] * N
    for i, d in enumerate(cells):
        if d:
            bit = 1 << (d - 1)
            if (rows[ROW[i]] | cols[COL[i]] | boxes[BOX[i]]) & bit:
                return None
            rows[ROW[i]] |= bit
            cols[COL[i]] |= bit
            boxes[BOX[i]] |= bit
    return [
        1 << (d - 1) if d else ALL & ~(rows[ROW[i]] | cols[COL[i]] | boxes[BOX[i]])
        for i, d in enumerate(cells)
    ]


class _Givens:
    """The digits each row, column and box of a puzzle holds, kept up to date as cells are
    emptied, so that a cell's candidates cost three lookups."""

    def __init__(self, cells: list[int]) -> None:
        self.cells = cells
        self.rows, self.cols, self.boxes = [0] * N, [0] * N, [0] * N
        for i, d in enumerate(cells):
            if d:
                self._toggle(i, d)

    def _toggle(self, i: int, digit: int) -> None:
        bit = 1 << (digit - 1)
        self.rows[ROW[i]] ^= bit
        self.cols[COL[i]] ^= bit
        self.boxes[BOX[i]] ^= bit

    def set(self, i: int, digit: int) -> None:
        if self.cells[i]:
            self._toggle(i, self.cells[i])
        self.cells[i] = digit
        if digit:
            self._toggle(i, digit)

    def candidates(self, i: int) -> int:
        return ALL & ~(self.rows[ROW[i]] | self.cols[COL[i]] | self.boxes[BOX[i]])

    def forces(self, i: int, digit: int) -> bool:
        """Whether the givens alone force ``digit`` into empty cell ``i``: it is the cell's
        only candidate, or the only place for it in a row, column or box. Then every solution
        puts ``digit`` there."""
        bit = 1 << (digit - 1)
        if self.candidates(i) == bit:
            return True
        cells = self.cells
        return any(
            all(j == i or cells[j] or not self.candidates(j) & bit for j in UNITS[u])
            for u in CELL_UNITS[i]
        )


def make_puzzle(rng: random.Random, blanks: int) -> tuple[list[int], list[int]]:
    """A random full grid and a puzzle with up to ``blanks`` cells removed, unique solution."""
    seeded = [0] * (N * N)
    for box in (0, 4, 8):  # three independent boxes, as the original, to speed up the fill
        for k, d in enumerate(rng.sample(range(1, N + 1), N)):
            seeded[UNITS[2 * N + box][k]] = d
    solution = solve(seeded, rng=rng)
    assert solution is not None  # three diagonal boxes never clash
    puzzle = _Givens(solution[:])
    order = list(range(N * N))
    rng.shuffle(order)
    removed = 0
    for i in order:
        if removed >= blanks:
            break
        digit = puzzle.cells[i]
        puzzle.set(i, 0)
        if puzzle.forces(i, digit) or solve(puzzle.cells, avoid=(i, digit)) is None:
            removed += 1
        else:
            puzzle.set(i, digit)
    return puzzle.cells, solution


def violation(puzzle: list[int], answer: list[int]) -> str | None:
    """Why the 81 digits of ``answer`` do not solve ``puzzle``, or ``None``."""
    for i, given in enumerate(puzzle):
        if given and answer[i] != given:
            return f"cell ({ROW[i]}, {COL[i]}) must stay {given}, not {answer[i]}"
    names = ["row"] * N + ["column"] * N + ["box"] * N
    for u, unit in enumerate(UNITS):
        values = [answer[i] for i in unit]
        if len(set(values)) != N:
            repeated = next(v for v in values if values.count(v) > 1)
            return f"{names[u]} {u % N} holds {repeated} more than once"
    return None


def to_rows(cells: list[int]) -> list[list[int]]:
    return [cells[r * N : (r + 1) * N] for r in range(N)]


def format_grid(cells: list[int]) -> str:
    return "\n".join(",".join(str(v) for v in row) for row in to_rows(cells))


def question_for(puzzle: list[int]) -> str:
    rows = "\n".join(",".join(str(v) if v else "_" for v in row) for row in to_rows(puzzle))
    return (
        "Solve this Sudoku. Fill every empty cell (shown as _) with a digit from 1 to 9 so "
        "that each row, each column and each of the nine 3 x 3 boxes contains every digit "
        "from 1 to 9 exactly once. The given digits must stay as they are. Each line below is "
        f"one row, with the cells separated by commas:\n\n{rows}\n\n"
        "Answer with the completed grid: 9 lines, each holding the 9 digits of one row "
        "separated by commas (such as 4,1,7,3,6,9,8,2,5), all wrapped in <<< and >>>."
    )


@dataclass(frozen=True)
class SudokuKnobs(Knobs):
    #: the number of blanks is drawn from this range (fewer if uniqueness allows no more)
    min_blanks: int
    max_blanks: int

    def validate(self) -> None:
        if not 0 <= self.min_blanks <= self.max_blanks <= N * N:
            raise ValueError("need 0 <= min_blanks <= max_blanks <= 81")


class StandardSudoku(Task[SudokuKnobs]):
    name = "standard_sudoku"
    title = "Standard Sudoku"
    split = Split.SEEN
    aliases = ("standard sudoku", "sudoku")
    answer_format = "the completed 9x9 grid, one row per line, digits separated by commas"
    levels = {
        1: SudokuKnobs(30, 35),
        2: SudokuKnobs(36, 40),
        3: SudokuKnobs(41, 45),
        4: SudokuKnobs(46, 50),
        5: SudokuKnobs(51, 55),  # the original test set (its complexity 5, 6 and 7)
        6: SudokuKnobs(81, 81),
    }
    default_levels = (5,)
    original_sources = (OriginalSource("standard_sudoku/sample_*", "dir"),)

    def _generate(self, rng: random.Random, knobs: SudokuKnobs) -> Item:
        blanks = rng.randint(knobs.min_blanks, knobs.max_blanks)
        puzzle, solution = make_puzzle(rng, blanks)
        return Item(
            task=self.name,
            id="",
            question=question_for(puzzle),
            answer=format_grid(solution),
            meta={"puzzle": to_rows(puzzle)},
        )

    def check(self, answer: str, item: Item) -> Score:
        puzzle = [v for row in item.meta["puzzle"] for v in row]
        grid = parse_grid(answer, N, DIGITS)
        if grid is None:
            return Score(0.0, None, "could not read a 9x9 grid of digits 1-9")
        cells = [int(v) for row in grid for v in row]
        shown = format_grid(cells)
        problem = violation(puzzle, cells)
        if problem is not None:
            return Score(0.0, shown, problem)
        return Score(1.0, shown, "correct")

    def parse_original(self, raw: RawInstance) -> Item:
        data = json.loads(raw.data["solution.json"])
        puzzle = [int(v) for row in data["puzzle"] for v in row]
        if len(puzzle) != N * N:
            raise ValueError("not a 9x9 puzzle")
        solution = solve(puzzle)
        if solution is None:
            raise ValueError("the puzzle has no solution")
        stored = [int(v) for row in data["solution"] for v in row]
        item = Item(
            task=self.name,
            id="",
            question=question_for(puzzle),
            answer=format_grid(solution),
            meta={"puzzle": to_rows(puzzle)},
        )
        return self.as_original(
            raw, item, original_answer=format_grid(stored), complexity=data.get("complexity")
        )


TASK = StandardSudoku()

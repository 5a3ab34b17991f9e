"""Eight Queens (unseen): complete an N-queens placement with pre-placed queens and blocked cells.

An ``n x n`` board (the original: 8x8; its varied-complexity folders also 10, 12 and 14) shows
pre-placed queens (``1``), blocked cells (``X``) and empty cells (``0``). The answer is a full
placement of ``n`` queens, given as 0-based ``row column`` pairs, such that no two queens share
a row, a column or a diagonal, no queen stands on a blocked cell, and every pre-placed queen is
part of it.

Many placements are usually valid, so the verifier is a validator: any placement meeting every
rule scores 1, anything else 0. Pairs may be written ``0 3, 1 0``, ``(0,3), (1,0)`` or
``[[0, 3], [1, 0]]``, in any order; a board drawn as ``n`` rows of ``0``/``1`` (``Q`` and ``.``
also read, ``X`` allowed on blocked cells) is accepted too, as the original checker did.

Differences from the original checker (reference section 6): it did not require the pre-placed
queens to be in the answer and did not check bounds (a negative index wrapped around); a
repeated pair was counted once. We require every pre-placed queen, reject cells outside the
board, and reject a queen listed twice. Every stored original solution passes these rules.

Levels 1-4 reproduce the original generator: 0-3 pre-placed queens and 0-4 blocked cells on
8x8, complexity ``1 + queens + blocked // 2`` (capped at 5) filtered to the ranges 1-2, 2-3,
3-4 and 4-5 of its four configurations. Higher levels grow the board up to 20x20. Puzzles are
built around a random full placement (drawn by a randomised search), so each is solvable: the
pre-placed queens are taken from it and the blocked cells avoid it; that placement is the
reference answer. Original instances are solved by the bounded search.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from codesteer.symbench._parse import parse_coord_pairs
from codesteer.symbench._task import Knobs, OriginalSource, RawInstance, Task
from codesteer.symbench._types import Item, Score, Split

Cell = tuple[int, int]
#: search nodes per solver call (a 20x20 board needs a few dozen with this ordering)
SEARCH_BUDGET = 200_000


def original_complexity(queens: int, blocked: int) -> int:
    return min(1 + queens + blocked // 2, 5)


@dataclass(frozen=True)
class EightQueensKnobs(Knobs):
    size: int
    min_queens: int
    max_queens: int
    min_blocked: int
    max_blocked: int
    #: keep only puzzles whose original complexity formula falls in this range
    min_complexity: int = 1
    max_complexity: int = 5

    def validate(self) -> None:
        if not 4 <= self.size <= 30:
            raise ValueError("size must be in 4..30 (smaller boards have too few placements)")
        if not 0 <= self.min_queens <= self.max_queens <= self.size:
            raise ValueError("need 0 <= min_queens <= max_queens <= size")
        if not 0 <= self.min_blocked <= self.max_blocked <= self.size * (self.size - 1):
            raise ValueError("need 0 <= min_blocked <= max_blocked <= size*(size-1)")
        low = original_complexity(self.min_queens, self.min_blocked)
        high = original_complexity(self.max_queens, self.max_blocked)
        if self.min_complexity > high or self.max_complexity < low:
            raise ValueError("no queens/blocked counts reach the complexity range")


def attack(a: Cell, b: Cell) -> bool:
    return a[0] == b[0] or a[1] == b[1] or abs(a[0] - b[0]) == abs(a[1] - b[1])


def solve(
    n: int,
    placed: Sequence[Cell],
    blocked: Sequence[Cell],
    *,
    rng: random.Random | None = None,
    budget: int = SEARCH_BUDGET,
) -> list[Cell] | None:
    """A full placement containing ``placed`` and avoiding ``blocked``, or ``None`` if none
    exists. Fills the row with the fewest free cells first; ``rng`` shuffles the columns
    tried. Raises ``ValueError`` when the search exceeds ``budget`` nodes."""
    queens = list(placed)
    if any(attack(a, b) for i, a in enumerate(queens) for b in queens[i + 1 :]):
        return None
    if any(q in blocked for q in queens):
        return None
    blocked_in_row = [{c for r, c in blocked if r == row} for row in range(n)]
    cols = {c for _, c in queens}
    down = {r - c for r, c in queens}
    up = {r + c for r, c in queens}
    open_rows = [row for row in range(n) if row not in {r for r, _ in queens}]
    nodes = 0

    def free(row: int) -> list[int]:
        return [
            c
            for c in range(n)
            if c not in cols
            and row - c not in down
            and row + c not in up
            and c not in blocked_in_row[row]
        ]

    def search() -> bool:
        nonlocal nodes
        nodes += 1
        if nodes > budget:
            raise ValueError("queens search budget exhausted")
        if not open_rows:
            return True
        options = {row: free(row) for row in open_rows}
        row = min(open_rows, key=lambda r: len(options[r]))
        choices = options[row]
        if rng is not None:
            rng.shuffle(choices)
        open_rows.remove(row)
        for c in choices:
            queens.append((row, c))
            cols.add(c)
            down.add(row - c)
            up.add(row + c)
            if search():
                return True
            queens.pop()
            cols.discard(c)
            down.discard(row - c)
            up.discard(row + c)
        open_rows.append(row)
        return False

    return queens if search() else None


def violation(
    n: int, placed: Sequence[Cell], blocked: Sequence[Cell], queens: Sequence[Cell]
) -> str | None:
    """Why ``queens`` is not a valid completion, or ``None`` when it is."""
    if len(queens) != n:
        return f"expected {n} queens, got {len(queens)}"
    seen: set[Cell] = set()
    for q in queens:
        if not (0 <= q[0] < n and 0 <= q[1] < n):
            return f"queen at {q} is off the {n}x{n} board"
        if q in seen:
            return f"queen at {q} is listed twice"
        seen.add(q)
    for q in queens:
        if q in blocked:
            return f"queen at {q} stands on a blocked cell"
    for q in placed:
        if q not in seen:
            return f"the pre-placed queen at {q} is missing"
    for i, a in enumerate(queens):
        for b in queens[i + 1 :]:
            if attack(a, b):
                return f"queen at {a} attacks the queen at {b}"
    return None


def board_rows(n: int, placed: Sequence[Cell], blocked: Sequence[Cell]) -> list[str]:
    rows = [["0"] * n for _ in range(n)]
    for r, c in placed:
        rows[r][c] = "1"
    for r, c in blocked:
        rows[r][c] = "X"
    return ["".join(row) for row in rows]


def format_queens(queens: Sequence[Cell]) -> str:
    return ", ".join(f"{r} {c}" for r, c in sorted(queens))


def _read_queens(answer: str, n: int) -> list[Cell] | None:
    board = _read_board(answer, n)
    return board if board is not None else parse_coord_pairs(answer)


def _read_board(answer: str, n: int) -> list[Cell] | None:
    """A drawn board: ``n`` rows of ``n`` cells, queens as ``1`` or ``Q`` (checked first, as
    its rows of digits would otherwise read as numbers)."""
    rows = [re.sub(r"[\s,\[\]'\"]", "", line) for line in answer.strip().splitlines()]
    rows = [row for row in rows if row]
    if len(rows) != n or any(len(row) != n for row in rows):
        return None
    if any(ch not in "01QqXx." for row in rows for ch in row):
        return None
    return [(r, c) for r, row in enumerate(rows) for c, ch in enumerate(row) if ch in "1Qq"]


def question_for(n: int, placed: Sequence[Cell], blocked: Sequence[Cell]) -> str:
    board = "\n".join(board_rows(n, placed, blocked))
    return (
        f"Place {n} queens on the {n} x {n} board below so that no two queens attack each "
        "other: no two may share a row, a column or a diagonal. A cell marked 1 already holds "
        "a queen, which must stay part of your placement; a cell marked X is blocked and may "
        "not hold a queen; a cell marked 0 is empty.\n\n"
        f"{board}\n\n"
        f"Rows are numbered 0 to {n - 1} from the top and columns 0 to {n - 1} from the left. "
        f"List the positions of all {n} queens (the given ones included) as 'row column' pairs "
        "separated by commas, wrapped like <<<0 3, 1 0, 2 4, ...>>>."
    )


def _item(task: str, n: int, placed: list[Cell], blocked: list[Cell], queens: list[Cell]) -> Item:
    return Item(
        task=task,
        id="",
        question=question_for(n, placed, blocked),
        answer=format_queens(queens),
        meta={
            "size": n,
            "placed": [list(q) for q in placed],
            "blocked": [list(b) for b in blocked],
        },
    )


class EightQueens(Task[EightQueensKnobs]):
    name = "eight_queens"
    title = "Eight Queen"
    split = Split.UNSEEN
    aliases = ("eight queens", "8 queens", "n queens", "n-queens", "queens")
    answer_format = "all queen positions as 'row column' pairs, e.g. <<<0 3, 1 0, 2 4, ...>>>"
    levels = {
        # 1-4: the original generator's four configurations (complexity 1-2, 2-3, 3-4, 4-5)
        1: EightQueensKnobs(8, 0, 3, 0, 4, 1, 2),
        2: EightQueensKnobs(8, 0, 3, 0, 4, 2, 3),
        3: EightQueensKnobs(8, 0, 3, 0, 4, 3, 4),
        4: EightQueensKnobs(8, 0, 3, 0, 4, 4, 5),
        5: EightQueensKnobs(10, 1, 3, 2, 6),
        6: EightQueensKnobs(12, 2, 4, 4, 8),
        7: EightQueensKnobs(14, 2, 4, 6, 10),
        8: EightQueensKnobs(16, 3, 5, 8, 14),
        9: EightQueensKnobs(20, 3, 6, 12, 24),
    }
    #: the original made 60, 90, 90 and 60 puzzles with its four configurations
    default_levels = (1, 1, 2, 2, 2, 3, 3, 3, 4, 4)
    original_sources = (
        OriginalSource("eight_queens_dataset/sample_*", "dir"),
        OriginalSource("eight_queens_dataset_2/sample_*", "dir", "extra"),
        OriginalSource("eight_queens_dataset_hard/sample_*", "dir", "extra"),
        OriginalSource("eight_queens_dataset_varied_complexity/*/sample_*", "dir", "complexity"),
    )

    def _generate(self, rng: random.Random, knobs: EightQueensKnobs) -> Item:
        n = knobs.size
        counts = [
            (q, b)
            for q in range(knobs.min_queens, knobs.max_queens + 1)
            for b in range(knobs.min_blocked, knobs.max_blocked + 1)
            if knobs.min_complexity <= original_complexity(q, b) <= knobs.max_complexity
        ]
        queen_count, blocked_count = rng.choice(counts)
        queens = solve(n, [], [], rng=rng)
        assert queens is not None  # every board of size >= 4 has a placement
        placed = rng.sample(queens, queen_count)
        free = [(r, c) for r in range(n) for c in range(n) if (r, c) not in queens]
        blocked = rng.sample(free, blocked_count)
        return _item(self.name, n, placed, blocked, queens)

    def check(self, answer: str, item: Item) -> Score:
        n: int = item.meta["size"]
        if len(answer) > 30 * n * n + 1000:
            return Score(0.0, None, "answer too long")
        queens = _read_queens(answer, n)
        if queens is None:
            return Score(0.0, None, "could not read 'row column' pairs")
        placed = [(r, c) for r, c in item.meta["placed"]]
        blocked = [(r, c) for r, c in item.meta["blocked"]]
        shown = ", ".join(f"{r} {c}" for r, c in queens)
        problem = violation(n, placed, blocked, queens)
        if problem is not None:
            return Score(0.0, shown, problem)
        return Score(1.0, shown, "correct")

    def parse_original(self, raw: RawInstance) -> Item:
        data = json.loads(raw.data["solution.json"])
        n = int(data.get("board_size", 8))
        placed = [(int(r), int(c)) for r, c in data["placed_queens"]]
        blocked = [(int(r), int(c)) for r, c in data["blocked_positions"]]
        if board_rows(n, placed, blocked) != data["initial_board"]:
            raise ValueError("the board does not match the queens and blocked cells")
        queens = solve(n, placed, blocked)
        if queens is None:
            raise ValueError("the puzzle has no placement")
        stored = [(int(r), int(c)) for r, c in data["solution"]]
        return self.as_original(
            raw,
            _item(self.name, n, placed, blocked, queens),
            original_answer=", ".join(f"{r} {c}" for r, c in stored),
            complexity=data.get("complexity"),
        )


TASK = EightQueens()

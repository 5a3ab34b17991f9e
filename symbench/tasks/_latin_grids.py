"""Latin-square helpers for letter_logic_diagram (a bitmask backtracking search with the
most-constrained-cell heuristic) and for it and standard_sudoku (a lenient grid reader).

Symbols are ``0..n-1``; ``None`` marks an empty cell. ``groups`` are the cell sets that must
hold each symbol once (rows and columns); ``equal`` is an optional set of cells that must all
hold the same symbol (the anti-diagonal of the letter puzzle).
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from codesteer.symbench._parse import strip_quotes

Cell = tuple[int, int]
Grid = list[list[int | None]]
Full = list[list[int]]

_ROW_LABEL = re.compile(r"\brow\s*\d+\s*[:=]", re.IGNORECASE)


class BudgetExceeded(ValueError):
    """The bounded search gave up before deciding."""


def solve_grid(
    grid: Grid,
    groups: Sequence[Sequence[Cell]],
    equal: Sequence[Cell] = (),
    *,
    budget: int = 200_000,
    rng: random.Random | None = None,
) -> Full | None:
    """A completion of ``grid``, or ``None`` if there is none. With ``rng`` the symbols are
    tried in random order (to draw random full grids); raises :class:`BudgetExceeded` after
    ``budget`` search nodes."""
    n = len(grid)
    cell_groups: dict[Cell, list[int]] = {}
    for index, group in enumerate(groups):
        for cell in group:
            cell_groups.setdefault(cell, []).append(index)
    used = [0] * len(groups)
    work = [row[:] for row in grid]
    for r in range(n):
        for c in range(n):
            value = work[r][c]
            if value is not None:
                for g in cell_groups[(r, c)]:
                    if used[g] >> value & 1:
                        return None
                    used[g] |= 1 << value
    if len({work[r][c] for r, c in equal if work[r][c] is not None}) > 1:
        return None
    equal_set = set(equal)
    empty = [(r, c) for r in range(n) for c in range(n) if work[r][c] is None]
    nodes = 0

    def options(cell: Cell) -> int:
        mask = (1 << n) - 1
        for g in cell_groups[cell]:
            mask &= ~used[g]
        if cell in equal_set:
            fixed = next((work[r][c] for r, c in equal if work[r][c] is not None), None)
            if fixed is not None:
                mask &= 1 << fixed
        return mask

    def toggle(cell: Cell, value: int) -> None:
        for g in cell_groups[cell]:
            used[g] ^= 1 << value

    def search() -> bool:
        nonlocal nodes
        nodes += 1
        if nodes > budget:
            raise BudgetExceeded("grid search budget exhausted")
        best: Cell | None = None
        best_mask = 0
        best_count = n + 1
        for cell in empty:
            if work[cell[0]][cell[1]] is None:
                mask = options(cell)
                count = mask.bit_count()
                if count < best_count:
                    best, best_mask, best_count = cell, mask, count
                    if count <= 1:
                        break
        if best is None:
            return True
        values = [v for v in range(n) if best_mask >> v & 1]
        if rng is not None:
            rng.shuffle(values)
        for value in values:
            work[best[0]][best[1]] = value
            toggle(best, value)
            if search():
                return True
            toggle(best, value)
        work[best[0]][best[1]] = None
        return False

    if not search():
        return None
    return [[v for v in row if v is not None] for row in work]  # every cell is filled now


def parse_grid(text: str, n: int, alphabet: str) -> list[list[str]] | None:
    """Read an ``n x n`` grid of single-character symbols from ``alphabet`` (case-insensitive)
    written as lines, JSON/Python lists, with or without commas, quotes or spaces
    (``a,b,c``, ``[["a","b"],...]``, ``abc`` per line, ``a b c``). Row labels such as
    ``Row 1:`` are ignored. ``None`` when the text holds anything else or the wrong count."""
    if len(text) > 40 * n * n + 2000:
        return None
    cleaned = _ROW_LABEL.sub(" ", strip_quotes(text).lower())
    tokens = re.findall(r"[^\s,;\[\]\(\)\{\}\"'`|]+", cleaned)
    symbols = "".join(tokens)
    lowered = alphabet.lower()
    if len(symbols) != n * n or any(ch not in lowered for ch in symbols):
        return None
    if len(tokens) not in (n, n * n):
        return None  # cells must be written one by one or row by row
    if len(tokens) == n and any(len(token) != n for token in tokens):
        return None
    return [list(symbols[r * n : (r + 1) * n]) for r in range(n)]

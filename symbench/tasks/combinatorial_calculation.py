"""Combinatorial Calculation (unseen): numbers in a fixed order, insert + - * / and parentheses
so that the expression equals the target.

Rule: the integers appear in the given order, each exactly once, with binary ``+ - * /`` and
parentheses between them (no unary signs, no gluing digits into larger numbers); arithmetic is
exact (fractions allowed in intermediate steps).

Verifier: a validator (any correct expression passes). The answer may be the token list the
question asks for (``[6, /, 2, +, 7]``, tokens quoted or not) or a plain expression
(``6 / 2 + 7``, optionally ``= 10``). It is evaluated exactly by
:func:`codesteer.symbench._arith.evaluate` (never ``eval``); its integer literals must be the
puzzle's numbers in the given order, and its value must equal the target exactly.

Differences from the original checker (documented fixes):
- The original compared the *sorted* numbers, so the question's "you cannot change the order"
  was not enforced; we enforce it. All 192 stored solutions on disk keep the order (and are
  exact), so they all agree: no known defect.
- The original accepted a value within a relative 1e-9 of the target and joined adjacent digit
  tokens into larger numbers (``[6, 9]`` read as 69); we require the exact value and reject
  adjacent numbers. Its ``eval`` also allowed unary signs, which we reject (none is stored).

Levels 1-5 are the original test set's five configurations; 1, 3, 5, 8 and 9 are the
varied-complexity sweep (3, 10) ... (20, 500). Imported instances get our level for their
(count, target): the stored ``complexity`` field is inconsistent (``(5, 78)`` is stored as 3 or
4).

Generator: from seven numbers on, the numbers are drawn uniformly (1-9) and solved, as the
original did, redrawing a few times. Short puzzles are often unsolvable (about half of random
``(5, 78)`` draws are), and proving a draw unsolvable takes an exhaustive search, so for
them (and as the fallback) the expression is built top-down from the target: split the target
into two values by a random operation and recurse until each part is a single number in range.
Either way the puzzle is solvable and the found or built expression is the reference answer.

Solver for the original instances: split off the first or the last number (``a op X`` or
``X op a``, iterative deepening) until the middle is a signed sum ``n1 ± n2 ± ...`` in order,
which is a subset sum on bitsets; up to six numbers, an exhaustive interval search backs it up.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from codesteer.errors import DatasetError
from codesteer.symbench._task import Knobs, OriginalSource, RawInstance, Task
from codesteer.symbench._types import Item, Score, Split
from codesteer.symbench.tasks._arith_expressions import (
    Node,
    check_expression,
    leaves,
    render,
    signed_sum,
    token_list,
)

MAX_COUNT = 150
BUILD_ATTEMPTS = 500
#: From this many numbers on, uniformly drawn numbers are usually solvable quickly (we try
#: ``DRAWS`` draws); shorter puzzles are often unsolvable, so they are constructed.
DRAW_FROM_COUNT = 7
DRAWS = 8
#: Recursive calls one top-down construction may make before it gives up (and starts afresh).
BUILD_CALLS = 400


@dataclass(frozen=True)
class CombinatorialKnobs(Knobs):
    count: int
    target: int
    low: int = 1
    high: int = 9

    def validate(self) -> None:
        if not 2 <= self.count <= MAX_COUNT:
            raise ValueError(f"need 2 <= count <= {MAX_COUNT}")
        if not 1 <= self.low <= self.high <= 1000:
            raise ValueError("need 1 <= low <= high <= 1000")
        if not 1 <= self.target <= 10**9:
            raise ValueError("need 1 <= target <= 10**9")


# -- generator: build an expression top-down from the target -----------------------------------


class _Builder:
    """Random top-down construction with positive integer intermediate values."""

    def __init__(self, rng: random.Random, low: int, high: int) -> None:
        self.rng, self.low, self.high = rng, low, high
        self.calls = 0

    def build(self, value: int, count: int) -> Node | None:
        self.calls += 1
        if count == 1:
            return value if self.low <= value <= self.high else None
        if self.calls > BUILD_CALLS:
            return None
        for _ in range(4):
            left_count = self.rng.randint(1, count - 1)
            op = self.rng.choice("+-*/")
            parts = self._split(value, op, left_count, count - left_count)
            if parts is None:
                continue
            left = self.build(parts[0], left_count)
            if left is None:
                continue
            right = self.build(parts[1], count - left_count)
            if right is not None:
                return (op, left, right)
        return None

    def _operand(self, count: int, limit: int) -> int:
        """A random value a block of ``count`` numbers is likely to reach, at most ``limit``."""
        if count == 1:
            return self.rng.randint(self.low, max(self.low, min(self.high, limit)))
        return self.rng.randint(1, max(1, min(limit, self.high * count)))

    def _split(self, value: int, op: str, left: int, right: int) -> tuple[int, int] | None:
        rng = self.rng
        if op == "+":
            if value < 2:
                return None
            if right == 1:
                b = self._operand(1, value - 1)
                return value - b, b
            a = self._operand(left, value - 1)
            return a, value - a
        if op == "-":
            b = self._operand(right, self.high * right)
            return value + b, b
        if op == "*":
            a = rng.choice(_divisors(value))
            return a, value // a
        b = self._operand(right, self.high)
        return value * b, b


def _divisors(value: int) -> list[int]:
    small = [d for d in range(1, math.isqrt(value) + 1) if value % d == 0]
    return small + [value // d for d in reversed(small) if d * d != value]


def construct(rng: random.Random, knobs: CombinatorialKnobs) -> Node:
    for _ in range(BUILD_ATTEMPTS):
        builder = _Builder(rng, knobs.low, knobs.high)
        node = builder.build(knobs.target, knobs.count)
        if node is not None:
            return node
    raise RuntimeError(f"could not construct a puzzle for {knobs}")  # pragma: no cover


# -- solver for given numbers (the original instances) ----------------------------------------


def solve(numbers: Sequence[int], target: int) -> Node | None:
    """An expression over ``numbers`` in order equal to ``target`` exactly, or ``None``."""
    values = list(numbers)
    found = _peel_search(values, target, budget=5000)
    if found is None and len(values) <= 6:
        found = _interval_search(values, Fraction(target))
    return found


def _peel_search(numbers: list[int], target: int, budget: int) -> Node | None:
    failed: dict[tuple[int, int, int], int] = {}
    left = [budget]

    def peel(start: int, stop: int, goal: int, depth: int) -> Node | None:
        key = (start, stop, goal)
        if failed.get(key, -1) >= depth or left[0] <= 0:
            return None
        left[0] -= 1
        found = signed_sum(numbers[start:stop], goal, ordered=True)
        if found is not None or depth == 0 or stop - start < 2:
            if found is None:
                failed[key] = depth
            return found
        for side, op, sub in _peel_options(numbers[start], numbers[stop - 1], goal):
            inner_range = (start + 1, stop) if side == "first" else (start, stop - 1)
            inner = peel(*inner_range, sub, depth - 1)
            if inner is not None:
                a = numbers[start] if side == "first" else numbers[stop - 1]
                return (op, a, inner) if side == "first" else (op, inner, a)
            if left[0] <= 0:
                return None
        failed[key] = depth
        return None

    for depth in range(len(numbers)):
        found = peel(0, len(numbers), target, depth)
        if found is not None or left[0] <= 0:
            return found
    return None


def _peel_options(first: int, last: int, goal: int) -> list[tuple[str, str, int]]:
    """``(side, op, sub)``: ``first op X == goal`` or ``X op last == goal`` with ``X == sub``."""
    options: list[tuple[str, str, int]] = []
    if goal % last == 0:
        options.append(("last", "*", goal // last))
    if goal and first % goal == 0:
        options.append(("first", "/", first // goal))
    if goal % first == 0:
        options.append(("first", "*", goal // first))
    options += [
        ("last", "/", goal * last),
        ("last", "+", goal - last),
        ("last", "-", goal + last),
        ("first", "+", goal - first),
        ("first", "-", first - goal),
    ]
    return options


def _interval_search(numbers: list[int], target: Fraction) -> Node | None:
    """Every value of every bracketing of ``numbers`` in order (fine for up to six)."""
    n = len(numbers)
    table: dict[tuple[int, int], dict[Fraction, Node]] = {
        (i, i + 1): {Fraction(x): x} for i, x in enumerate(numbers)
    }
    for width in range(2, n + 1):
        for start in range(n - width + 1):
            stop = start + width
            cell: dict[Fraction, Node] = {}
            for middle in range(start + 1, stop):
                for a, x in table[(start, middle)].items():
                    for b, y in table[(middle, stop)].items():
                        cell.setdefault(a + b, ("+", x, y))
                        cell.setdefault(a - b, ("-", x, y))
                        cell.setdefault(a * b, ("*", x, y))
                        if b:
                            cell.setdefault(a / b, ("/", x, y))
            table[(start, stop)] = cell
    return table[(0, n)].get(target)


# -- the task ---------------------------------------------------------------------------------


def question_for(numbers: Sequence[int], target: int) -> str:
    shown = ", ".join(map(str, numbers))
    return (
        f"Numbers, in this order: {shown}\n\n"
        f"Insert the operations + - * / and parentheses between these {len(numbers)} numbers so "
        f"that the result is exactly {target}. Keep the numbers in the given order and use each "
        "exactly once; do not glue numbers together or use a unary minus. Fractions in "
        "intermediate steps are fine.\n\n"
        "Write the expression as a list of its tokens (numbers, operations and parentheses, in "
        "order), wrapped like <<<[(, 1, +, 2, ), *, 4]>>> for (1 + 2) * 4; a plain expression "
        "such as <<<(1 + 2) * 4>>> is accepted too."
    )


class CombinatorialCalculation(Task[CombinatorialKnobs]):
    name = "combinatorial_calculation"
    title = "Combinatorial Calcul."
    split = Split.UNSEEN
    aliases = ("combinatorial calculation", "combinatorial calc", "combi calcu")
    answer_format = "the expression as a token list, e.g. <<<[(, 1, +, 2, ), *, 4]>>>"
    levels = {
        1: CombinatorialKnobs(3, 10),  # the original's five configurations (levels 1-5)
        2: CombinatorialKnobs(4, 24),
        3: CombinatorialKnobs(5, 78),
        4: CombinatorialKnobs(5, 69),
        5: CombinatorialKnobs(6, 100),
        6: CombinatorialKnobs(8, 150),
        7: CombinatorialKnobs(10, 200),
        8: CombinatorialKnobs(15, 300),  # the original varied-complexity sweep ends here
        9: CombinatorialKnobs(20, 500),
        10: CombinatorialKnobs(30, 1000),
        11: CombinatorialKnobs(50, 2000),
    }
    default_levels = (1, 2, 3, 4, 5)
    #: the points of the paper's varied-complexity figure
    sweep_levels = (1, 3, 5, 8, 9)  # (3, 10), (5, 78), (6, 100), (15, 300), (20, 500)
    original_sources = (
        OriginalSource("combinatorial_calculation/sample_*", "dir"),
        OriginalSource(
            "combinatorial_calculation_varied_complexity/*/sample_*", "dir", "complexity"
        ),
    )

    def _generate(self, rng: random.Random, knobs: CombinatorialKnobs) -> Item:
        if knobs.count >= DRAW_FROM_COUNT:
            for _ in range(DRAWS):
                numbers = [rng.randint(knobs.low, knobs.high) for _ in range(knobs.count)]
                found = _peel_search(numbers, knobs.target, budget=300)
                if found is not None:
                    return self._item(numbers, knobs.target, found)
        node = construct(rng, knobs)
        return self._item(leaves(node), knobs.target, node)

    def _item(self, numbers: list[int], target: int, solution: Node) -> Item:
        return Item(
            task=self.name,
            id="",
            question=question_for(numbers, target),
            answer=token_list(render(solution)),
            meta={"numbers": numbers, "target": target},
        )

    def check(self, answer: str, item: Item) -> Score:
        numbers = [int(n) for n in item.meta["numbers"]]
        return check_expression(answer, numbers, int(item.meta["target"]), ordered=True)

    def parse_original(self, raw: RawInstance) -> Item:
        record = json.loads(raw.data["solution.json"])
        numbers = [int(n) for n in record["numbers"]]
        target = int(record["target"])
        solution = solve(numbers, target)
        if solution is None:
            raise DatasetError(f"{raw.path}: our solver found no solution")
        item = self._item(numbers, target, solution)
        level = next(
            (k for k, v in self.levels.items() if (v.count, v.target) == (len(numbers), target)),
            None,
        )
        stored = record.get("solution")
        return self.as_original(
            raw,
            item,
            original_answer=f"[{', '.join(map(str, stored))}]" if stored else None,
            complexity=level,
        )


TASK = CombinatorialCalculation()

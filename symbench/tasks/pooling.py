"""Pooling (seen): max or average pooling of a square integer matrix, stride 1, no padding.

Rule: an ``n x n`` window slides over the ``N x N`` matrix one cell at a time, left to right
and top to bottom; the ``(N-n+1) x (N-n+1)`` result holds the maximum (max pooling) or the
arithmetic mean (average pooling) of each window. The answer is unique, so it is compared
value by value after parsing:

- the result is read flattened row by row, in any list layout (commas, spaces, newlines,
  brackets, quotes; nested rows are fine), and must have exactly ``(N-n+1)^2`` numbers;
- max pooling values must be exactly the integers;
- average pooling values are exact rationals (a sum over ``n^2``): an answer may give them
  exactly (``31/3``, ``-2.25``) or as decimals within an absolute error of ``1e-6`` (so six
  correct decimals are enough; the question says so).

Defect of the original (reference section 6.6): its checker ``int()``-parsed the answer and
compared it with the stored solution, so every average-pooling instance (half the data, whose
averages are almost never all integers) could never be passed. The stored averages themselves
are right: they are full-precision floats (``10.333333333333334``), within ``1e-6`` of the exact
means on all instances, so no instance is flagged; our verifier accepts them.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from codesteer.symbench._task import Knobs, OriginalSource, RawInstance, Task
from codesteer.symbench._types import Item, Score, Split
from codesteer.symbench.tasks._list_answers import number_list

POOLING_TYPES = ("max", "average")
#: Largest accepted error of a decimal average (the exact value is a fraction over n^2).
AVERAGE_TOLERANCE = Fraction(1, 10**6)

Matrix = list[list[int]]


@dataclass(frozen=True)
class PoolingKnobs(Knobs):
    size: int
    window: int
    pooling: str
    low: int = -10
    high: int = 20

    def validate(self) -> None:
        if self.pooling not in POOLING_TYPES:
            raise ValueError(f"pooling must be one of {', '.join(POOLING_TYPES)}")
        if not 2 <= self.window < self.size <= 100:
            raise ValueError("need 2 <= window < size <= 100")
        if self.low > self.high:
            raise ValueError("need low <= high")


def pool(matrix: Matrix, window: int, pooling: str) -> list[list[Fraction]]:
    """The pooled matrix, exact (averages as fractions)."""
    rows, cols = len(matrix), len(matrix[0])
    result: list[list[Fraction]] = []
    for top in range(rows - window + 1):
        line: list[Fraction] = []
        for left in range(cols - window + 1):
            cells = [v for row in matrix[top : top + window] for v in row[left : left + window]]
            if pooling == "max":
                line.append(Fraction(max(cells)))
            else:
                line.append(Fraction(sum(cells), len(cells)))
        result.append(line)
    return result


def render(value: Fraction) -> str:
    """An integer, a terminating decimal (``-2.25``) or else a fraction (``31/3``)."""
    if value.denominator == 1:
        return str(value.numerator)
    rest = value.denominator
    for factor in (2, 5):
        while rest % factor == 0:
            rest //= factor
    if rest == 1:  # display only: Decimal's 28 digits cover every answer the question asks for
        return str(Decimal(value.numerator) / Decimal(value.denominator))
    return f"{value}"


def question_for(matrix: Matrix, window: int, pooling: str) -> str:
    size = len(matrix)
    out = size - window + 1
    rows = "\n".join(", ".join(str(v) for v in row) for row in matrix)
    if pooling == "max":
        operation = "the largest of the numbers it covers"
        values = "Every value is an integer."
    else:
        operation = "the mean (arithmetic average) of the numbers it covers"
        values = (
            "Give each average exactly, as an integer or a fraction such as -7/4, or as a "
            "decimal with at least six digits after the point (an error up to 0.000001 is "
            "accepted)."
        )
    return (
        f"Below is a {size} x {size} matrix of integers, one row per line, with the numbers of "
        f"a row separated by commas.\n\n{rows}\n\n"
        f"Apply {pooling} pooling with a {window} x {window} window and stride 1, without "
        "padding: place the window at every position where it fits entirely inside the matrix, "
        f"moving one column right or one row down at a time, and record {operation}. Arrange "
        f"the recorded values by window position, giving a {out} x {out} matrix.\n\n"
        f"Write the {out} x {out} result row by row as one comma-separated list of {out * out} "
        f"numbers. {values} For example, a 2 x 2 result is written <<<1,2,3,4>>>."
    )


class Pooling(Task[PoolingKnobs]):
    name = "pooling"
    title = "Pooling"
    split = Split.SEEN
    aliases = ("max pooling", "average pooling")
    answer_format = (
        "the pooled matrix flattened row by row as comma-separated numbers, averages exact "
        "(31/3) or to six decimals, e.g. <<<1,2,3,4>>>"
    )
    levels = {
        # 1-6: the original generator's six configurations (values -10..20)
        1: PoolingKnobs(3, 2, "max"),
        2: PoolingKnobs(4, 2, "max"),
        3: PoolingKnobs(5, 3, "max"),
        4: PoolingKnobs(4, 2, "average"),
        5: PoolingKnobs(5, 3, "average"),
        6: PoolingKnobs(6, 3, "average"),
        7: PoolingKnobs(8, 3, "max"),
        8: PoolingKnobs(8, 4, "average"),
        9: PoolingKnobs(12, 4, "max", -99, 99),
        10: PoolingKnobs(12, 5, "average", -99, 99),
        11: PoolingKnobs(20, 6, "average", -99, 99),
    }
    # the original test set holds the six configurations in about equal numbers
    default_levels = (1, 2, 3, 4, 5, 6)
    original_sources = (OriginalSource("pooling_dataset/sample_*", "dir"),)

    def _generate(self, rng: random.Random, knobs: PoolingKnobs) -> Item:
        matrix = [
            [rng.randint(knobs.low, knobs.high) for _ in range(knobs.size)]
            for _ in range(knobs.size)
        ]
        return self._item(matrix, knobs.window, knobs.pooling)

    def _item(self, matrix: Matrix, window: int, pooling: str) -> Item:
        pooled = pool(matrix, window, pooling)
        return Item(
            task=self.name,
            id="",
            question=question_for(matrix, window, pooling),
            answer=",".join(render(v) for row in pooled for v in row),
            meta={"matrix": matrix, "window": window, "pooling": pooling},
        )

    def check(self, answer: str, item: Item) -> Score:
        meta = item.meta
        pooled = pool(meta["matrix"], int(meta["window"]), meta["pooling"])
        expected = [v for row in pooled for v in row]
        given = number_list(answer)
        if given is None:
            return Score(0.0, None, "not a list of numbers")
        shown = ",".join(render(v) for v in given)
        if len(given) != len(expected):
            side = len(pooled)
            return Score(
                0.0, shown, f"expected {len(expected)} numbers ({side} x {side}), got {len(given)}"
            )
        tolerance = AVERAGE_TOLERANCE if meta["pooling"] == "average" else Fraction(0)
        for index, (got, want) in enumerate(zip(given, expected, strict=True)):
            if abs(got - want) > tolerance:
                row, col = divmod(index, len(pooled))
                return Score(
                    0.0, shown, f"wrong value {render(got)} at row {row + 1}, column {col + 1}"
                )
        return Score(1.0, shown, "correct")

    def parse_original(self, raw: RawInstance) -> Item:
        solution = json.loads(raw.data["solution.json"])
        pooling = solution["pooling_type"]
        if pooling not in POOLING_TYPES:
            raise ValueError(f"unknown pooling type {pooling!r}")
        matrix = [[int(v) for v in row] for row in solution["matrix"]]
        item = self._item(matrix, int(solution["window_size"]), pooling)
        # the stored averages are floats; repr keeps every digit so the tolerance is tested
        stored = ",".join(repr(v) for row in solution["solution"] for v in row)
        return self.as_original(
            raw, item, original_answer=stored, complexity=solution.get("complexity")
        )


TASK = Pooling()

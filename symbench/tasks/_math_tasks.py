"""Shared by MATH Geometry and MATH Counting & Probability: the task class, exact values
rendered as LaTeX, and the reader for the original MATH files.

Generated problems come from templates (``Template``): each draws its numbers from the item's
random stream, scaled by the level's ``size``, and returns the problem text and the exact
answer as LaTeX. Answers are compared with ``_latex_answers.equivalent``; the original items'
target is the last ``\\boxed{...}`` of the stored solution.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction

from codesteer.errors import DatasetError
from codesteer.symbench._parse import strip_quotes
from codesteer.symbench._task import Knobs, RawInstance, Task
from codesteer.symbench._types import Item, Score
from codesteer.symbench.tasks._latex_answers import equivalent, last_boxed

__all__ = [
    "MathKnobs",
    "MathTask",
    "Template",
    "latex_fraction",
    "latex_radicals",
    "simplify_sqrt",
]

#: A template: (rng, size) -> (problem text, exact answer in LaTeX)
Template = Callable[[random.Random, int], tuple[str, str]]

MAX_SIZE = 7


@dataclass(frozen=True)
class MathKnobs(Knobs):
    #: how large the numbers are and how many parts the figure or count has (1..7)
    size: int
    #: the templates drawn from (names of the task's template table)
    templates: tuple[str, ...]

    def validate(self) -> None:
        if not 1 <= self.size <= MAX_SIZE:
            raise ValueError(f"size must be in 1..{MAX_SIZE}")
        if not self.templates:
            raise ValueError("give at least one template")


# -- exact values as LaTeX ---------------------------------------------------------------------


def latex_fraction(value: Fraction) -> str:
    """``3``, ``-\\frac{3}{4}``."""
    if value.denominator == 1:
        return str(value.numerator)
    sign = "-" if value < 0 else ""
    return f"{sign}\\frac{{{abs(value.numerator)}}}{{{value.denominator}}}"


def simplify_sqrt(n: int) -> tuple[int, int]:
    """``sqrt(n) = a * sqrt(b)`` with ``b`` squarefree: returns ``(a, b)``."""
    outside, inside = 1, n
    factor = 2
    while factor * factor <= inside:
        while inside % (factor * factor) == 0:
            inside //= factor * factor
            outside *= factor
        factor += 1
    return outside, inside


def _term(coefficient: Fraction, symbol: str) -> str:
    """``coefficient * symbol`` without a sign (``symbol`` is ``""`` for a plain number)."""
    value = abs(coefficient)
    if not symbol:
        return latex_fraction(value)
    top = "" if value.numerator == 1 else str(value.numerator)
    if value.denominator == 1:
        return f"{top}{symbol}"
    return f"\\frac{{{top}{symbol}}}{{{value.denominator}}}"


def latex_radicals(parts: Mapping[int, Fraction], pi: bool = False) -> str:
    """LaTeX of ``sum(coef * sqrt(radicand))`` (radicands squarefree, 1 for the rational part),
    times ``\\pi`` if ``pi``: ``5\\sqrt{2}``, ``12+3\\sqrt{5}``, ``\\frac{9\\pi}{2}``."""
    pieces: list[str] = []
    for radicand in sorted(parts):
        coefficient = parts[radicand]
        if coefficient == 0:
            continue
        symbol = "" if radicand == 1 else f"\\sqrt{{{radicand}}}"
        if pi:
            symbol = f"{symbol}\\pi" if symbol else "\\pi"
        text = _term(coefficient, symbol)
        if coefficient < 0:
            pieces.append(f"-{text}")
        else:
            pieces.append(f"+{text}" if pieces else text)
    return "".join(pieces) or "0"


def add_sqrt(parts: dict[int, Fraction], n: int, coefficient: Fraction = Fraction(1)) -> None:
    """``parts += coefficient * sqrt(n)``, with ``sqrt(n)`` simplified."""
    outside, inside = simplify_sqrt(n)
    parts[inside] = parts.get(inside, Fraction(0)) + coefficient * outside


# -- the task ----------------------------------------------------------------------------------

_LEVEL = re.compile(r"Level\s+(\d+)")


class MathTask(Task[MathKnobs]):
    """A MATH-style task: templated generation, equivalence checking, original MATH files."""

    #: name -> template, filled in by each task
    templates: Mapping[str, Template]
    #: what the exact answer looks like, for the question
    answer_hint: str

    def question_for(self, problem: str) -> str:
        return (
            f"{problem.strip()}\n\n"
            f"Give the final answer as an exact value ({self.answer_hint}); LaTeX or plain text "
            "are both fine. Wrap only the final answer, like <<<\\frac{3}{4}>>>."
        )

    def _generate(self, rng: random.Random, knobs: MathKnobs) -> Item:
        name = rng.choice(knobs.templates)
        problem, answer = self.templates[name](rng, knobs.size)
        return Item(
            task=self.name,
            id="",
            question=self.question_for(problem),
            answer=answer,
            meta={"target": answer, "template": name},
        )

    def check(self, answer: str, item: Item) -> Score:
        target: str = item.meta["target"]
        given = strip_quotes(answer)
        boxed = last_boxed(given) if "box" in given else None
        given = (boxed if boxed is not None else given).strip()
        if not given:
            return Score(0.0, None, "empty answer")
        if equivalent(target, given):
            return Score(1.0, given, "correct")
        return Score(0.0, given[:200], "not equivalent to the expected answer")

    def parse_original(self, raw: RawInstance) -> Item:
        problem, solution = raw.data.get("problem"), raw.data.get("solution")
        if not isinstance(problem, str) or not isinstance(solution, str):
            raise DatasetError("expected 'problem' and 'solution' strings")
        target = last_boxed(solution)
        if target is None:
            raise DatasetError("the solution has no \\boxed{...} answer")
        level = _LEVEL.search(str(raw.data.get("level", "")))
        item = Item(
            task=self.name,
            id="",
            question=self.question_for(problem),
            answer=target,
            meta={"target": target},
        )
        return self.as_original(
            raw,
            item,
            original_answer=target,
            complexity=int(level.group(1)) if level else None,
            original_question=problem,
        )


def lattice_points(rng: random.Random, count: int, bound: int) -> list[tuple[int, int]]:
    """``count`` distinct points with coordinates in ``-bound..bound``."""
    points: set[tuple[int, int]] = set()
    while len(points) < count:
        points.add((rng.randint(-bound, bound), rng.randint(-bound, bound)))
    return sorted(points)

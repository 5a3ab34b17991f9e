"""Linear letter constraints (``A - C = -44``, ``I = 3.0D``, ``C > H``): parsing and a solver.

Used by Logical Equation. A constraint is ``lhs REL rhs`` with both sides sums of terms, each
a number, a letter, or a coefficient times a letter (``3.0D``, ``3*D``, ``3.0 * D``); it is
kept as ``sum(coef * letter) + const REL 0`` with integer coefficients (scaled by a power of
ten, so ``I = 1.5D`` becomes ``2I - 3D = 0``), so that checks are exact. The solver
assigns distinct values from the value set (a permutation) by backtracking with forward
checking and counts solutions up to a limit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["Constraint", "count_solutions", "parse_constraint"]

MAX_CONSTRAINT_CHARS = 300

_RELATIONS = {
    "=": lambda x: x == 0,
    ">": lambda x: x > 0,
    "<": lambda x: x < 0,
    ">=": lambda x: x >= 0,
    "<=": lambda x: x <= 0,
}
_RELATION = re.compile(r"(>=|<=|=|>|<)")
_PLACES = re.compile(r"\.(\d+)")
_TERM = re.compile(r"\s*([+-])?\s*(\d{1,30}(?:\.\d{1,30})?)?\s*\*?\s*([A-Z])?\s*")


@dataclass(frozen=True)
class Constraint:
    """``sum(coef * letter) + const REL 0`` with integer coefficients (the parsed equation
    scaled by the common denominator); ``text`` is how the question wrote it."""

    text: str
    coefficients: tuple[tuple[str, int], ...]
    const: int
    relation: str

    @property
    def letters(self) -> tuple[str, ...]:
        return tuple(letter for letter, _ in self.coefficients)

    def holds(self, values: Mapping[str, int]) -> bool:
        total = self.const + sum(coef * values[letter] for letter, coef in self.coefficients)
        return bool(_RELATIONS[self.relation](total))


def _side(text: str, places: int) -> tuple[dict[str, int], int] | None:
    """``2.5A + B - 3`` -> ({A: 25, B: 10}, -30) for ``places`` = 1: every number times
    ``10**places``, so the sums stay integers; ``None`` if it is not such a sum."""
    coefficients: dict[str, int] = {}
    const = 0
    pos = 0
    text = text.strip()
    if not text:
        return None
    while pos < len(text):
        m = _TERM.match(text, pos)
        if not m or m.end() == pos or not (m.group(2) or m.group(3)):
            return None
        if pos and not m.group(1):
            return None  # two terms need a sign between them
        sign = -1 if m.group(1) == "-" else 1
        whole, _, fraction = (m.group(2) or "1").partition(".")
        number = sign * int(whole + fraction.ljust(places, "0"))
        if m.group(3):
            coefficients[m.group(3)] = coefficients.get(m.group(3), 0) + number
        else:
            const += number
        pos = m.end()
    return coefficients, const


@lru_cache(maxsize=8192)  # the verifier re-reads the same constraint texts on every answer
def parse_constraint(text: str) -> Constraint | None:
    """Parse one constraint line; ``None`` if it is not a linear (in)equation over letters."""
    if len(text) > MAX_CONSTRAINT_CHARS:
        return None
    parts = _RELATION.split(text.strip().rstrip("."))
    if len(parts) != 3:
        return None
    left, relation, right = parts
    places = max((len(digits) for digits in _PLACES.findall(text)), default=0)
    lhs, rhs = _side(left, places), _side(right, places)
    if lhs is None or rhs is None:
        return None
    coefficients = dict(lhs[0])
    for letter, coef in rhs[0].items():
        coefficients[letter] = coefficients.get(letter, 0) - coef
    terms = sorted((k, v) for k, v in coefficients.items() if v != 0)
    if not terms:
        return None
    const = lhs[1] - rhs[1]
    divisor = math.gcd(const, *(coef for _, coef in terms))
    return Constraint(
        text.strip(),
        tuple((letter, coef // divisor) for letter, coef in terms),
        const // divisor,
        relation,
    )


def count_solutions(
    letters: Sequence[str],
    values: Sequence[int],
    constraints: Sequence[Constraint],
    limit: int = 2,
    max_nodes: int = 100_000,
) -> tuple[list[dict[str, int]], bool]:
    """Up to ``limit`` assignments of distinct ``values`` to ``letters`` satisfying every
    constraint, and whether the search finished (``False`` if ``max_nodes`` ran out).

    Two-letter equations make one letter a function of the other, so each group of letters
    linked by them is fixed by the value of one of its letters: the groups' possible
    assignments are listed first, then combined with distinct values by backtracking.
    """
    known = set(letters)
    if any(letter not in known for c in constraints for letter in c.letters):
        return [], True
    groups = _linked_groups(letters, constraints)
    options = [_group_options(group, values, constraints) for group in groups]
    order = sorted(range(len(groups)), key=lambda i: len(options[i]))
    found: list[dict[str, int]] = []
    assignment: dict[str, int] = {}
    used: set[int] = set()
    budget = [max_nodes]

    def search(depth: int) -> bool:
        budget[0] -= 1
        if budget[0] < 0:
            return False
        if depth == len(order):
            if all(c.holds(assignment) for c in constraints):
                found.append(dict(assignment))
            return True
        for option in options[order[depth]]:
            if any(value in used for value in option.values()):
                continue
            assignment.update(option)
            used.update(option.values())
            finished = search(depth + 1)
            for letter, value in option.items():
                del assignment[letter]
                used.discard(value)
            if not finished:
                return False
            if len(found) >= limit:
                return True
        return True

    finished = search(0)
    return found, finished


def _functional(constraint: Constraint) -> bool:
    return constraint.relation == "=" and len(constraint.coefficients) == 2


def _linked_groups(letters: Sequence[str], constraints: Sequence[Constraint]) -> list[list[str]]:
    neighbours: dict[str, set[str]] = {letter: set() for letter in letters}
    for constraint in filter(_functional, constraints):
        (x, _), (y, _) = constraint.coefficients
        neighbours[x].add(y)
        neighbours[y].add(x)
    groups: list[list[str]] = []
    seen: set[str] = set()
    for letter in letters:
        if letter in seen:
            continue
        group, stack = [], [letter]
        seen.add(letter)
        while stack:
            current = stack.pop()
            group.append(current)
            for other in sorted(neighbours[current] - seen):
                seen.add(other)
                stack.append(other)
        groups.append(group)
    return groups


def _group_options(
    group: list[str], values: Sequence[int], constraints: Sequence[Constraint]
) -> list[dict[str, int]]:
    """Every assignment of distinct values to ``group`` that satisfies the constraints lying
    inside it, found by trying each value for its first letter and propagating equations."""
    members = set(group)
    inside = [c for c in constraints if set(c.letters) <= members]
    links = [c for c in inside if _functional(c)]
    allowed = set(values)
    options: list[dict[str, int]] = []
    for start in values:
        assignment = {group[0]: start}
        changed = True
        while changed and len(assignment) < len(group):
            changed = False
            for constraint in links:
                (x, a), (y, b) = constraint.coefficients
                if (x in assignment) == (y in assignment):
                    continue
                known, coef, unknown, other = (x, a, y, b) if x in assignment else (y, b, x, a)
                rest = -(constraint.const + coef * assignment[known])
                if rest % other:
                    assignment = {}
                    break
                assignment[unknown] = rest // other
                changed = True
            if not assignment:
                break
        if len(assignment) != len(group):
            continue
        if not set(assignment.values()) <= allowed or len(set(assignment.values())) < len(group):
            continue
        if all(c.holds(assignment) for c in inside):
            options.append(assignment)
    return options

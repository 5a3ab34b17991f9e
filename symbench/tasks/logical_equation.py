"""Logical Equation (seen): give each letter a different number of a set so that every
constraint holds.

The letters A, B, ... stand for distinct numbers of the value set (a permutation of it). The
constraints are those of the original generator: sums ``X + Y = s``, differences
``X - Y = d``, multiples ``X = m*Y`` (m with one decimal in 1.1..4.9) and comparisons ``X > Y``;
they are read back from the question text (the verifier parses them from ``meta``).

Scoring is a validator, as in the original: any answer satisfying every constraint passes,
not only the stored one. 111 of the 150 original instances have several solutions, so an
exact comparison would be wrong. One deliberate change: the original checker accepted repeated
values (any member of the value set per letter); we require distinct values, i.e. a
permutation of the value set, as the question says each letter is a different number. Every
stored solution is a permutation, so this changes no original verdict. Our generator redraws
the constraint set (up to a bound) until the solution is unique, so generated items usually
have exactly one answer; where none is found in time, the validator still scores correctly.

Answers are a list of values in alphabetical order of the letters (any brackets, commas or
spaces; ``36.0`` for 36), or letter assignments such as ``A=36, B=1, ...``.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from fractions import Fraction

from codesteer.errors import DatasetError
from codesteer.symbench._parse import MAX_ANSWER_CHARS, strip_quotes
from codesteer.symbench._task import Knobs, OriginalSource, RawInstance, Task
from codesteer.symbench._types import Item, Score, Split
from codesteer.symbench.tasks._letter_equations import Constraint, count_solutions, parse_constraint

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: constraint sets drawn per item while looking for one with a unique solution
UNIQUE_ATTEMPTS = 30
GREATER_SHARE = 0.05

ORIGINAL_VALUES = {
    (9, 7): (1, 3, 4, 9, 16, 27, 36, 80, 121),
    (9, 8): (3, 6, 9, 20, 32, 36, 80, 120, 121),
    (11, 10): (3, 9, 16, 27, 36, 48, 75, 80, 121, 150, 225),
    (11, 11): (3, 9, 16, 20, 39, 48, 75, 80, 121, 150, 225),
    (13, 10): (1, 2, 3, 5, 7, 10, 15, 16, 24, 28, 36, 45, 50),
    (13, 11): (2, 3, 5, 7, 10, 15, 16, 24, 28, 36, 45, 50, 96),
    (13, 12): (2, 3, 5, 7, 10, 15, 16, 24, 28, 36, 45, 50, 96),
    (15, 12): (2, 3, 5, 7, 10, 15, 16, 24, 28, 36, 45, 50, 78, 90, 100),
    (15, 13): (1, 3, 5, 7, 12, 15, 16, 24, 34, 36, 45, 56, 78, 95, 100),
    (15, 14): (1, 3, 5, 7, 12, 15, 16, 24, 34, 36, 45, 56, 78, 95, 100),
}


@dataclass(frozen=True)
class LogicalEquationKnobs(Knobs):
    letters: int
    constraints: int
    #: the value set; empty: draw ``letters`` distinct numbers from 1..max_value per item
    values: tuple[int, ...] = ()
    max_value: int = 0

    def validate(self) -> None:
        if not 2 <= self.letters <= len(ALPHABET):
            raise ValueError(f"letters must be in 2..{len(ALPHABET)}")
        if not 1 <= self.constraints <= 3 * self.letters:
            raise ValueError("constraints must be in 1..3*letters")
        if self.values:
            if len(set(self.values)) != self.letters:
                raise ValueError("values must hold `letters` distinct numbers")
        elif self.max_value < self.letters:
            raise ValueError("give values, or max_value >= letters")


def _knobs(letters: int, constraints: int) -> LogicalEquationKnobs:
    return LogicalEquationKnobs(letters, constraints, ORIGINAL_VALUES[letters, constraints])


# -- constraints -------------------------------------------------------------------------------


def _multiple(value: int, base: int) -> Fraction | None:
    """``value / base`` when it is a one-decimal factor in 1.1..4.9, else ``None``."""
    ratio = Fraction(value, base)
    if (ratio * 10).denominator == 1 and Fraction(11, 10) <= ratio <= Fraction(49, 10):
        return ratio
    return None


def _decimal(ratio: Fraction) -> str:
    return f"{ratio.numerator * 10 // ratio.denominator // 10}.{(ratio * 10).numerator % 10}"


def _draw_constraint(rng: random.Random, assignment: dict[str, int], focus: list[str]) -> str:
    """One true constraint; its first letter comes from ``focus`` (uncovered letters) if any."""
    letters = list(assignment)
    x = rng.choice(focus or letters)
    y = rng.choice([letter for letter in letters if letter != x])
    vx, vy = assignment[x], assignment[y]
    if rng.random() < GREATER_SHARE:
        return f"{x} > {y}" if vx > vy else f"{y} > {x}"
    kind = rng.choice(("sum", "difference", "multiple"))
    if kind == "multiple":
        for big, small in ((x, y), (y, x)):
            ratio = _multiple(assignment[big], assignment[small])
            if ratio is not None:
                return f"{big} = {_decimal(ratio)}*{small}"
        kind = rng.choice(("sum", "difference"))
    if kind == "sum":
        return f"{x} + {y} = {vx + vy}"
    return f"{x} - {y} = {vx - vy}"


def _draw_constraints(rng: random.Random, assignment: dict[str, int], count: int) -> list[str]:
    texts: list[str] = []
    pairs: set[frozenset[str]] = set()
    covered: set[str] = set()
    for _ in range(count * 50):
        if len(texts) == count:
            break
        focus = [letter for letter in assignment if letter not in covered]
        text = _draw_constraint(rng, assignment, focus)
        pair = frozenset(re.findall(r"[A-Z]", text))
        if pair in pairs:  # one constraint per pair of letters keeps them all informative
            continue
        pairs.add(pair)
        covered |= pair
        texts.append(text)
    return texts


def _parse_all(texts: list[str]) -> list[Constraint]:
    constraints = [parse_constraint(text) for text in texts]
    if any(c is None for c in constraints):
        raise DatasetError(f"cannot read constraints {texts!r}")
    return [c for c in constraints if c is not None]


def question_for(letters: list[str], values: list[int], constraints: list[str]) -> str:
    numbered = "\n".join(f"{n}. {text}" for n, text in enumerate(constraints, start=1))
    example = ", ".join(str(v) for v in sorted(values)[:3])
    return (
        f"Each of the {len(letters)} letters {', '.join(letters)} stands for a different number "
        f"from this list, and every number is used by exactly one letter: "
        f"{', '.join(str(v) for v in values)}.\n\n"
        f"The letters satisfy these constraints:\n{numbered}\n\n"
        "Find the number of every letter. Give the numbers in the alphabetical order of the "
        f"letters as a list wrapped like <<<[{example}, ...]>>> (the first number is the value "
        f"of {letters[0]}, the second of {letters[1]}, and so on). If several assignments "
        "satisfy every constraint, any one of them is accepted."
    )


# -- answers -----------------------------------------------------------------------------------

_ASSIGNMENT = re.compile(r"\b([A-Z])\s*(?:=|:|->)\s*(-?\d+(?:\.\d+)?)")
_VALUE = re.compile(r"[+-]?\d{1,30}(?:\.\d{1,30})?")
_SPLIT = re.compile(r"[\[\]\(\)\{\}\s,;]+")


def read_values(text: str, letters: list[str]) -> list[Fraction] | None:
    """The values in letter order, from ``[36, 1, ...]`` or ``A=36, B=1, ...``."""
    if len(text) > MAX_ANSWER_CHARS:
        return None
    s = strip_quotes(text).replace('"', "").replace("'", "").upper()
    pairs = _ASSIGNMENT.findall(s)
    if pairs:
        mapping = {letter: Fraction(value) for letter, value in pairs}
        if len(pairs) != len(mapping) or set(mapping) != set(letters):
            return None
        return [mapping[letter] for letter in letters]
    tokens = [t for t in _SPLIT.split(s) if t]
    if not tokens or len(tokens) > len(ALPHABET) or not all(_VALUE.fullmatch(t) for t in tokens):
        return None
    return [Fraction(token) for token in tokens]


LEVELS: dict[int, LogicalEquationKnobs] = {
    1: _knobs(9, 7),
    2: _knobs(9, 8),
    3: _knobs(11, 10),
    4: _knobs(11, 11),
    5: _knobs(13, 10),
    6: _knobs(13, 11),
    7: _knobs(13, 12),
    8: _knobs(15, 12),
    9: _knobs(15, 13),
    10: _knobs(15, 14),
    11: LogicalEquationKnobs(18, 17, max_value=200),
    12: LogicalEquationKnobs(22, 22, max_value=300),
    13: LogicalEquationKnobs(26, 26, max_value=500),
}
#: (letters, constraints) of an original folder name -> our level
LEVEL_OF_SHAPE = {(k.letters, k.constraints): level for level, k in LEVELS.items()}


class LogicalEquation(Task[LogicalEquationKnobs]):
    name = "logical_equation"
    title = "Logical Equation"
    split = Split.SEEN
    aliases = ("logical equation", "logical equations")
    answer_format = "the letters' values in alphabetical order, e.g. <<<[36, 1, 80, 3]>>>"
    levels = LEVELS
    default_levels = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
    original_sources = (OriginalSource("logical_equation/sample_*", "dir"),)

    def _generate(self, rng: random.Random, knobs: LogicalEquationKnobs) -> Item:
        letters = list(ALPHABET[: knobs.letters])
        values = list(knobs.values) or sorted(
            rng.sample(range(1, knobs.max_value + 1), len(letters))
        )
        shuffled = rng.sample(values, len(values))
        assignment = dict(zip(letters, shuffled, strict=True))
        for _ in range(UNIQUE_ATTEMPTS):
            texts = _draw_constraints(rng, assignment, knobs.constraints)
            found, finished = count_solutions(letters, values, _parse_all(texts), limit=2)
            if finished and len(found) == 1:
                break
        return Item(
            task=self.name,
            id="",
            question=question_for(letters, values, texts),
            answer=json.dumps(shuffled),
            meta={"letters": letters, "values": values, "constraints": texts},
        )

    def check(self, answer: str, item: Item) -> Score:
        letters: list[str] = item.meta["letters"]
        pool: list[int] = item.meta["values"]
        given = read_values(answer, letters)
        if given is None:
            return Score(0.0, None, "no list of numbers found")
        shown = "[" + ", ".join(_show(v) for v in given) + "]"
        if len(given) != len(letters):
            return Score(0.0, shown, f"expected {len(letters)} values, got {len(given)}")
        for letter, value in zip(letters, given, strict=True):
            if value not in pool:
                return Score(0.0, shown, f"{letter} = {_show(value)} is not in the value set")
        if len(set(given)) != len(given):
            repeated = next(_show(v) for v in given if given.count(v) > 1)
            return Score(0.0, shown, f"{repeated} is used by more than one letter")
        assignment = {letter: int(value) for letter, value in zip(letters, given, strict=True)}
        for constraint in _parse_all(item.meta["constraints"]):
            if not constraint.holds(assignment):
                return Score(0.0, shown, f"constraint {constraint.text} does not hold")
        return Score(1.0, shown, "correct")

    def parse_original(self, raw: RawInstance) -> Item:
        question = raw.data["question.txt"]
        stored = json.loads(raw.data["solution.json"])
        m = re.search(
            r"There are \d+ letters (.*?), each representing one of the numbers (.*?)\.", question
        )
        if not m:
            raise DatasetError("no letters and value set in the question")
        letters = [part.strip() for part in m.group(1).split(",")]
        values = [int(part) for part in m.group(2).split(",")]
        texts = re.findall(r"^\d+\.\s+(.+?)\s*$", question, re.MULTILINE)
        constraints = _parse_all(texts)
        found, _ = count_solutions(letters, values, constraints, limit=1)
        if not found:
            raise DatasetError("no assignment satisfies the constraints")
        answer = [found[0][letter] for letter in letters]
        shape = re.fullmatch(r".*?sample_(\d+)_(\d+)_\d+", raw.path)
        complexity = None
        if shape:
            complexity = LEVEL_OF_SHAPE.get((int(shape.group(1)), int(shape.group(2))))
        item = Item(
            task=self.name,
            id="",
            question=question_for(letters, values, texts),
            answer=json.dumps(answer),
            meta={"letters": letters, "values": values, "constraints": texts},
        )
        return self.as_original(
            raw, item, original_answer=json.dumps(stored), complexity=complexity
        )


def _show(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else str(float(value))


TASK = LogicalEquation()

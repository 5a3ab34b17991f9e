"""Permutations and Combinations (unseen): shelve N books so that every constraint holds.

Books ``A, B, ...`` go into positions 1..N, one each. Constraints (the original's five kinds):

- ``fixed``: book X is in position p;
- ``not_at``: book X is not in position p;
- ``left``: X is somewhere to the left of Y (smaller position, not necessarily next to it);
- ``right``: X is somewhere to the right of Y;
- ``adjacent``: X and Y are in neighbouring positions (either order).

Constraints are drawn at random (N + 1 to N + 2 of them, repeats allowed, as in the original)
and a puzzle is kept if some arrangement satisfies them. For 15 and more books that rejection
loop is too slow, so those levels draw each constraint among the ones true of a hidden random
arrangement instead. Several arrangements usually fit, so the verifier
is a validator: any arrangement that places every book exactly once and meets every
constraint scores 1. The reference answer is the first valid arrangement in alphabetical
order (a bounded backtracking search), which is also how the original chose its stored one;
on the planted levels, if the search gives up, it is the hidden arrangement.

Fixed defect of the original checker: it re-checked the constraints but never that the answer
was a permutation of all the books (a list missing books, or repeating one, could pass). We
require exactly the N books, each once. Answers are read leniently: ``["A", "B"]``, ``A, B``,
``A B``, ``AB`` (one letter per book), any letter case.
"""

from __future__ import annotations

import json
import random
import re
import string
from dataclasses import dataclass
from typing import Any

from codesteer.symbench._parse import MAX_ANSWER_CHARS, parse_token_list
from codesteer.symbench._task import Knobs, OriginalSource, RawInstance, Task
from codesteer.symbench._types import Item, Score, Split

KINDS = ("fixed", "left", "not_at", "right", "adjacent")
#: (kind, book, other book or 1-based position)
Constraint = tuple[str, str, str | int]
MAX_NODES = 200_000


@dataclass(frozen=True)
class PermutationsKnobs(Knobs):
    books: int
    min_constraints: int
    max_constraints: int
    #: draw constraints true of a hidden random arrangement instead of drawing them blindly
    #: and keeping satisfiable sets (the original's way, too slow to find sets for many books)
    planted: bool = False

    def validate(self) -> None:
        if not 2 <= self.books <= 26:
            raise ValueError("need 2 to 26 books (labelled A-Z)")
        if not 0 <= self.min_constraints <= self.max_constraints <= 4 * self.books:
            raise ValueError("need 0 <= min_constraints <= max_constraints <= 4 * books")


def describe(constraint: Constraint) -> str:
    kind, book, other = constraint
    if kind == "fixed":
        return f"Book {book} is in position {other}."
    if kind == "not_at":
        return f"Book {book} is not in position {other}."
    if kind == "left":
        return f"Book {book} is somewhere to the left of book {other}."
    if kind == "right":
        return f"Book {book} is somewhere to the right of book {other}."
    return f"Book {book} is right next to book {other}."


def violated(constraint: Constraint, position: dict[str, int]) -> bool:
    """Whether a full arrangement (book -> 1-based position) breaks ``constraint``."""
    kind, book, other = constraint
    if kind == "fixed":
        return position[book] != other
    if kind == "not_at":
        return position[book] == other
    here, there = position[book], position[str(other)]
    if kind == "left":
        return here >= there
    if kind == "right":
        return here <= there
    return abs(here - there) != 1


def solve(
    books: list[str], constraints: list[Constraint], max_nodes: int = MAX_NODES
) -> list[str] | None:
    """The alphabetically first valid arrangement, filling positions left to right; ``None``
    if there is none or the search needs more than ``max_nodes`` placements."""
    placed: dict[str, int] = {}
    order: list[str] = []
    nodes = 0

    def fits(book: str, pos: int) -> bool:
        # Every constraint that the partial arrangement already decides must hold.
        for kind, a, b in constraints:
            if kind in ("fixed", "not_at"):
                if a == book and (pos == b) != (kind == "fixed"):
                    return False
                if kind == "fixed" and b == pos and a != book:
                    return False
                continue
            other = str(b)
            if book not in (a, other):
                if kind == "adjacent" and _dangling(a, other, placed, pos):
                    return False
                continue
            partner = other if book == a else a
            if kind == "adjacent":
                if partner in placed and placed[partner] != pos - 1:
                    return False
            elif (kind == "left") == (book == a):
                if partner in placed:  # the book must come first, its partner later
                    return False
            elif partner not in placed:  # the book must come after its partner
                return False
        return True

    def search(pos: int) -> bool:
        nonlocal nodes
        if pos > len(books):
            return True
        for book in books:
            if book in placed or not fits(book, pos):
                continue
            nodes += 1
            if nodes > max_nodes:
                return False
            placed[book] = pos
            order.append(book)
            if search(pos + 1):
                return True
            del placed[book]
            order.pop()
        return False

    return order if search(1) else None


def _dangling(a: str, b: str, placed: dict[str, int], pos: int) -> bool:
    """An adjacency whose first book sits at ``pos - 1`` needs its partner at ``pos``."""
    return (placed.get(a) == pos - 1 and b not in placed) or (
        placed.get(b) == pos - 1 and a not in placed
    )


def question_for(books: list[str], constraints: list[Constraint]) -> str:
    rules = "\n".join(f"{n}. {describe(c)}" for n, c in enumerate(constraints, start=1))
    n = len(books)
    return (
        f"A librarian shelves {n} books, labelled {', '.join(books)}, in positions 1 to {n} "
        "from left to right, one book per position. The arrangement must satisfy all of these "
        'constraints ("to the left/right of" does not mean directly next to; "right next '
        'to" means in neighbouring positions, in either order):\n'
        f"{rules}\n\n"
        f"Give one arrangement that satisfies every constraint: all {n} books, each exactly "
        f'once, in order from position 1 to position {n}, as a list like <<<["A", "B", "C"]>>>.'
    )


def render(arrangement: list[str]) -> str:
    return json.dumps(arrangement)


class PermutationsCombinations(Task[PermutationsKnobs]):
    name = "permutations_combinations"
    title = "Permut. and Combina."
    split = Split.UNSEEN
    aliases = ("permutations_and_combinations", "permutations and combinations", "bookshelf")
    answer_format = 'all books from position 1 on, e.g. <<<["C", "A", "B"]>>>'
    levels = {
        1: PermutationsKnobs(6, 7, 8),  # levels 1-4: the original's (N, complexity) pairs
        2: PermutationsKnobs(7, 8, 9),
        3: PermutationsKnobs(8, 9, 10),
        4: PermutationsKnobs(9, 10, 11),
        5: PermutationsKnobs(10, 11, 12),
        6: PermutationsKnobs(12, 13, 15),
        7: PermutationsKnobs(15, 16, 18, planted=True),
        8: PermutationsKnobs(20, 21, 24, planted=True),
    }
    default_levels = (1, 2, 3, 4)
    original_sources = (OriginalSource("permutations_and_combinations/sample_*", "dir"),)

    def _generate(self, rng: random.Random, knobs: PermutationsKnobs) -> Item:
        books = list(string.ascii_uppercase[: knobs.books])
        if knobs.planted:
            constraints, hidden = _planted_constraints(rng, books, knobs)
            # the hidden arrangement is valid by construction: the fallback if search gives up
            solution = solve(books, constraints) or hidden
        else:
            constraints, solution = _blind_constraints(rng, books, knobs)
        return Item(
            task=self.name,
            id="",
            question=question_for(books, constraints),
            answer=render(solution),
            meta=_meta(books, constraints),
        )

    def check(self, answer: str, item: Item) -> Score:
        books: list[str] = item.meta["books"]
        arrangement = _parse_arrangement(answer, len(books))
        if arrangement is None:
            return Score(0.0, None, "not a list of book labels")
        given = render(arrangement)
        unknown = sorted(set(arrangement) - set(books))
        if unknown:
            return Score(0.0, given, f"no such book: {', '.join(unknown)}")
        repeated = sorted({b for b in arrangement if arrangement.count(b) > 1})
        if repeated:
            return Score(0.0, given, f"book {repeated[0]} is placed more than once")
        missing = [b for b in books if b not in arrangement]
        if missing:
            return Score(0.0, given, f"book(s) {', '.join(missing)} missing")
        position = {book: i for i, book in enumerate(arrangement, start=1)}
        for number, raw in enumerate(item.meta["constraints"], start=1):
            constraint: Constraint = (raw[0], raw[1], raw[2])
            if violated(constraint, position):
                return Score(0.0, given, f"breaks constraint {number}: {describe(constraint)}")
        return Score(1.0, given, "correct")

    def parse_original(self, raw: RawInstance) -> Item:
        solution = json.loads(raw.data["solution.json"])
        books = [str(book) for book in solution["items"]]
        constraints = [
            _parse_original_line(line) for line in solution["constraints_text"].split("\n")
        ]
        reference = solve(books, constraints)
        if reference is None:
            raise ValueError("no arrangement satisfies the original constraints")
        item = Item(
            task=self.name,
            id="",
            question=question_for(books, constraints),
            answer=render(reference),
            meta=_meta(books, constraints),
        )
        return self.as_original(
            raw,
            item,
            original_answer=render(solution["correct_solution"]),
            complexity=solution.get("complexity"),
        )


def _meta(books: list[str], constraints: list[Constraint]) -> dict[str, Any]:
    return {"books": books, "constraints": [list(c) for c in constraints]}


def _blind_constraints(
    rng: random.Random, books: list[str], knobs: PermutationsKnobs
) -> tuple[list[Constraint], list[str]]:
    """The original's way: random constraints, redrawn until some arrangement fits."""
    for _ in range(1000):
        count = rng.randint(knobs.min_constraints, knobs.max_constraints)
        constraints = [_random_constraint(rng, books) for _ in range(count)]
        solution = solve(books, constraints)
        if solution is not None:
            return constraints, solution
    raise RuntimeError("no satisfiable constraint set found")  # pragma: no cover


def _planted_constraints(
    rng: random.Random, books: list[str], knobs: PermutationsKnobs
) -> tuple[list[Constraint], list[str]]:
    """Random constraints of the same kinds, each true of a hidden random arrangement."""
    hidden = rng.sample(books, len(books))
    position = {book: i for i, book in enumerate(hidden, start=1)}
    constraints: list[Constraint] = []
    for _ in range(rng.randint(knobs.min_constraints, knobs.max_constraints)):
        kind = rng.choice(KINDS)
        if kind == "fixed":
            book = rng.choice(books)
            constraints.append((kind, book, position[book]))
        elif kind == "not_at":
            book = rng.choice(books)
            spot = rng.choice([p for p in range(1, len(books) + 1) if p != position[book]])
            constraints.append((kind, book, spot))
        elif kind == "adjacent":
            start = rng.randrange(len(books) - 1)
            pair = rng.sample(hidden[start : start + 2], 2)
            constraints.append((kind, pair[0], pair[1]))
        else:
            first, second = sorted(rng.sample(books, 2), key=position.__getitem__)
            constraints.append((kind, first, second) if kind == "left" else (kind, second, first))
    return constraints, hidden


def _random_constraint(rng: random.Random, books: list[str]) -> Constraint:
    kind = rng.choice(KINDS)
    if kind in ("fixed", "not_at"):
        return kind, rng.choice(books), rng.randint(1, len(books))
    first, second = rng.sample(books, 2)
    return kind, first, second


def _parse_arrangement(answer: str, size: int) -> list[str] | None:
    if len(answer) > MAX_ANSWER_CHARS:
        return None
    tokens = parse_token_list(answer)
    if not tokens or len(tokens) > 4 * size:
        return None
    tokens = [t.upper() for t in tokens]
    if len(tokens) == 1 and len(tokens[0]) > 1:  # "CABD": one letter per book
        tokens = list(tokens[0])
    if not all(re.fullmatch(r"[A-Z]", t) for t in tokens):
        return None
    return tokens


_ORIGINAL_LINES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("fixed", re.compile(r"Book ([A-Z]) must be placed in position (\d+)\.")),
    ("not_at", re.compile(r"Book ([A-Z]) cannot be placed in position (\d+)\.")),
    ("left", re.compile(r"Book ([A-Z]) must be to the left of book ([A-Z])\.")),
    ("right", re.compile(r"Book ([A-Z]) must be to the right of book ([A-Z])\.")),
    ("adjacent", re.compile(r"Book ([A-Z]) must be adjacent to book ([A-Z])\.")),
)


def _parse_original_line(line: str) -> Constraint:
    text = re.sub(r"^\s*\d+\.\s*", "", line).strip()
    for kind, pattern in _ORIGINAL_LINES:
        match = pattern.fullmatch(text)
        if match:
            book, other = match.groups()
            return kind, book, int(other) if other.isdigit() else other
    raise ValueError(f"unknown constraint {line!r}")


TASK = PermutationsCombinations()

"""String Synthesis (seen): combine blocks with six methods until nothing changes.

Nine block types, in this fixed answer order: [A], [B], [C], {A}, {B}, {C}, (A), (B), (C).
Methods: 1. [A]+[B]+[C] -> {A}; 2. [A]+[B] -> {C}; 3. [B]+[C] -> {B}; 4. 2 [C] -> {C};
5. {A}+{C} -> (A)+(B); 6. 2 {B} -> (C). Only [A], [B], [C] are present at the start.

Semantics (as the original ground truth applies it, verified on every original instance): the
methods are taken in order 1..6, and each one is applied as many times as it can be before
moving on to the next; passes over 1..6 repeat until a whole pass changes nothing. The original
question said "cycle through methods 1..6", which also reads as "each method at most once per
pass" (only 58 of the 200 original answers agree under that reading); our question states the
exhaustive semantics explicitly. String Splitting and Synthesis Decomposition use the other
reading, and say so in their own questions.

Scoring: the nine counts are unique, so they are compared exactly. Accepted forms: numbers
separated by spaces or commas, with or without brackets or quotes (``2 0 1 1 0 0 0 0 0``,
``[2, 0, 1, ...]``, ``["2", "0", ...]``), a labelled list (``[A]: 2, [B]: 0, ...``), and nine
digits run together (``201100000``), which is unambiguous only because nine digits can only mean
nine single-digit counts. The original checker read every character as one count, so it could
never accept a count of 10 or more; we parse whole numbers.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass

from codesteer.symbench._task import Knobs, OriginalSource, RawInstance, Task
from codesteer.symbench._types import Item, Score, Split
from codesteer.symbench.tasks._cyclic import parse_counts

BLOCKS: tuple[str, ...] = ("[A]", "[B]", "[C]", "{A}", "{B}", "{C}", "(A)", "(B)", "(C)")
#: (consumed, produced): block index -> how many
METHODS: tuple[tuple[dict[int, int], dict[int, int]], ...] = (
    ({0: 1, 1: 1, 2: 1}, {3: 1}),
    ({0: 1, 1: 1}, {5: 1}),
    ({1: 1, 2: 1}, {4: 1}),
    ({2: 2}, {5: 1}),
    ({3: 1, 5: 1}, {6: 1, 7: 1}),
    ({4: 2}, {8: 1}),
)
#: Longest answer worth reading.
MAX_ANSWER_LENGTH = 2_000


def synthesize(a: int, b: int, c: int) -> list[int]:
    """The final counts: each method applied as often as it can, passes until no change."""
    counts = [a, b, c, 0, 0, 0, 0, 0, 0]
    changed = True
    while changed:
        changed = False
        for consumed, produced in METHODS:
            times = min(counts[block] // need for block, need in consumed.items())
            if times:
                changed = True
                for block, need in consumed.items():
                    counts[block] -= need * times
                for block, made in produced.items():
                    counts[block] += made * times
    return counts


def synthesize_once_per_pass(a: int, b: int, c: int) -> list[int]:
    """The other reading of the question (each method at most once per pass); used only to
    explain a wrong answer."""
    counts = [a, b, c, 0, 0, 0, 0, 0, 0]
    changed = True
    while changed:
        changed = False
        for consumed, produced in METHODS:
            if all(counts[block] >= need for block, need in consumed.items()):
                changed = True
                for block, need in consumed.items():
                    counts[block] -= need
                for block, made in produced.items():
                    counts[block] += made
    return counts


def question_for(a: int, b: int, c: int) -> str:
    return (
        "There are nine kinds of blocks: [A], [B], [C], {A}, {B}, {C}, (A), (B) and (C). "
        "They can be transformed with six methods:\n"
        "1. one [A], one [B] and one [C] become one {A};\n"
        "2. one [A] and one [B] become one {C};\n"
        "3. one [B] and one [C] become one {B};\n"
        "4. two [C] become one {C};\n"
        "5. one {A} and one {C} become one (A) and one (B);\n"
        "6. two {B} become one (C).\n\n"
        "Go through the methods in order 1, 2, ..., 6. Apply each method as many times as "
        "possible before moving on to the next one. After method 6, start again from method 1, "
        "and keep making such passes until a complete pass changes nothing.\n\n"
        f"You start with {a} [A], {b} [B] and {c} [C] (and no other blocks). How many blocks of "
        "each kind are there at the end?\n\n"
        "Answer with the nine counts in the order [A], [B], [C], {A}, {B}, {C}, (A), (B), (C), "
        "separated by spaces, e.g. <<<1 0 0 2 0 1 0 0 0>>>."
    )


@dataclass(frozen=True)
class StringSynthesisKnobs(Knobs):
    max_a: int
    max_b: int
    max_c: int
    #: initial counts are drawn from ``min_count..max_x``
    min_count: int = 1

    def validate(self) -> None:
        if not 0 <= self.min_count <= min(self.max_a, self.max_b, self.max_c):
            raise ValueError("need 0 <= min_count <= every max")
        if max(self.max_a, self.max_b, self.max_c) > 10**9:
            raise ValueError("counts above 10**9 are not supported")


class StringSynthesis(Task[StringSynthesisKnobs]):
    name = "string_synthesis"
    title = "String Synthesis"
    split = Split.SEEN
    aliases = ("string synthesis", "block synthesis")
    answer_format = "nine counts [A] [B] [C] {A} {B} {C} (A) (B) (C), e.g. <<<1 0 0 2 0 1 0 0 0>>>"
    levels = {
        1: StringSynthesisKnobs(5, 8, 7),  # the original test set
        2: StringSynthesisKnobs(15, 20, 20, 5),
        3: StringSynthesisKnobs(60, 80, 70, 20),
        4: StringSynthesisKnobs(500, 800, 700, 100),
        5: StringSynthesisKnobs(100_000, 100_000, 100_000, 1_000),
    }
    default_levels = (1,)
    original_sources = (OriginalSource("string_synthesis/sample_*", "dir"),)

    def _generate(self, rng: random.Random, knobs: StringSynthesisKnobs) -> Item:
        a = rng.randint(knobs.min_count, knobs.max_a)
        b = rng.randint(knobs.min_count, knobs.max_b)
        c = rng.randint(knobs.min_count, knobs.max_c)
        return self._item(a, b, c)

    def _item(self, a: int, b: int, c: int) -> Item:
        return Item(
            task=self.name,
            id="",
            question=question_for(a, b, c),
            answer=" ".join(map(str, synthesize(a, b, c))),
            meta={"initial": [a, b, c]},
        )

    def check(self, answer: str, item: Item) -> Score:
        if len(answer) > MAX_ANSWER_LENGTH:
            return Score(0.0, None, "answer too long")
        given = parse_block_counts(answer)
        if given is None:
            return Score(0.0, None, "no list of nine counts found")
        shown = " ".join(map(str, given))
        if len(given) != len(BLOCKS):
            return Score(0.0, shown, f"expected {len(BLOCKS)} counts, got {len(given)}")
        a, b, c = item.meta["initial"]
        expected = synthesize(a, b, c)
        if given == expected:
            return Score(1.0, shown, "correct")
        if given == synthesize_once_per_pass(a, b, c):
            return Score(
                0.0, shown, "applied each method only once per pass; each must be exhausted"
            )
        wrong = next(i for i in range(len(BLOCKS)) if given[i] != expected[i])
        return Score(0.0, shown, f"wrong count of {BLOCKS[wrong]}: {given[wrong]}")

    def parse_original(self, raw: RawInstance) -> Item:
        solution = json.loads(raw.data["solution.json"])
        a, b, c = (int(solution[key]) for key in ("A_count", "B_count", "C_count"))
        return self.as_original(
            raw,
            self._item(a, b, c),
            original_answer=" ".join(str(int(n)) for n in solution["final_counts"]),
            complexity=solution.get("complexity"),
        )


_LABELLED = re.compile(r"([\[\{\(])\s*([ABC])\s*([\]\}\)])\s*[:=]?\s*(\d+)")


def parse_block_counts(text: str) -> list[int] | None:
    """The counts in ``text``: a labelled list (``[A]: 2, ...``) or any form
    :func:`parse_counts` reads."""
    labelled = _LABELLED.findall(text)
    if labelled:
        counts = {f"{opening}{letter}{closing}": int(n) for opening, letter, closing, n in labelled}
        if len(labelled) != len(BLOCKS) or set(counts) != set(BLOCKS):
            return None
        return [counts[block] for block in BLOCKS]
    return parse_counts(text, len(BLOCKS))


TASK = StringSynthesis()

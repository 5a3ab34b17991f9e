"""String Splitting (unseen): dismantle machines A, B, C into parts X, Y, Z with five methods.

Methods: 1. one A -> two X and one Y; 2. two B -> one X; 3. two C -> one Y;
4. one B and one C -> one A; 5. one X and one Y -> one Z.

Semantics (as the original ground truth applies it, verified on every original instance): the
methods are visited cyclically 1..5, 1..5, ...; a method that can run when visited runs exactly
once, then the next method is visited; the process stops when no method can run (see
:mod:`._cyclic`, shared with Synthesis Decomposition). The question states this explicitly.

Scoring: the six final counts (A, B, C, X, Y, Z) are unique, so they are compared exactly.
Accepted forms: ``0 0 1 2 0 3``, ``[0, 0, 1, 2, 0, 3]``, ``["0", "0", "1", "2", "0", "3"]`` and
six digits run together (``001203``). The original checker compared with the digits run
together only (``002003``), although its question asked for a quoted list; we accept both.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass

from codesteer.symbench._task import Knobs, OriginalSource, RawInstance, Task
from codesteer.symbench._types import Item, Score, Split
from codesteer.symbench.tasks._cyclic import Method, parse_counts, run_cyclic

NAMES: tuple[str, ...] = ("A", "B", "C", "X", "Y", "Z")
METHODS: tuple[Method, ...] = (
    Method((("A", 1),), (("X", 2), ("Y", 1))),
    Method((("B", 2),), (("X", 1),)),
    Method((("C", 2),), (("Y", 1),)),
    Method((("B", 1), ("C", 1)), (("A", 1),)),
    Method((("X", 1), ("Y", 1)), (("Z", 1),)),
)
#: Longest answer worth reading.
MAX_ANSWER_LENGTH = 2_000


def final_counts(a: int, b: int, c: int) -> list[int]:
    """The six counts A, B, C, X, Y, Z when no method can run any more."""
    initial = {"A": a, "B": b, "C": c, "X": 0, "Y": 0, "Z": 0}
    final = run_cyclic(initial, METHODS)[-1]
    return [final[name] for name in NAMES]


def question_for(a: int, b: int, c: int) -> str:
    return (
        "An engineer dismantles old machines of types A, B and C into parts X, Y and Z, and can "
        "also assemble machines. There are five methods:\n"
        "Method 1: one machine A is dismantled into two parts X and one part Y.\n"
        "Method 2: two machines B are dismantled into one part X.\n"
        "Method 3: two machines C are dismantled into one part Y.\n"
        "Method 4: one machine B and one machine C are assembled into one machine A.\n"
        "Method 5: one part X and one part Y are combined into one part Z.\n\n"
        "The engineer visits the methods in the order 1, 2, 3, 4, 5, then 1 again, and so on. "
        "When a method is visited and its inputs are available, it is carried out exactly once "
        "(never several times in a row); if not, it is skipped. Either way the engineer then "
        "moves on to the next method. The work stops as soon as none of the five methods can be "
        "carried out.\n\n"
        f"At the start there are {a} machines A, {b} machines B and {c} machines C, and no parts. "
        "How many machines A, B, C and parts X, Y, Z are there at the end?\n\n"
        "Answer with the six counts in the order A, B, C, X, Y, Z, separated by spaces, e.g. "
        "<<<1 0 1 1 1 1>>>."
    )


@dataclass(frozen=True)
class StringSplittingKnobs(Knobs):
    #: each of A, B, C starts with a count drawn from this range
    min_count: int
    max_count: int

    def validate(self) -> None:
        if not 0 <= self.min_count <= self.max_count <= 100_000:
            raise ValueError("need 0 <= min_count <= max_count <= 100000")


class StringSplitting(Task[StringSplittingKnobs]):
    name = "string_splitting"
    title = "String Splitting"
    split = Split.UNSEEN
    aliases = ("string splitting", "machine dismantling")
    answer_format = "six counts A B C X Y Z, e.g. <<<0 0 1 2 0 3>>>"
    levels = {  # 1..5: the original complexities
        1: StringSplittingKnobs(1, 3),
        2: StringSplittingKnobs(2, 4),
        3: StringSplittingKnobs(3, 6),
        4: StringSplittingKnobs(4, 7),
        5: StringSplittingKnobs(5, 10),
        6: StringSplittingKnobs(10, 30),
        7: StringSplittingKnobs(50, 200),
        8: StringSplittingKnobs(500, 2_000),
    }
    default_levels = (1, 2, 3, 4, 5)
    original_sources = (OriginalSource("string_splitting/sample_*", "dir"),)

    def _generate(self, rng: random.Random, knobs: StringSplittingKnobs) -> Item:
        a, b, c = (rng.randint(knobs.min_count, knobs.max_count) for _ in range(3))
        return self._item(a, b, c)

    def _item(self, a: int, b: int, c: int) -> Item:
        return Item(
            task=self.name,
            id="",
            question=question_for(a, b, c),
            answer=" ".join(map(str, final_counts(a, b, c))),
            meta={"initial": [a, b, c]},
        )

    def check(self, answer: str, item: Item) -> Score:
        if len(answer) > MAX_ANSWER_LENGTH:
            return Score(0.0, None, "answer too long")
        given = parse_counts(answer, len(NAMES))
        if given is None:
            return Score(0.0, None, "no list of six counts found")
        shown = " ".join(map(str, given))
        if len(given) != len(NAMES):
            return Score(0.0, shown, f"expected {len(NAMES)} counts, got {len(given)}")
        expected = final_counts(*item.meta["initial"])
        if given == expected:
            return Score(1.0, shown, "correct")
        wrong = [name for name, g, e in zip(NAMES, given, expected, strict=True) if g != e]
        return Score(0.0, shown, f"wrong count of {', '.join(wrong)}")

    def parse_original(self, raw: RawInstance) -> Item:
        solution = json.loads(raw.data["solution.json"])
        initial = parse_initial(raw.data["question.txt"])
        return self.as_original(
            raw,
            self._item(*initial),
            original_answer=" ".join(str(int(n)) for n in solution["expected_answer"]),
            complexity=solution.get("complexity"),
        )


def parse_initial(question: str) -> tuple[int, int, int]:
    """The initial machine counts an original question states (its solution file lacks them)."""
    match = re.search(
        r"there are (\d+) units? of Machine A, (\d+) units? of Machine B, and (\d+) units? of "
        r"Machine C",
        question,
    )
    if not match:
        raise ValueError("initial machine counts not found in the question")
    a, b, c = (int(group) for group in match.groups())
    return a, b, c


TASK = StringSplitting()

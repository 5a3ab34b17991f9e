"""Synthesis Decomposition (unseen): exchange farm crops for products with 2 to 4 methods.

Three method sets (by the original complexity):

- ``ab_x`` (complexity 1-2): A + B -> X; 3 A -> 2 X. Answer: remaining A, B, obtained X.
- ``abc_x`` (complexity 3-4): A + B + C -> X; A + B -> 2 C; 2 C -> X. Answer: A, B, C, X.
- ``abc_xy`` (complexity 5): 2 A + B + C -> 3 X; A + B -> 2 C; 2 C + X -> Y; A + 2 X -> Y.
  Answer: A, B, C, X, Y.

Semantics (as the original ground truth applies it, verified on every original instance): the
methods are visited cyclically; a method that can run when visited runs exactly once, then the
next is visited; stop when none can run (:mod:`._cyclic`, shared with String Splitting). The
question states this and the exact numbers to give, in order.

Scoring: the final counts are unique, so they are compared exactly, with any brackets, commas,
quotes or spaces (the original checker split on commas without stripping brackets, so
``[1, 0, 3]`` failed against its own example format). The original stores five numbers
[A, B, C, X, Y] for every item but graded only those its question asked for; the stored answer
is rendered the same way.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from codesteer.symbench._task import Knobs, OriginalSource, RawInstance, Task
from codesteer.symbench._types import Item, Score, Split
from codesteer.symbench.tasks._cyclic import Method, parse_counts, run_cyclic


def _m(consumed: dict[str, int], produced: dict[str, int]) -> Method:
    return Method(tuple(consumed.items()), tuple(produced.items()))


#: method set name -> (methods, the resources the answer lists, in order)
METHOD_SETS: dict[str, tuple[tuple[Method, ...], tuple[str, ...]]] = {
    "ab_x": (
        (_m({"A": 1, "B": 1}, {"X": 1}), _m({"A": 3}, {"X": 2})),
        ("A", "B", "X"),
    ),
    "abc_x": (
        (
            _m({"A": 1, "B": 1, "C": 1}, {"X": 1}),
            _m({"A": 1, "B": 1}, {"C": 2}),
            _m({"C": 2}, {"X": 1}),
        ),
        ("A", "B", "C", "X"),
    ),
    "abc_xy": (
        (
            _m({"A": 2, "B": 1, "C": 1}, {"X": 3}),
            _m({"A": 1, "B": 1}, {"C": 2}),
            _m({"C": 2, "X": 1}, {"Y": 1}),
            _m({"A": 1, "X": 2}, {"Y": 1}),
        ),
        ("A", "B", "C", "X", "Y"),
    ),
}
RESOURCES = ("A", "B", "C", "X", "Y")
#: Longest answer worth reading.
MAX_ANSWER_LENGTH = 2_000


def final_counts(method_set: str, initial: dict[str, int]) -> list[int]:
    """The counts the answer lists, in order, once no method can run."""
    methods, answer_names = METHOD_SETS[method_set]
    start = {name: initial.get(name, 0) for name in RESOURCES}
    final = run_cyclic(start, methods)[-1]
    return [final[name] for name in answer_names]


def _amounts(side: tuple[tuple[str, int], ...]) -> str:
    kind = {"A": "crop", "B": "crop", "C": "crop", "X": "product", "Y": "product"}
    return " and ".join(
        f"{amount} unit{'s' if amount > 1 else ''} of {kind[name]} {name}" for name, amount in side
    )


def question_for(method_set: str, initial: dict[str, int]) -> str:
    methods, answer_names = METHOD_SETS[method_set]
    listed = "\n".join(
        f"Method {n}: exchange {_amounts(method.consumed)} for {_amounts(method.produced)}."
        for n, method in enumerate(methods, start=1)
    )
    crops = ", ".join(
        f"{initial[name]} units of crop {name}" for name in "ABC" if name in answer_names
    )
    kinds = ", ".join(f"{'crop' if name in 'ABC' else 'product'} {name}" for name in answer_names)
    example = ", ".join(str(n % 3) for n in range(1, len(answer_names) + 1))
    return (
        "A farmer grows crops and can exchange them (and intermediate products) using these "
        f"methods:\n{listed}\n\n"
        f"The farmer visits the methods in the order 1 to {len(methods)}, then starts again at "
        "method 1, and so on. When a method is visited and its inputs are available, it is "
        "carried out exactly once (never several times in a row); otherwise it is skipped. "
        "Either way the farmer then moves on to the next method. Everything stops as soon as "
        "none of the methods can be carried out.\n\n"
        f"At the start there are {crops}, and nothing else.\n\n"
        f"Give the amounts held at the end as a list of {len(answer_names)} numbers, "
        f"[{', '.join(answer_names)}] ({kinds}, in this order), e.g. <<<[{example}]>>>."
    )


@dataclass(frozen=True)
class SynthesisDecompositionKnobs(Knobs):
    method_set: str
    #: inclusive ranges of the initial amounts of crops A, B, C (C unused by ``ab_x``)
    a_range: tuple[int, int]
    b_range: tuple[int, int]
    c_range: tuple[int, int]

    def validate(self) -> None:
        if self.method_set not in METHOD_SETS:
            raise ValueError(f"method_set must be one of {', '.join(METHOD_SETS)}")
        for low, high in (self.a_range, self.b_range, self.c_range):
            if not 0 <= low <= high <= 1_000_000:
                raise ValueError("each range needs 0 <= low <= high <= 1000000")


class SynthesisDecomposition(Task[SynthesisDecompositionKnobs]):
    name = "synthesis_decomposition"
    title = "Synthesis Decompo."
    split = Split.UNSEEN
    aliases = ("synthesis decomposition", "farm exchange")
    answer_format = "the final amounts in the order the question lists, e.g. <<<[1, 0, 3]>>>"
    levels = {  # 1..3: the original complexities 1-2, 3-4 and 5
        1: SynthesisDecompositionKnobs("ab_x", (3, 6), (2, 4), (0, 0)),
        2: SynthesisDecompositionKnobs("abc_x", (4, 8), (3, 6), (2, 5)),
        3: SynthesisDecompositionKnobs("abc_xy", (5, 8), (2, 4), (4, 7)),
        4: SynthesisDecompositionKnobs("abc_x", (20, 60), (15, 40), (10, 40)),
        5: SynthesisDecompositionKnobs("abc_xy", (20, 60), (10, 30), (20, 60)),
        6: SynthesisDecompositionKnobs("abc_xy", (200, 600), (100, 300), (200, 600)),
        7: SynthesisDecompositionKnobs("abc_xy", (5_000, 20_000), (2_000, 8_000), (5_000, 20_000)),
    }
    #: the original's 30 / 70 / 100 split over the three method sets
    default_levels = (1,) * 3 + (2,) * 7 + (3,) * 10
    original_sources = (OriginalSource("synthesis_decomposition_dataset/sample_*", "dir"),)

    def _generate(self, rng: random.Random, knobs: SynthesisDecompositionKnobs) -> Item:
        initial = {
            name: rng.randint(*bounds)
            for name, bounds in zip(
                "ABC", (knobs.a_range, knobs.b_range, knobs.c_range), strict=True
            )
        }
        if knobs.method_set == "ab_x":
            initial["C"] = 0
        return self._item(knobs.method_set, initial)

    def _item(self, method_set: str, initial: dict[str, int]) -> Item:
        return Item(
            task=self.name,
            id="",
            question=question_for(method_set, initial),
            answer="[" + ", ".join(map(str, final_counts(method_set, initial))) + "]",
            meta={"method_set": method_set, "initial": initial},
        )

    def check(self, answer: str, item: Item) -> Score:
        if len(answer) > MAX_ANSWER_LENGTH:
            return Score(0.0, None, "answer too long")
        method_set = item.meta["method_set"]
        names = METHOD_SETS[method_set][1]
        given = parse_counts(answer, len(names))
        if given is None:
            return Score(0.0, None, f"no list of {len(names)} numbers found")
        shown = "[" + ", ".join(map(str, given)) + "]"
        if len(given) != len(names):
            return Score(
                0.0, shown, f"expected {len(names)} numbers ({', '.join(names)}), got {len(given)}"
            )
        expected = final_counts(method_set, item.meta["initial"])
        if given == expected:
            return Score(1.0, shown, "correct")
        wrong = [name for name, g, e in zip(names, given, expected, strict=True) if g != e]
        return Score(0.0, shown, f"wrong amount of {', '.join(wrong)}")

    def parse_original(self, raw: RawInstance) -> Item:
        solution = json.loads(raw.data["solution.json"])
        complexity = int(solution["complexity"])
        method_set = "ab_x" if complexity <= 2 else "abc_x" if complexity <= 4 else "abc_xy"
        initial = {name: int(solution["initial_state"].get(name, 0)) for name in "ABC"}
        stored = dict(zip(RESOURCES, solution["solution"]["answer"], strict=True))
        names = METHOD_SETS[method_set][1]
        return self.as_original(
            raw,
            self._item(method_set, initial),
            original_answer="[" + ", ".join(str(int(stored[name])) for name in names) + "]",
            complexity=complexity,
        )


TASK = SynthesisDecomposition()

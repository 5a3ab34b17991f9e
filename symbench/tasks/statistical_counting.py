"""Statistical Counting (seen): score the runs of repeated letters in a string.

Rule (as the original ground truth applies it, verified on every instance): the string uses
the first ``k`` letters of the alphabet and the ``i``-th letter is worth ``i`` (A = 1, B = 2,
...). Every maximal run of two or more equal consecutive letters adds that letter's worth once,
however long the run; single letters add nothing. The total is unique, so it is compared
exactly. Leniency: ``7``, ``"7"``, ``[7]``, ``7.0``, ``Total score: 7``, ``7 points``.

The original's checker ``int()``-parsed the answer and crashed on anything else; ours never
raises. No ground-truth defect is known.
"""

from __future__ import annotations

import itertools
import json
import random
import string
from dataclasses import dataclass

from codesteer.symbench._task import Knobs, OriginalSource, RawInstance, Task
from codesteer.symbench._types import Item, Score, Split
from codesteer.symbench.tasks._list_answers import single_int

LETTERS = string.ascii_uppercase


@dataclass(frozen=True)
class StatisticalCountingKnobs(Knobs):
    length: int
    letters: int

    def validate(self) -> None:
        if not 2 <= self.length <= 100_000:
            raise ValueError("need 2 <= length <= 100000")
        if not 2 <= self.letters <= len(LETTERS):
            raise ValueError("need 2 to 26 letters")


def worth(letter: str) -> int:
    return LETTERS.index(letter) + 1


def total_score(sequence: str, scores: dict[str, int]) -> int:
    return sum(scores[letter] for letter, run in itertools.groupby(sequence) if len(list(run)) >= 2)


def question_for(sequence: str, scores: dict[str, int]) -> str:
    table = "\n".join(f"- {letter}: {value}" for letter, value in scores.items())
    return (
        "The string below is made of the letters "
        f"{', '.join(scores)}. Each letter has a value:\n{table}\n\n"
        "Start from a total of 0 and read the string from left to right. Every maximal block "
        "of two or more identical letters in a row adds that letter's value to the total, "
        "once per block however long the block is (AAAA adds the value of A once); letters "
        "that are not next to an identical letter add nothing.\n\n"
        f"String: {sequence}\n\n"
        "What is the total? Answer with the number, for example <<<5>>>."
    )


def _weighted(*pairs: tuple[int, int]) -> tuple[int, ...]:
    return tuple(level for level, weight in pairs for _ in range(weight))


class StatisticalCounting(Task[StatisticalCountingKnobs]):
    name = "statistical_counting"
    title = "Statistical Counting"
    split = Split.SEEN
    aliases = ("stat_counting", "statistical counting")
    answer_format = "the total score as an integer, e.g. <<<5>>>"
    levels = {
        # 1-13: the original generator's (length, letters) configurations
        1: StatisticalCountingKnobs(5, 2),
        2: StatisticalCountingKnobs(10, 3),
        3: StatisticalCountingKnobs(15, 4),
        4: StatisticalCountingKnobs(20, 5),
        5: StatisticalCountingKnobs(25, 6),
        6: StatisticalCountingKnobs(35, 3),
        7: StatisticalCountingKnobs(45, 3),
        8: StatisticalCountingKnobs(55, 3),
        9: StatisticalCountingKnobs(65, 3),
        10: StatisticalCountingKnobs(65, 4),
        11: StatisticalCountingKnobs(65, 5),
        12: StatisticalCountingKnobs(65, 6),
        13: StatisticalCountingKnobs(65, 7),
        14: StatisticalCountingKnobs(200, 8),
        15: StatisticalCountingKnobs(1000, 10),
        16: StatisticalCountingKnobs(5000, 12),
    }
    # the original set: 2, 4, 4, 10 and 20 instances of levels 1-5, then 20 of each of 6-13
    default_levels = _weighted(
        (1, 1), (2, 2), (3, 2), (4, 5), (5, 10), *((level, 10) for level in range(6, 14))
    )
    original_sources = (OriginalSource("statistical_counting_dataset/sample_*", "dir"),)

    def _generate(self, rng: random.Random, knobs: StatisticalCountingKnobs) -> Item:
        alphabet = LETTERS[: knobs.letters]
        sequence = "".join(rng.choice(alphabet) for _ in range(knobs.length))
        return self._item(sequence, {letter: worth(letter) for letter in alphabet})

    def _item(self, sequence: str, scores: dict[str, int]) -> Item:
        return Item(
            task=self.name,
            id="",
            question=question_for(sequence, scores),
            answer=str(total_score(sequence, scores)),
            meta={"sequence": sequence, "scores": scores},
        )

    def check(self, answer: str, item: Item) -> Score:
        expected = total_score(item.meta["sequence"], item.meta["scores"])
        given = single_int(answer)
        if given is None:
            return Score(0.0, None, "not an integer")
        if given == expected:
            return Score(1.0, str(given), "correct")
        return Score(0.0, str(given), f"the total is not {given}")

    def parse_original(self, raw: RawInstance) -> Item:
        solution = json.loads(raw.data["solution.json"])
        sequence = str(solution["sequence"])
        scores: dict[str, int] = {}
        for rule in solution["rules"]:
            if int(rule.get("min_consecutive", 2)) != 2:
                raise ValueError(f"unsupported run length {rule['min_consecutive']}")
            scores[str(rule["letter"])] = int(rule["score"])
        if set(sequence) - set(scores):
            raise ValueError("the string uses a letter without a rule")
        return self.as_original(
            raw,
            self._item(sequence, scores),
            original_answer=str(solution["solution"]),
            complexity=solution.get("complexity"),
        )


TASK = StatisticalCounting()

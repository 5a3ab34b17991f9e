"""String Insertion (seen): insert a letter after every occurrence of five trigger substrings.

Rule (as the original ground truth applies it, verified on all 200 instances): every window of
four characters of the *original* string is tested against the triggers; all insertion points
are collected first and then applied left to right, so inserted letters never create new
triggers. The answer is unique, so it is compared exactly (ignoring case, spaces and quotes).
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass

from codesteer.symbench._parse import strip_quotes
from codesteer.symbench._task import Knobs, OriginalSource, RawInstance, Task
from codesteer.symbench._types import Item, Score, Split

ALPHABET = "ABCDE"
#: trigger substring -> letter inserted after it
RULES: tuple[tuple[str, str], ...] = (
    ("ABCD", "A"),
    ("BCDE", "B"),
    ("CDEA", "C"),
    ("DEAB", "D"),
    ("EABC", "E"),
)


@dataclass(frozen=True)
class StringInsertionKnobs(Knobs):
    min_length: int
    max_length: int
    #: how many trigger occurrences the string holds (inclusive range)
    min_triggers: int
    max_triggers: int

    def validate(self) -> None:
        if not 4 <= self.min_length <= self.max_length <= 100_000:
            raise ValueError("need 4 <= min_length <= max_length <= 100000")
        if not 0 <= self.min_triggers <= self.max_triggers:
            raise ValueError("need 0 <= min_triggers <= max_triggers")
        if self.max_triggers * 4 > self.max_length:
            raise ValueError("too many triggers for the string length")


def apply_operation(text: str) -> str:
    """One T operation: collect every trigger window of ``text``, then insert left to right."""
    inserts: list[tuple[int, str]] = []
    for start in range(len(text) - 3):
        window = text[start : start + 4]
        for trigger, letter in RULES:
            if window == trigger:
                inserts.append((start + 4, letter))
    pieces: list[str] = []
    last = 0
    for position, letter in inserts:
        pieces.append(text[last:position])
        pieces.append(letter)
        last = position
    pieces.append(text[last:])
    return "".join(pieces)


def count_triggers(text: str) -> int:
    return sum(text[i : i + 4] == trigger for i in range(len(text) - 3) for trigger, _ in RULES)


def question_for(text: str) -> str:
    rules = "\n".join(
        f"{n}. Wherever the substring {trigger} occurs, insert the letter {letter} right after it."
        for n, (trigger, letter) in enumerate(RULES, start=1)
    )
    return (
        f"A string is made of the letters {', '.join(ALPHABET)}. The operation T is defined by "
        f"these rules:\n{rules}\n\n"
        "Apply T exactly once to the string below. First find every place where a rule matches "
        "in the original string, then make all the insertions, working from left to right; "
        "letters you insert do not trigger further insertions.\n\n"
        f"String: {text}\n\n"
        "Give the resulting string, wrapped like <<<ABCDEA>>>."
    )


class StringInsertion(Task[StringInsertionKnobs]):
    name = "string_insertion"
    title = "String Insertion"
    split = Split.SEEN
    aliases = ("string insertion",)
    answer_format = "the resulting string of letters A-E, e.g. <<<ABCDAE>>>"
    levels = {
        1: StringInsertionKnobs(6, 8, 1, 1),
        2: StringInsertionKnobs(8, 12, 2, 2),
        3: StringInsertionKnobs(14, 18, 3, 3),  # the original test set
        4: StringInsertionKnobs(30, 40, 5, 6),
        5: StringInsertionKnobs(80, 120, 10, 14),
        6: StringInsertionKnobs(400, 600, 40, 60),
    }
    default_levels = (3,)
    original_sources = (OriginalSource("string_insertion/sample_*", "dir"),)

    def _generate(self, rng: random.Random, knobs: StringInsertionKnobs) -> Item:
        length = rng.randint(knobs.min_length, knobs.max_length)
        text = _string_with_triggers(rng, length, knobs.min_triggers, knobs.max_triggers)
        answer = apply_operation(text)
        return Item(
            task=self.name,
            id="",
            question=question_for(text),
            answer=answer,
            meta={"string": text},
        )

    def check(self, answer: str, item: Item) -> Score:
        expected = apply_operation(item.meta["string"])
        given = re.sub(r"\s+", "", strip_quotes(answer)).upper()
        if not given:
            return Score(0.0, None, "empty answer")
        if given == expected:
            return Score(1.0, given, "correct")
        if given == item.meta["string"]:
            return Score(0.0, given, "the string is unchanged; no insertion was made")
        if len(given) != len(expected):
            return Score(
                0.0,
                given,
                f"expected {len(expected)} letters, got {len(given)} "
                f"({len(expected) - len(item.meta['string'])} insertions were due)",
            )
        first = next(i for i, (a, b) in enumerate(zip(given, expected, strict=True)) if a != b)
        return Score(0.0, given, f"wrong letter at position {first + 1}")

    def parse_original(self, raw: RawInstance) -> Item:
        solution = json.loads(raw.data["solution.json"])
        text = solution["original_string"]
        item = Item(
            task=self.name,
            id="",
            question=question_for(text),
            answer=apply_operation(text),
            meta={"string": text},
        )
        return self.as_original(
            raw,
            item,
            original_answer=solution["modified_string"],
            complexity=solution.get("complexity"),
        )


def _string_with_triggers(rng: random.Random, length: int, low: int, high: int) -> str:
    """A random string with between ``low`` and ``high`` trigger windows (planted, re-counted)."""
    for _ in range(1000):
        wanted = rng.randint(low, high)
        chars = [rng.choice(ALPHABET) for _ in range(length)]
        starts = sorted(rng.sample(range(0, length - 3, 4), wanted)) if wanted else []
        for start in starts:
            chars[start : start + 4] = rng.choice(RULES)[0]
        text = "".join(chars)
        if low <= count_triggers(text) <= high:
            return text
    raise RuntimeError("could not draw a string with the requested triggers")  # pragma: no cover


TASK = StringInsertion()

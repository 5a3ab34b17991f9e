"""Cryptanalysis (unseen): deduce a lock's code from guesses and their feedback.

The code is a few distinct digits (0-9) followed by a few distinct letters (A-Z); the
original uses 2 + 2, higher levels 3 + 2, 3 + 3 and 4 + 3. Each guess has the same shape and
gets feedback per part (digits, letters), as counts over its symbols, not per position:

- how many are right and in the right position;
- how many are in the code but in another position;
- for the symbols not in the code: with one such symbol, whether it is smaller than every
  code symbol of that part, larger than every one, or in between (letters: earlier/later in
  the alphabet); with two or more, whether all are smaller, all are larger, or neither.

This is the original generator's feedback exactly. Its wording "one number is incorrect and
incorrect" means the wrong number lies between the code's numbers, and a bare "both numbers
are incorrect" means "not both too small and not both too large" (both in between, or one on
each side, ...). Read that way, re-solving every original instance over all codes gives a
unique code equal to the stored answer (75 of 75 on disk). The solver keeps, per part, a bit
mask over all codes (90 and 650 for 2 + 2) and intersects the codes each feedback allows.

Guesses are random (distinct, never the code itself) and are added until exactly one code
fits, so the answer is unique and is compared exactly. Accepted forms: ``53FA``,
``["5", "3", "F", "A"]``, ``5, 3, F, A``, ``5 3 F A``, any letter case. The original checker
compared ``''.join(list)`` with the stored string and nothing else; we keep that but forgive
case and separators.

Levels follow the original's bands for the most guesses allowed (4-6, ..., 16-18): the cap is
drawn from the band and a puzzle that is still ambiguous after the cap is redrawn, so low
levels are puzzles solved by few guesses.
"""

from __future__ import annotations

import json
import random
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import permutations, product

from codesteer.symbench._parse import MAX_ANSWER_CHARS, parse_token_list
from codesteer.symbench._task import Knobs, OriginalSource, RawInstance, Task
from codesteer.symbench._types import Item, Score, Split

DIGITS = string.digits
LETTERS = string.ascii_uppercase
#: how the guessed symbols not in the code compare with the code's symbols of that part
NONE, LOW, MID, HIGH, MIXED = -1, 0, 1, 2, 3
#: a guessed symbol that is in the code, at its position or elsewhere
RIGHT, ELSEWHERE = 4, 5
#: feedback on one part of a guess: (right place, other place, summary of the absent ones)
PartFeedback = tuple[int, int, int]
#: a part of a code or guess as symbol ranks (digit values, letter positions in A-Z)
Part = tuple[int, ...]
MAX_ATTEMPTS = 2000


@dataclass(frozen=True)
class CryptanalysisKnobs(Knobs):
    digits: int
    letters: int
    #: the most guesses allowed is drawn from this range (the original's bands)
    min_guesses: int
    max_guesses: int

    def validate(self) -> None:
        if not (1 <= self.digits <= 4 and 1 <= self.letters <= 3):
            raise ValueError("need 1-4 digits and 1-3 letters (bigger locks are too slow)")
        if not 2 <= self.min_guesses <= self.max_guesses <= 40:
            raise ValueError("need 2 <= min_guesses <= max_guesses <= 40")


def part_feedback(code: Part, guess: Part) -> PartFeedback:
    """The feedback ``guess`` gets against ``code``."""
    low, high = min(code), max(code)
    categories = []
    for g, c in zip(guess, code, strict=True):
        if g == c:
            categories.append(RIGHT)
        elif g in code:
            categories.append(ELSEWHERE)
        else:
            categories.append(LOW if g < low else HIGH if g > high else MID)
    return summarise(categories)


def summarise(categories: Sequence[int]) -> PartFeedback:
    """Per-symbol categories -> the feedback, which only counts them (the original's rule)."""
    right = elsewhere = 0
    sides: list[int] = []
    for category in categories:
        if category == RIGHT:
            right += 1
        elif category == ELSEWHERE:
            elsewhere += 1
        else:
            sides.append(category)
    if not sides:
        return right, elsewhere, NONE
    if len(sides) == 1:
        return right, elsewhere, sides[0]
    first = sides[0]
    return right, elsewhere, first if first != MID and all(s == first for s in sides) else MIXED


@dataclass(frozen=True)
class CodeSpace:
    """All codes of one part, with bit masks (bit i = ``codes[i]``) that turn "which codes give
    this feedback" into a few dozen AND/OR operations instead of a loop over every code."""

    codes: tuple[Part, ...]
    full: int
    #: at[position][symbol]: codes with ``symbol`` at ``position``
    at: tuple[tuple[int, ...], ...]
    #: has[symbol]: codes holding ``symbol``
    has: tuple[int, ...]
    #: above[symbol] / below[symbol]: codes whose symbols are all larger / all smaller
    above: tuple[int, ...]
    below: tuple[int, ...]

    def matching(self, guess: Part, feedback: PartFeedback) -> int:
        """The mask of codes against which ``guess`` gets ``feedback``."""
        per_position = []
        for position, g in enumerate(guess):
            here, has = self.at[position][g], self.has[g]
            per_position.append(
                {
                    RIGHT: here,
                    ELSEWHERE: has & ~here,
                    LOW: self.above[g],
                    HIGH: self.below[g],
                    MID: self.full & ~has & ~self.above[g] & ~self.below[g],
                }
            )
        result = 0
        for combo in _combos(len(guess)).get(feedback, ()):
            mask = self.full
            for masks, category in zip(per_position, combo, strict=True):
                mask &= masks[category]
                if not mask:
                    break
            result |= mask
        return result

    def decode(self, mask: int) -> list[Part]:
        return [code for i, code in enumerate(self.codes) if mask >> i & 1]


@cache
def _combos(size: int) -> dict[PartFeedback, list[tuple[int, ...]]]:
    """Per feedback, the per-position category tuples that produce it."""
    table: dict[PartFeedback, list[tuple[int, ...]]] = {}
    for combo in product((RIGHT, ELSEWHERE, LOW, MID, HIGH), repeat=size):
        table.setdefault(summarise(combo), []).append(combo)
    return table


@cache
def code_space(alphabet: int, size: int) -> CodeSpace:
    codes = tuple(permutations(range(alphabet), size))
    at: list[list[list[int]]] = [[[] for _ in range(alphabet)] for _ in range(size)]
    has: list[list[int]] = [[] for _ in range(alphabet)]
    by_min: list[list[int]] = [[] for _ in range(alphabet)]
    by_max: list[list[int]] = [[] for _ in range(alphabet)]
    for index, code in enumerate(codes):
        for position, symbol in enumerate(code):
            at[position][symbol].append(index)
            has[symbol].append(index)
        by_min[min(code)].append(index)
        by_max[max(code)].append(index)
    n = len(codes)
    min_masks = [_mask(indices, n) for indices in by_min]
    max_masks = [_mask(indices, n) for indices in by_max]
    return CodeSpace(
        codes=codes,
        full=(1 << n) - 1,
        at=tuple(tuple(_mask(indices, n) for indices in row) for row in at),
        has=tuple(_mask(indices, n) for indices in has),
        above=tuple(_or(min_masks[s + 1 :]) for s in range(alphabet)),
        below=tuple(_or(max_masks[:s]) for s in range(alphabet)),
    )


def _mask(indices: list[int], n: int) -> int:
    # one linear int() over a bit string: setting bits one by one would be quadratic
    bits = bytearray(b"0") * n
    for index in indices:
        bits[n - 1 - index] = ord("1")
    return int(bits, 2) if n else 0


def _or(masks: Sequence[int]) -> int:
    result = 0
    for mask in masks:
        result |= mask
    return result


def split_code(text: str, digits: int) -> tuple[Part, Part]:
    """``"53FA"`` -> ``((5, 3), (5, 0))``."""
    return (
        tuple(DIGITS.index(ch) for ch in text[:digits]),
        tuple(LETTERS.index(ch) for ch in text[digits:]),
    )


def solve(
    guesses: list[str],
    feedback: list[tuple[PartFeedback, PartFeedback]],
    digits: int,
    letters: int,
) -> list[str]:
    """Every code fitting all the feedback (digits and letters are independent parts)."""
    space_d, space_l = code_space(10, digits), code_space(26, letters)
    mask_d, mask_l = space_d.full, space_l.full
    for guess, (fb_d, fb_l) in zip(guesses, feedback, strict=True):
        part_d, part_l = split_code(guess, digits)
        mask_d &= space_d.matching(part_d, fb_d)
        mask_l &= space_l.matching(part_l, fb_l)
    return [_join(d, x) for d in space_d.decode(mask_d) for x in space_l.decode(mask_l)]


def _join(digit_part: Part, letter_part: Part) -> str:
    return "".join(DIGITS[d] for d in digit_part) + "".join(LETTERS[x] for x in letter_part)


def code_feedback(code: str, guess: str, digits: int) -> tuple[PartFeedback, PartFeedback]:
    code_d, code_l = split_code(code, digits)
    guess_d, guess_l = split_code(guess, digits)
    return part_feedback(code_d, guess_d), part_feedback(code_l, guess_l)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def describe_part(fb: PartFeedback, size: int, noun: str, order: tuple[str, str]) -> str:
    """Feedback in words; ``order`` = (smaller, larger) wording for the part's alphabet."""
    right, elsewhere, summary = fb
    phrases = []
    if right:
        phrases.append(f"{_count(right, noun)} in the code and in the right position")
    if elsewhere:
        phrases.append(f"{_count(elsewhere, noun)} in the code but in a different position")
    absent = size - right - elsewhere
    if absent:
        phrases.append(f"{_count(absent, noun)} not in the code, {_side(summary, noun, order)}")
    return "; ".join(phrases)


def _side(summary: int, noun: str, order: tuple[str, str]) -> str:
    smaller, larger = order
    every = f"every {noun} of the code"
    if summary == MID:
        return f"{larger} the smallest and {smaller} the largest {noun} of the code"
    if summary == LOW:
        return f"all {smaller} {every}"
    if summary == HIGH:
        return f"all {larger} {every}"
    return f"not all {smaller} and not all {larger} {every}"


def describe(code: str, guess: str, digits: int) -> str:
    fb_digits, fb_letters = code_feedback(code, guess, digits)
    numbers = describe_part(fb_digits, digits, "digit", ("smaller than", "larger than"))
    letters = describe_part(
        fb_letters,
        len(code) - digits,
        "letter",
        ("earlier in the alphabet than", "later in the alphabet than"),
    )
    return f"digits: {numbers}. Letters: {letters}."


def question_for(digits: int, letters: int, guesses: list[str], password: str) -> str:
    lines = []
    for number, guess in enumerate(guesses, start=1):
        lines.append(f"{number}. Guess {guess}: {describe(password, guess, digits)}")
    example = DIGITS[1 : digits + 1] + LETTERS[:letters]
    return (
        f"A combination lock's code is {digits} different digits (0-9) followed by {letters} "
        "different letters (A-Z). Below are guesses of the same shape with feedback on each "
        "part. The feedback only counts symbols, it does not say which positions they are in: "
        "how many are in the code and in the right position, how many are in the code but in "
        "a different position, and how the ones not in the code compare with the code's "
        "symbols of that part (digits by value, letters by alphabetical order).\n\n"
        + "\n".join(lines)
        + "\n\nExactly one code fits all of this feedback. Give it as the digits followed by "
        f"the letters, wrapped like <<<{example}>>>."
    )


class Cryptanalysis(Task[CryptanalysisKnobs]):
    name = "cryptanalysis"
    title = "Cryptanalysis"
    split = Split.UNSEEN
    aliases = ("crypt", "password", "combination lock")
    answer_format = 'the code, digits then letters, e.g. <<<53FA>>> or <<<["5","3","F","A"]>>>'
    levels = {
        1: CryptanalysisKnobs(2, 2, 4, 6),  # levels 1-5: the original's bands
        2: CryptanalysisKnobs(2, 2, 7, 9),
        3: CryptanalysisKnobs(2, 2, 10, 12),
        4: CryptanalysisKnobs(2, 2, 13, 15),
        5: CryptanalysisKnobs(2, 2, 16, 18),
        6: CryptanalysisKnobs(3, 2, 16, 20),
        7: CryptanalysisKnobs(3, 3, 16, 24),
        8: CryptanalysisKnobs(4, 3, 20, 30),
    }
    default_levels = (1, 2, 3, 4, 5)
    original_sources = (OriginalSource("cryptanalysis/sample_*", "dir"),)

    def _generate(self, rng: random.Random, knobs: CryptanalysisKnobs) -> Item:
        for _ in range(MAX_ATTEMPTS):
            password = "".join(
                rng.sample(DIGITS, knobs.digits) + rng.sample(LETTERS, knobs.letters)
            )
            cap = rng.randint(knobs.min_guesses, knobs.max_guesses)
            guesses = _guesses_until_unique(rng, password, knobs.digits, cap)
            if guesses is not None:
                break
        else:  # pragma: no cover - the caps are wide enough that this never happens
            raise RuntimeError("no puzzle with a unique code within the guess cap")
        return Item(
            task=self.name,
            id="",
            question=question_for(knobs.digits, knobs.letters, guesses, password),
            answer=password,
            meta={"digits": knobs.digits, "password": password, "guesses": guesses},
        )

    def check(self, answer: str, item: Item) -> Score:
        expected: str = item.meta["password"]
        digits: int = item.meta["digits"]
        given = _normalise(answer)
        if given is None:
            return Score(0.0, None, "not a code of digits and letters")
        if given == expected:
            return Score(1.0, given, "correct")
        letters = len(expected) - digits
        if not re.fullmatch(r"\d{" + str(digits) + r"}[A-Z]{" + str(letters) + "}", given):
            return Score(0.0, given, f"a code is {digits} digits then {letters} letters")
        if len(set(given[:digits])) < digits or len(set(given[digits:])) < letters:
            return Score(0.0, given, "the code's digits and letters do not repeat")
        for number, guess in enumerate(item.meta["guesses"], start=1):
            if code_feedback(given, guess, digits) != code_feedback(expected, guess, digits):
                return Score(0.0, given, f"does not fit the feedback of guess {number} ({guess})")
        return Score(0.0, given, "wrong code")  # pragma: no cover - the code is unique

    def parse_original(self, raw: RawInstance) -> Item:
        question = raw.data["question.txt"]
        stored = "".join(json.loads(raw.data["solution.json"])["answer"])
        guesses = [m.group(1) for m in _CLUE.finditer(question)]
        feedback = [_parse_original_feedback(m.group(2)) for m in _CLUE.finditer(question)]
        if not guesses:
            raise ValueError("no guesses found in the question")
        codes = solve(guesses, feedback, 2, 2)
        if len(codes) != 1:
            raise ValueError(f"{len(codes)} codes fit the original feedback")
        password = codes[0]
        item = Item(
            task=self.name,
            id="",
            question=question_for(2, 2, guesses, password),
            answer=password,
            meta={"digits": 2, "password": password, "guesses": guesses},
        )
        return self.as_original(raw, item, original_answer=stored)


def _guesses_until_unique(
    rng: random.Random, password: str, digits: int, cap: int
) -> list[str] | None:
    """Random guesses until exactly one code fits (the original's rule); ``None`` if that
    takes more than ``cap`` guesses.

    The two parts are solved independently (feedback on one says nothing about the other),
    so the cheap digit part is checked first and most rejected draws never touch the letters.
    """
    letters = len(password) - digits
    guesses: list[str] = []
    while len(guesses) < cap:
        guess = "".join(rng.sample(DIGITS, digits) + rng.sample(LETTERS, letters))
        if guess != password and guess not in guesses:
            guesses.append(guess)
    code_d, code_l = split_code(password, digits)
    parts = [split_code(guess, digits) for guess in guesses]
    needed_d = _guesses_needed(code_d, [d for d, _ in parts], 10)
    if needed_d is None:
        return None
    needed_l = _guesses_needed(code_l, [x for _, x in parts], 26)
    if needed_l is None:
        return None
    return guesses[: max(needed_d, needed_l)]


def _guesses_needed(code: Part, guesses: list[Part], alphabet: int) -> int | None:
    """How many of ``guesses`` (in order) it takes until ``code`` is the only fit."""
    space = code_space(alphabet, len(code))
    mask = space.full
    for number, guess in enumerate(guesses, start=1):
        mask &= space.matching(guess, part_feedback(code, guess))
        if mask & (mask - 1) == 0:  # only the code itself is left
            return number
    return None


def _normalise(answer: str) -> str | None:
    if len(answer) > MAX_ANSWER_CHARS:
        return None
    tokens = parse_token_list(answer)
    if not tokens or len(tokens) > 20:
        return None
    joined = "".join(tokens).upper()
    return joined if re.fullmatch(r"[0-9A-Z]{1,20}", joined) else None


_CLUE = re.compile(r"Guess:\s*(\d{2}[A-Z]{2}),\s*Feedback:\s*(.*)")
_COUNT = {"one": 1, "both": 2}
_PHRASE = re.compile(
    r"^(one|both) (number|letter)s? (?:is|are) "
    r"(correct and in the correct positions?|correct but in the wrong positions?|incorrect)"
    r"(?: and (too small|too large|too early in the alphabet|too late in the alphabet|incorrect))?$"
)
_SIDES = {
    "too small": LOW,
    "too early in the alphabet": LOW,
    "too large": HIGH,
    "too late in the alphabet": HIGH,
    "incorrect": MID,
}


def _parse_original_feedback(text: str) -> tuple[PartFeedback, PartFeedback]:
    """One original feedback sentence, read as described in the module docstring."""
    parts = {"number": [0, 0, NONE], "letter": [0, 0, NONE]}
    for phrase in text.strip().rstrip(".").split(";"):
        match = _PHRASE.match(phrase.strip())
        if match is None:
            raise ValueError(f"unknown feedback phrase {phrase.strip()!r}")
        count, part, kind, side = match.groups()
        if kind.startswith("correct and"):
            parts[part][0] = _COUNT[count]
        elif kind.startswith("correct but"):
            parts[part][1] = _COUNT[count]
        elif count == "one":
            parts[part][2] = _SIDES[side]
        else:  # two absent symbols: a bare "incorrect" means neither all low nor all high
            parts[part][2] = _SIDES[side] if side else MIXED
    (d0, d1, d2), (l0, l1, l2) = parts["number"], parts["letter"]
    return (d0, d1, d2), (l0, l1, l2)


TASK = Cryptanalysis()

"""Number Multiply (unseen): the exact product of 2-4 signed integers of given digit counts.

Rule: the answer is the exact integer product (Python integers, no floating point), e.g.
``(-9) * 43 * (-73) * (-6061) = -171229311``.

Verifier: exact match of the integer. Thousands grouping (groups of three, one kind of
separator: comma, underscore, space or apostrophe) is accepted (``-171,229,311``), as are a
trailing ``.0``, a leading ``=``, and a restated product before the last ``=``
(``-9*43*-73*-6061 = -171229311``); anything that is not one integer scores 0.

Known defect of the original checker (fixed here): it accepted an answer when the expected
number, or its comma-grouped form, occurred as a *substring* of the extracted text, so a wrong
longer number such as ``-1712293115`` passed for ``-171229311``; we compare the whole integer.
The original's stored answers are exact (all 415 instances on disk re-computed), so there is no
ground-truth defect.

Generator: each factor has exactly ``d`` digits (for ``d = 1``: 2..9) and a random sign. The
original drew from ``[10**(d-1) - 1, 10**d - 1]``, so a "2-digit" factor could be 9; we keep the
digit counts exact.
"""

from __future__ import annotations

import json
import math
import random
import re
from dataclasses import dataclass

from codesteer.symbench._parse import strip_quotes
from codesteer.symbench._task import Knobs, OriginalSource, RawInstance, Task
from codesteer.symbench._types import Item, Score, Split

MAX_DIGITS = 200
#: The product never has more digits than this (the knobs guarantee it), so longer text is wrong.
MAX_PRODUCT_DIGITS = 1000
#: Digits grouped in threes by one kind of separator: comma, underscore, space, apostrophe.
_GROUPED = re.compile(r"[+-]?\d{1,3}(?P<sep>[,_ \u00a0\u202f\u2009'’])\d{3}((?P=sep)\d{3})*(\.0*)?")
_SEPARATORS = re.compile(r"[,_ \u00a0\u202f\u2009'’]")
_MINUS = re.compile(r"[\u2212\u2013\u2014]")
_PLAIN_INT = re.compile(r"[+-]?\d+(\.0*)?")


@dataclass(frozen=True)
class NumberMultiplyKnobs(Knobs):
    #: digit count of each factor, in order (2 to 4 factors in the original)
    digits: tuple[int, ...]

    def validate(self) -> None:
        if not 2 <= len(self.digits) <= 8:
            raise ValueError("need 2 to 8 factors")
        if not all(1 <= d <= MAX_DIGITS for d in self.digits):
            raise ValueError(f"each factor needs 1 to {MAX_DIGITS} digits")
        if sum(self.digits) > MAX_PRODUCT_DIGITS:
            raise ValueError(f"the product may have at most {MAX_PRODUCT_DIGITS} digits")


def render_factors(factors: list[int]) -> str:
    """``-9 * 43 * -73`` written so that no two signs touch: ``(-9) * 43 * (-73)``."""
    return " * ".join(f"({f})" if f < 0 else str(f) for f in factors)


def question_for(factors: list[int]) -> str:
    return (
        f"Multiply these integers exactly: {render_factors(factors)}\n\n"
        "Give the exact integer result, with its sign if negative and without rounding or "
        "scientific notation, wrapped like <<<-123456>>>."
    )


def parse_product(answer: str) -> int | None:
    """The integer in ``answer``: thousands separators removed, a restated product dropped."""
    text = strip_quotes(answer)
    if "=" in text:
        text = text.rsplit("=", 1)[1]
    text = _MINUS.sub("-", text.strip())
    if _GROUPED.fullmatch(text):
        text = _SEPARATORS.sub("", text)
    if len(text) > MAX_PRODUCT_DIGITS + 4:
        return None
    if _PLAIN_INT.fullmatch(text):
        return int(text.split(".")[0])
    return None


class NumberMultiply(Task[NumberMultiplyKnobs]):
    name = "number_multiply"
    title = "Number Multiply"
    split = Split.UNSEEN
    aliases = ("number multiply", "number multiplication", "multiply")
    answer_format = "the exact integer product, e.g. <<<-171229311>>>"
    levels = {
        1: NumberMultiplyKnobs((2, 2)),
        2: NumberMultiplyKnobs((1, 2, 4)),  # original digit_1_2_4
        3: NumberMultiplyKnobs((1, 3, 4)),  # original digit_1_3_4
        4: NumberMultiplyKnobs((1, 2, 2, 4)),  # original digit_1_2_2_4
        5: NumberMultiplyKnobs((4, 4)),  # varied-complexity digit_4_4 ... digit_20_20
        6: NumberMultiplyKnobs((8, 8)),
        7: NumberMultiplyKnobs((12, 12)),
        8: NumberMultiplyKnobs((16, 16)),
        9: NumberMultiplyKnobs((20, 20)),
        10: NumberMultiplyKnobs((30, 30)),
        11: NumberMultiplyKnobs((20, 20, 20)),
        12: NumberMultiplyKnobs((40, 40, 40, 40)),
    }
    default_levels = (2, 3, 4)
    #: the points of the paper's varied-complexity figure
    sweep_levels = (5, 6, 7, 8, 9)  # two factors of 4, 8, 12, 16 and 20 digits
    original_sources = (
        OriginalSource("number_multiply/digit_*/sample_*", "dir"),
        OriginalSource("number_multiply_varied_complexity/digit_*/sample_*", "dir", "complexity"),
    )

    def _generate(self, rng: random.Random, knobs: NumberMultiplyKnobs) -> Item:
        factors = [_factor(rng, d) for d in knobs.digits]
        return self._item(factors)

    def _item(self, factors: list[int]) -> Item:
        return Item(
            task=self.name,
            id="",
            question=question_for(factors),
            answer=str(math.prod(factors)),
            meta={"factors": factors},
        )

    def check(self, answer: str, item: Item) -> Score:
        expected = math.prod(int(f) for f in item.meta["factors"])
        given = parse_product(answer)
        if given is None:
            return Score(0.0, None, "the answer is not a single integer")
        if given == expected:
            return Score(1.0, str(given), "correct")
        if given == -expected:
            return Score(0.0, str(given), "wrong sign")
        if len(str(abs(given))) != len(str(abs(expected))):
            return Score(
                0.0,
                str(given),
                f"wrong: {len(str(abs(given)))} digits, the product has {len(str(abs(expected)))}",
            )
        return Score(0.0, str(given), "wrong product")

    def parse_original(self, raw: RawInstance) -> Item:
        factors = [int(v) for v in json.loads(raw.data["input_value_list.txt"])]
        folder = raw.path.split("/")[-2]  # digit_1_2_4
        digits = tuple(int(d) for d in folder.split("_")[1:])
        level = next((k for k, v in self.levels.items() if v.digits == digits), None)
        return self.as_original(
            raw,
            self._item(factors),
            original_answer=raw.data["target_answer.txt"].strip(),
            complexity=level,
            original_question=raw.data.get("input_prompt_1.txt", ""),
        )


def _factor(rng: random.Random, digits: int) -> int:
    low = 2 if digits == 1 else 10 ** (digits - 1)
    return rng.randint(low, 10**digits - 1) * rng.choice((1, -1))


TASK = NumberMultiply()

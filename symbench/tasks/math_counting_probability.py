"""MATH Counting & Probability (seen): counting and probability problems with an exact answer.

Originals: the counting-and-probability part of the MATH training set
(``MATH/train/counting_and_probability/*.json``, 771 problems with ``problem``, ``level``,
``type``, ``solution``). The target is the content of the last ``\\boxed{...}`` (or ``\\fbox``)
of the solution; we have no solver for these, so our reference answer is that target.

Generated problems are templated and counted exactly in code (integers, or probabilities as
reduced fractions): combinations, arrangements of a word with repeated letters, dice sums
(by convolution), coin flips (exactly / at least k heads), inclusion-exclusion over
divisibility, seating with two people kept apart, drawing balls without replacement,
committees with at least one member of a group, stars and bars, and codes with at least one
digit. ``size`` (levels 1..5, like MATH's levels, plus 6..7) scales the numbers.

Scoring (exact, the answer is unique): the answer is accepted when it is mathematically equal
to the target (same text after normalisation, same exact number: ``\\frac{3}{8}`` = ``3/8`` =
``0.375``, or equal by math-verify); a decimal for a non-terminating probability needs six
places. See ``_latex_answers``. The original graded with a GPT-4o extractor and judge, which
counted a sample correct unless both judge outputs were exactly ``False`` (reference section 6
item 4); we replace that with this deterministic check.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from fractions import Fraction

from codesteer.symbench._task import OriginalSource
from codesteer.symbench._types import Split
from codesteer.symbench.tasks._math_tasks import MathKnobs, MathTask, Template, latex_fraction

#: typical count size per level
SIZE = {1: 5, 2: 8, 3: 12, 4: 16, 5: 24, 6: 60, 7: 200}
NAMES = ("Alice", "Bob", "Carol", "Dave")


def _probability(favourable: int, total: int) -> str:
    return latex_fraction(Fraction(favourable, total))


def combinations(rng: random.Random, size: int) -> tuple[str, str]:
    n = rng.randint(4, SIZE[size] + 4)
    k = rng.randint(2, n - 1)
    problem = f"In how many ways can a committee of {k} people be chosen from a club of {n} people?"
    return problem, str(math.comb(n, k))


def word_arrangements(rng: random.Random, size: int) -> tuple[str, str]:
    alphabet = "ABCDEFGHKLMNPRST"
    length = rng.randint(4, min(SIZE[size] + 3, 40))
    letters = rng.sample(alphabet, rng.randint(2, min(length - 1, 6)))
    word = letters + [rng.choice(letters) for _ in range(length - len(letters))]
    rng.shuffle(word)
    count = math.factorial(length)
    for repeats in Counter(word).values():
        count //= math.factorial(repeats)
    problem = (
        f"How many distinct arrangements of the letters of the word {''.join(word)} are there?"
    )
    return problem, str(count)


def dice_sum(rng: random.Random, size: int) -> tuple[str, str]:
    dice = rng.randint(2, 1 + (size + 1) // 2 if size <= 5 else size * 2)
    faces = rng.choice((4, 6, 6, 8, 10, 12) if size >= 3 else (6,))
    ways = [1]
    for _ in range(dice):  # ways[s] = number of outcomes summing to s (minimum sum dice)
        new = [0] * (len(ways) + faces - 1)
        for total, count in enumerate(ways):
            for face in range(faces):
                new[total + face] += count
        ways = new
    target = rng.randint(dice, dice * faces)
    problem = (
        f"{dice} fair {faces}-sided dice, with faces numbered 1 to {faces}, are rolled. What is "
        f"the probability that the numbers shown add up to {target}? Express your answer as a "
        "common fraction."
    )
    return problem, _probability(ways[target - dice], faces**dice)


def coins(rng: random.Random, size: int) -> tuple[str, str]:
    n = rng.randint(3, SIZE[size] + 2)
    k = rng.randint(1, n - 1)
    if rng.random() < 0.5:
        favourable, phrase = math.comb(n, k), f"exactly {k}"
    else:
        favourable, phrase = sum(math.comb(n, j) for j in range(k, n + 1)), f"at least {k}"
    problem = (
        f"A fair coin is flipped {n} times. What is the probability of getting {phrase} heads? "
        "Express your answer as a common fraction."
    )
    return problem, _probability(favourable, 2**n)


def divisibility(rng: random.Random, size: int) -> tuple[str, str]:
    limit = rng.randint(50, 100 * SIZE[size])
    divisors = sorted(rng.sample(range(2, 4 + 2 * size), 2 if size <= 2 else 3))
    count = 0
    for r in range(1, len(divisors) + 1):  # inclusion-exclusion over the lcm of each subset
        for subset in _subsets(divisors, r):
            count += (-1) ** (r + 1) * (limit // math.lcm(*subset))
    listed = ", ".join(str(d) for d in divisors[:-1]) + f" or {divisors[-1]}"
    if rng.random() < 0.5:
        problem = f"How many integers from 1 to {limit} inclusive are divisible by {listed}?"
        return problem, str(count)
    problem = (
        f"How many integers from 1 to {limit} inclusive are divisible by none of "
        f"{', '.join(str(d) for d in divisors)}?"
    )
    return problem, str(limit - count)


def _subsets(items: list[int], r: int) -> list[tuple[int, ...]]:
    if r == 0:
        return [()]
    if len(items) < r:
        return []
    first, rest = items[0], items[1:]
    return [(first, *tail) for tail in _subsets(rest, r - 1)] + _subsets(rest, r)


def seating(rng: random.Random, size: int) -> tuple[str, str]:
    n = rng.randint(4, SIZE[size] + 2)
    a, b = NAMES[0], NAMES[1]
    if rng.random() < 0.5:
        problem = (
            f"In how many ways can {n} people, including {a} and {b}, sit in a row of {n} "
            f"chairs if {a} and {b} refuse to sit next to each other?"
        )
        return problem, str(math.factorial(n) - 2 * math.factorial(n - 1))
    problem = (
        f"In how many ways can {n} people, including {a} and {b}, sit around a round table "
        f"if {a} and {b} must sit next to each other? Two seatings are the same if one is a "
        "rotation of the other."
    )
    return problem, str(2 * math.factorial(n - 2))


def draws(rng: random.Random, size: int) -> tuple[str, str]:
    red, blue = rng.randint(2, SIZE[size]), rng.randint(2, SIZE[size])
    drawn = rng.randint(2, min(red + blue - 1, 2 + size))
    wanted = rng.randint(max(0, drawn - blue), min(drawn, red))
    favourable = math.comb(red, wanted) * math.comb(blue, drawn - wanted)
    problem = (
        f"A bag holds {red} red marbles and {blue} blue marbles. {drawn} marbles are drawn at "
        f"random without replacement. What is the probability that exactly {wanted} of them "
        "are red? Express your answer as a common fraction."
    )
    return problem, _probability(favourable, math.comb(red + blue, drawn))


def committee(rng: random.Random, size: int) -> tuple[str, str]:
    men, women = rng.randint(3, SIZE[size] + 2), rng.randint(2, SIZE[size] + 2)
    k = rng.randint(2, min(men, 3 + size))
    problem = (
        f"A group has {men} men and {women} women. How many committees of {k} people from the "
        "group include at least one woman?"
    )
    return problem, str(math.comb(men + women, k) - math.comb(men, k))


def stars_and_bars(rng: random.Random, size: int) -> tuple[str, str]:
    children = rng.randint(2, 2 + size)
    candies = rng.randint(children, SIZE[size] * 2 + children)
    if rng.random() < 0.5:
        problem = (
            f"In how many ways can {candies} identical candies be shared among {children} "
            "different children if some children may get none?"
        )
        return problem, str(math.comb(candies + children - 1, children - 1))
    problem = (
        f"In how many ways can {candies} identical candies be shared among {children} "
        "different children if every child gets at least one?"
    )
    return problem, str(math.comb(candies - 1, children - 1))


def codes(rng: random.Random, size: int) -> tuple[str, str]:
    length = rng.randint(2, 2 + size)
    letters = rng.choice((5, 10, 26)) if size >= 3 else rng.choice((3, 4, 5))
    problem = (
        f"A code is a string of {length} symbols, each one of {letters} letters or one of the "
        f"10 digits, repetition allowed. How many codes contain at least one digit?"
    )
    return problem, str((letters + 10) ** length - letters**length)


TEMPLATES: dict[str, Template] = {
    "combinations": combinations,
    "word_arrangements": word_arrangements,
    "dice_sum": dice_sum,
    "coins": coins,
    "divisibility": divisibility,
    "seating": seating,
    "draws": draws,
    "committee": committee,
    "stars_and_bars": stars_and_bars,
    "codes": codes,
}
ALL = tuple(TEMPLATES)


class MathCountingProbability(MathTask):
    name = "math_counting_probability"
    title = "MATH Count&Probab."
    split = Split.SEEN
    aliases = (
        "math counting and probability",
        "MATH_counting_and_probability",
        "counting_and_probability",
        "math_counting",
    )
    answer_format = "the exact final answer, e.g. <<<210>>> or <<<\\frac{5}{16}>>>"
    answer_hint = "an integer, or a probability as a fraction in lowest terms"
    templates = TEMPLATES
    levels = {size: MathKnobs(size, ALL) for size in range(1, 8)}
    default_levels = (1, 2, 3, 4, 5)
    original_sources = (OriginalSource("MATH/train/counting_and_probability/*.json", "json"),)


TASK = MathCountingProbability()

"""Letters (unseen): count a letter in a word and list its 1-based positions.

Rule: for the word ``w`` and the letter ``c`` (lower case), the answer is the number of ``i``
with ``w[i] == c`` and the set of those ``i + 1``.

Verifier: exact. The count must equal the true count and the positions, as a set, must equal the
true positions (the original compared sets too). Lenient on the form: ``Count: 2, Positions:
[1, 5]``, any case, ``=`` or ``:``, any brackets or none, spaces or commas between positions,
and the bare form ``2, [1, 5]``.

Generator: the original drew real English words from an internet word list (and random letter
strings where too few words had the wanted count). We cannot ship a word list, so words are
deterministic pseudo-words: alternating consonant and vowel clusters drawn from the alphabet
without the counted letter, into which the counted letter is then planted at ``count`` random
positions. Long levels (50 to 800 letters) are therefore pronounceable-ish strings, like the
original's random strings at those lengths.

Original data: the folder ``{letter}_{freq}_{idx}`` states the count; positions are not stored,
so the stored answer is rendered from the word with the folder's count. All 6620 words on disk
contain the letter exactly ``freq`` times (checked), so there is no known defect.
"""

from __future__ import annotations

import json
import random
import re
import string
from dataclasses import dataclass
from typing import ClassVar

from codesteer.symbench._parse import parse_int_list, strip_quotes
from codesteer.symbench._task import Knobs, OriginalSource, RawInstance, SourceRole, Task
from codesteer.symbench._types import Item, Score, Split

VOWELS = "aeiouy"
CONSONANTS = "".join(c for c in string.ascii_lowercase if c not in VOWELS)
MAX_LENGTH = 100_000

_COUNT = re.compile(r"count\s*(?:[:=]|is)?\s*(\d+)", re.IGNORECASE)
_POSITIONS = re.compile(r"positions?\s*(?:[:=]|are)?\s*(.*)$", re.IGNORECASE | re.DOTALL)
_BARE = re.compile(r"^\s*(\d+)\s*[,;]?\s*([\[(].*[\])])\s*$", re.DOTALL)


@dataclass(frozen=True)
class LettersKnobs(Knobs):
    min_length: int
    max_length: int
    #: how often the counted letter occurs (inclusive range)
    min_count: int
    max_count: int

    def validate(self) -> None:
        if not 1 <= self.min_length <= self.max_length <= MAX_LENGTH:
            raise ValueError(f"need 1 <= min_length <= max_length <= {MAX_LENGTH}")
        if not 1 <= self.min_count <= self.max_count <= self.min_length:
            raise ValueError("need 1 <= min_count <= max_count <= min_length")


def positions_of(word: str, letter: str) -> list[int]:
    return [i + 1 for i, ch in enumerate(word) if ch == letter]


def render(positions: list[int]) -> str:
    return f"Count: {len(positions)}, Positions: [{', '.join(map(str, positions))}]"


def question_for(word: str, letter: str) -> str:
    return (
        f"Consider the word '{word}'. How many times does the letter '{letter}' occur in it, "
        "and at which positions? Positions are counted from 1 for the first letter.\n\n"
        "Answer in the form Count: N, Positions: [p1, p2, ...] with the positions in increasing "
        "order, wrapped like <<<Count: 2, Positions: [3, 7]>>>."
    )


def parse_count_positions(answer: str) -> tuple[int, list[int]] | None:
    """``(count, positions)`` from ``Count: 2, Positions: [1, 5]`` or ``2, [1, 5]``."""
    text = strip_quotes(answer)
    if len(text) > 20 * MAX_LENGTH:
        return None
    count_match = _COUNT.search(text)
    positions_match = _POSITIONS.search(text)
    if count_match and positions_match:
        count_text, positions_text = count_match.group(1), positions_match.group(1)
    else:
        bare = _BARE.match(text)
        if bare is None:
            return None
        count_text, positions_text = bare.group(1), bare.group(2)
    if len(count_text) > 7:
        return None
    # "Positions: [...], Count: N" puts the count after the positions
    positions_text = re.split(r"count", positions_text, flags=re.IGNORECASE)[0]
    positions_text = positions_text.strip().rstrip(".,; ")
    if re.fullmatch(r"[\[\(\{]?\s*[\]\)\}]?", positions_text):
        return int(count_text), []
    positions = parse_int_list(positions_text)
    if positions is None:
        return None
    return int(count_text), positions


#: The original's folders (min, max length): the paper's test set is the 10-25 letter ones; the
#: long ones drew its varied-complexity figure.
_LETTERS_FOLDERS: tuple[tuple[int, int, SourceRole], ...] = (
    (10, 15, "test"),
    (15, 20, "test"),
    (20, 25, "test"),
    (5, 10, "extra"),
    (25, 30, "extra"),
    (50, 100, "complexity"),
    (150, 200, "complexity"),
    (350, 400, "complexity"),
    (750, 800, "complexity"),
)


class Letters(Task[LettersKnobs]):
    name = "letters"
    title = "Letters"
    split = Split.UNSEEN
    aliases = ("letter counting", "count letters")
    answer_format = (
        "Count: N, Positions: [p1, p2, ...] (1-based), e.g. <<<Count: 2, Positions: [3, 7]>>>"
    )
    levels = {
        1: LettersKnobs(5, 10, 1, 5),
        2: LettersKnobs(10, 15, 1, 5),  # the original test set: lengths 10-25, counts 1-5
        3: LettersKnobs(15, 20, 1, 5),
        4: LettersKnobs(20, 25, 1, 5),
        5: LettersKnobs(25, 30, 1, 5),
        6: LettersKnobs(50, 100, 12, 25),  # the original varied-complexity folders
        7: LettersKnobs(150, 200, 25, 50),
        8: LettersKnobs(350, 400, 50, 100),
        9: LettersKnobs(750, 800, 100, 200),
        10: LettersKnobs(1500, 2000, 200, 400),
    }
    default_levels = (2, 3, 4)
    #: the points of the paper's varied-complexity figure
    sweep_levels = (2, 6, 7, 8, 9)  # 10-15 ... 750-800 letters
    original_sources: ClassVar[tuple[OriginalSource, ...]] = tuple(
        OriginalSource(
            f"Letters/Letters_dataset_min_length_{low}_max_length_{high}/*_*_*", "dir", role
        )
        for low, high, role in _LETTERS_FOLDERS
    )

    def _generate(self, rng: random.Random, knobs: LettersKnobs) -> Item:
        letter = rng.choice(string.ascii_lowercase)
        length = rng.randint(knobs.min_length, knobs.max_length)
        count = rng.randint(knobs.min_count, min(knobs.max_count, length))
        word = pseudo_word(rng, length, letter, count)
        return self._item(word, letter)

    def _item(self, word: str, letter: str) -> Item:
        return Item(
            task=self.name,
            id="",
            question=question_for(word, letter),
            answer=render(positions_of(word, letter)),
            meta={"word": word, "letter": letter},
        )

    def check(self, answer: str, item: Item) -> Score:
        expected = positions_of(item.meta["word"], item.meta["letter"])
        parsed = parse_count_positions(answer)
        if parsed is None:
            return Score(0.0, None, "expected 'Count: N, Positions: [p1, p2, ...]'")
        count, positions = parsed
        understood = f"Count: {count}, Positions: {positions}"
        if count != len(expected):
            return Score(0.0, understood, f"wrong count {count}")
        if set(positions) != set(expected):
            wrong = sorted(set(positions) - set(expected))
            missing = sorted(set(expected) - set(positions))
            detail = f"wrong positions {wrong}" if wrong else f"missing positions {missing}"
            return Score(0.0, understood, detail[:200])
        return Score(1.0, understood, "correct")

    def parse_original(self, raw: RawInstance) -> Item:
        word = json.loads(raw.data["test_words.json"])
        letter, freq, _ = raw.path.split("/")[-1].split("_")
        bounds = re.search(r"min_length_(\d+)_max_length_(\d+)", raw.path)
        level = None
        if bounds:
            low, high = int(bounds.group(1)), int(bounds.group(2))
            level = next(
                (k for k, v in self.levels.items() if (v.min_length, v.max_length) == (low, high)),
                None,
            )
        item = self._item(word, letter)
        stored = positions_of(word, letter)
        defect = None
        if len(stored) != int(freq):
            defect = f"folder name says {freq} but the word holds the letter {len(stored)} times"
        return self.as_original(
            raw,
            item,
            # positions are not stored: the original's answer is the folder's count with the
            # word's positions, which scores 1 exactly when the folder name is right
            original_answer=f"Count: {int(freq)}, Positions: {stored}",
            complexity=level,
            known_defect=defect,
        )


def pseudo_word(rng: random.Random, length: int, letter: str, count: int) -> str:
    """A pronounceable-ish word of ``length`` letters holding ``letter`` exactly ``count`` times."""
    vowels = [c for c in VOWELS if c != letter]
    consonants = [c for c in CONSONANTS if c != letter]
    chars: list[str] = []
    use_vowels = rng.random() < 0.4
    while len(chars) < length:
        pool = vowels if use_vowels else consonants
        chars.extend(rng.choice(pool) for _ in range(rng.choice((1, 1, 2))))
        use_vowels = not use_vowels
    del chars[length:]
    for position in rng.sample(range(length), count):
        chars[position] = letter
    return "".join(chars)


TASK = Letters()

"""String Deletion and Modification (seen): rewrite a string over {a, b, c} with six rules.

Each item draws six rules from a pool of twenty rewrite rules (the same twenty the original
release uses, described in our own words). Rule kinds: a condition on the prefix, the suffix,
a substring (leftmost occurrence, or the leftmost occurrence starting after the first
character), the parity of the count of a letter, or the length; and an edit that replaces or
deletes the matched part, possibly adding text at the other end or dropping the last character.

Semantics (as the original ground truth applies it, verified on every original instance,
intermediate states included): at each step the rules are tried in list order and only the
first applicable one is applied, once; then the scan restarts from rule 1. The process stops
when no rule applies. "The middle character" of a string of length n is the one at 0-based
index n // 2. The original question said "cycle through the operations", which also reads as
round-robin; our question states the first-applicable-rule semantics explicitly.

Scoring: the final string is unique, so it is compared exactly, ignoring case, whitespace and
outer quotes (the original checker failed on the quotes its own question asked for).
Generated items never loop (a repeated state or a step cap rejects the draw) and never end
empty.
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from codesteer.symbench._parse import strip_quotes
from codesteer.symbench._task import Knobs, OriginalSource, RawInstance, Task
from codesteer.symbench._types import Item, Score, Split

ALPHABET = "abc"
#: Longest answer worth reading; final strings are far shorter.
MAX_ANSWER_LENGTH = 5_000


@dataclass(frozen=True)
class Rule:
    """One rewrite rule. ``kind`` picks the condition; the other fields parameterise it.

    - ``prefix``: starts with ``pattern`` -> ``prepend + replacement + rest + append``,
      then the last character is dropped if ``drop_last``.
    - ``suffix``: ends with ``pattern`` -> ``prepend + rest + replacement + append``.
    - ``contains``: the leftmost ``pattern`` becomes ``replacement``.
    - ``contains_inner``: the leftmost ``pattern`` starting at index >= 1 becomes ``replacement``.
    - ``even_count``: ``pattern`` (one letter) occurs an even, non-zero number of times ->
      ``append`` is added at the end.
    - ``longer_than``: length > ``limit`` -> the character at index ``len // 2`` is removed.
    """

    kind: str
    pattern: str = ""
    replacement: str = ""
    prepend: str = ""
    append: str = ""
    drop_last: bool = False
    limit: int = 0

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @staticmethod
    def from_json(value: Mapping[str, Any]) -> Rule:
        return Rule(**value)


def apply_rule(rule: Rule, text: str) -> str | None:
    """``text`` after ``rule``, or ``None`` when the rule does not apply."""
    if rule.kind == "prefix":
        if not text.startswith(rule.pattern):
            return None
        out = rule.prepend + rule.replacement + text[len(rule.pattern) :] + rule.append
        return out[:-1] if rule.drop_last else out
    if rule.kind == "suffix":
        if not text.endswith(rule.pattern):
            return None
        return rule.prepend + text[: len(text) - len(rule.pattern)] + rule.replacement + rule.append
    if rule.kind in ("contains", "contains_inner"):
        start = text.find(rule.pattern, 1 if rule.kind == "contains_inner" else 0)
        if start < 0:
            return None
        return text[:start] + rule.replacement + text[start + len(rule.pattern) :]
    if rule.kind == "even_count":
        count = text.count(rule.pattern)
        return text + rule.append if count and count % 2 == 0 else None
    if rule.kind == "longer_than":
        if len(text) <= rule.limit:
            return None
        middle = len(text) // 2
        return text[:middle] + text[middle + 1 :]
    raise ValueError(f"unknown rule kind {rule.kind!r}")


def run_rules(text: str, rules: list[Rule], max_steps: int = 10_000) -> list[str] | None:
    """Every state from ``text`` to the final string (first applicable rule, restart at rule 1);
    ``None`` if the process revisits a state (it would loop forever) or exceeds ``max_steps``."""
    states = [text]
    seen = {text}
    for _ in range(max_steps):
        for rule in rules:
            result = apply_rule(rule, text)
            if result is not None:
                break
        else:
            return states
        text = result
        if text in seen:
            return None
        seen.add(text)
        states.append(text)
    return None


def _p(pattern: str, replacement: str = "", append: str = "", drop_last: bool = False) -> Rule:
    return Rule("prefix", pattern, replacement, append=append, drop_last=drop_last)


def _s(pattern: str, replacement: str = "", prepend: str = "") -> Rule:
    return Rule("suffix", pattern, replacement, prepend=prepend)


#: The pool the six rules of an item are drawn from (the original release's twenty rules).
POOL: tuple[Rule, ...] = (
    _s("ac", "cb"),
    _s("aa", "cc"),
    _s("ba", "ab"),
    _s("bb"),
    _s("ca", "c"),
    _s("cc", "b", prepend="a"),
    _p("aa", "a"),
    _p("ab", "ca"),
    _p("ac", "zz"),
    _p("bb", "b"),
    _p("cc"),
    _p("bc", append="aa"),
    _p("ca", "bb", append="c"),
    _p("cb", "aa", drop_last=True),
    Rule("contains", "abc", "cab"),
    Rule("contains", "acb", "bca"),
    Rule("contains", "bca"),
    Rule("contains_inner", "ca"),
    Rule("even_count", "b", append="ab"),
    Rule("longer_than", limit=15),
)


def describe_rule(rule: Rule) -> str:
    """The rule in words; every edit is spelled out so that no reading is left open."""
    if rule.kind in ("prefix", "suffix"):
        where = "begins" if rule.kind == "prefix" else "ends"
        edit = (
            f"change that leading '{rule.pattern}' to '{rule.replacement}'"
            if rule.kind == "prefix"
            else f"change that trailing '{rule.pattern}' to '{rule.replacement}'"
        )
        if not rule.replacement:
            edit = f"delete that {'leading' if rule.kind == 'prefix' else 'trailing'} "
            edit += f"'{rule.pattern}'"
        extras = []
        if rule.prepend:
            extras.append(f"put '{rule.prepend}' in front of the string")
        if rule.append:
            extras.append(f"add '{rule.append}' at the end of the string")
        if rule.drop_last:
            extras.append("remove the string's last character")
        tail = "".join(f", then {extra}" for extra in extras)
        return f"If the string {where} with '{rule.pattern}': {edit}{tail}."
    if rule.kind == "contains":
        edit = f"change it to '{rule.replacement}'" if rule.replacement else "delete it"
        return f"If the string contains '{rule.pattern}': take its leftmost occurrence and {edit}."
    if rule.kind == "contains_inner":
        edit = f"change it to '{rule.replacement}'" if rule.replacement else "delete it"
        return (
            f"If '{rule.pattern}' occurs somewhere other than at the very start of the string: "
            f"take its leftmost occurrence that starts at the second character or later and {edit}."
        )
    if rule.kind == "even_count":
        return (
            f"If the number of '{rule.pattern}'s in the string is even and at least 2: "
            f"add '{rule.append}' at the end."
        )
    if rule.kind == "longer_than":
        return (
            f"If the string is longer than {rule.limit} characters: delete its middle character, "
            "the one at 0-based index (length // 2); e.g. in 'abcdef' that is 'd'."
        )
    raise ValueError(f"unknown rule kind {rule.kind!r}")


def question_for(text: str, rules: list[Rule]) -> str:
    listed = "\n".join(f"{n}. {describe_rule(rule)}" for n, rule in enumerate(rules, start=1))
    return (
        f"Here are {len(rules)} numbered rewrite rules for strings:\n{listed}\n\n"
        "Process the string below step by step. In each step, check the rules in order from "
        "rule 1 and apply only the first rule whose condition holds, exactly once. Then begin "
        "the next step again from rule 1. Stop as soon as no rule applies.\n\n"
        f'String: "{text}"\n\n'
        'Give the final string, wrapped like <<<"abc">>>.'
    )


@dataclass(frozen=True)
class StringDeletionKnobs(Knobs):
    min_length: int
    max_length: int
    num_rules: int
    #: the fewest rule applications an accepted instance needs
    min_ops: int

    def validate(self) -> None:
        if not 2 <= self.min_length <= self.max_length <= 2_000:
            raise ValueError("need 2 <= min_length <= max_length <= 2000")
        if not 1 <= self.num_rules <= len(POOL):
            raise ValueError(f"num_rules must be in 1..{len(POOL)}")
        if not 0 <= self.min_ops <= 200:
            raise ValueError("min_ops must be in 0..200")


class StringDeletionModification(Task[StringDeletionKnobs]):
    name = "string_deletion_modification"
    title = "String Deletion&Modifi."
    split = Split.SEEN
    aliases = (
        "string_deletion_and_modification",
        "string deletion",
        "string deletion and modification",
    )
    answer_format = 'the final string, e.g. <<<"abcab">>>'
    levels = {
        1: StringDeletionKnobs(10, 20, 6, 4),  # the original test set
        2: StringDeletionKnobs(20, 30, 6, 6),
        3: StringDeletionKnobs(30, 50, 8, 8),
        4: StringDeletionKnobs(50, 100, 10, 12),
        5: StringDeletionKnobs(100, 200, 12, 20),
    }
    default_levels = (1,)
    original_sources = (OriginalSource("string_deletion_and_modification/sample_*", "dir"),)

    def _generate(self, rng: random.Random, knobs: StringDeletionKnobs) -> Item:
        for _ in range(10_000):
            length = rng.randint(knobs.min_length, knobs.max_length)
            text = "".join(rng.choice(ALPHABET) for _ in range(length))
            rules = rng.sample(POOL, knobs.num_rules)
            states = run_rules(text, rules, max_steps=20 * knobs.max_length + 100)
            if states is not None and len(states) - 1 >= knobs.min_ops and states[-1]:
                return self._item(text, rules, states[-1])
        raise RuntimeError("could not draw an instance with enough operations")  # pragma: no cover

    def _item(self, text: str, rules: list[Rule], final: str) -> Item:
        return Item(
            task=self.name,
            id="",
            question=question_for(text, rules),
            answer=final,
            meta={"string": text, "rules": [rule.to_json() for rule in rules]},
        )

    def check(self, answer: str, item: Item) -> Score:
        if len(answer) > MAX_ANSWER_LENGTH:
            return Score(0.0, None, "answer too long")
        given = re.sub(r"\s+", "", strip_quotes(answer)).lower()
        if not given:
            return Score(0.0, None, "empty answer")
        rules = [Rule.from_json(rule) for rule in item.meta["rules"]]
        states = run_rules(item.meta["string"], rules)
        if states is None:
            return Score(0.0, given, "the rules never stop on this string; no answer is right")
        expected = states[-1]
        if given == expected:
            return Score(1.0, given, "correct")
        if given == item.meta["string"]:
            return Score(0.0, given, "the string is unchanged; rules were due")
        if given in states:
            return Score(
                0.0, given, f"stopped early, after {states.index(given)} of {len(states) - 1} steps"
            )
        if len(given) != len(expected):
            return Score(0.0, given, f"expected {len(expected)} characters, got {len(given)}")
        first = next(i for i, (a, b) in enumerate(zip(given, expected, strict=True)) if a != b)
        return Score(0.0, given, f"wrong character at position {first + 1}")

    def parse_original(self, raw: RawInstance) -> Item:
        solution = json.loads(raw.data["solution.json"])
        text = solution["initial_string"]
        rules = [parse_original_rule(rule) for rule in solution["selected_rules"]]
        states = run_rules(text, rules)
        if states is None:
            raise ValueError("the rules do not terminate on this string")
        return self.as_original(
            raw,
            self._item(text, rules, states[-1]),
            original_answer=solution["final_string"],
            complexity=solution.get("complexity"),
        )


_W = r"'([a-z]+)'"
_PRE = rf"If the string (?:prefix is|starts with) {_W}, "
_SUF = rf"If the string (?:suffix is|ends with) {_W}, "
_HAS = rf"If the string contains {_W}"
#: the original's rule sentences (regex) -> the rule, built from the quoted groups
_ORIGINAL_RULES: tuple[tuple[str, Callable[..., Rule]], ...] = (
    (_SUF + rf"replace it with {_W} and prepend {_W} to the start\.", lambda x, y, z: _s(x, y, z)),
    (_SUF + rf"replace it with {_W}\.", lambda x, y: _s(x, y)),
    (_SUF + r"delete the last two characters\.", lambda x: _s(x, x[:-2])),
    (_SUF + r"remove the last character\.", lambda x: _s(x, x[:-1])),
    (_PRE + r"remove the first character\.", lambda x: _p(x, x[1:])),
    (_PRE + r"remove the second character\.", lambda x: _p(x, x[:1] + x[2:])),
    (_PRE + r"remove the first two characters\.", lambda x: _p(x, x[2:])),
    (_PRE + rf"replace it with {_W} and append {_W} to the end\.", lambda x, y, z: _p(x, y, z)),
    (
        _PRE + rf"replace it with {_W} and delete the last character\.",
        lambda x, y: _p(x, y, drop_last=True),
    ),
    (_PRE + rf"replace it with {_W}\.", lambda x, y: _p(x, y)),
    (_PRE + rf"replace the first two characters with {_W}\.", lambda x, y: _p(x, y + x[2:])),
    (
        _PRE + rf"delete the first two characters and append {_W} to the end\.",
        lambda x, z: _p(x, x[2:], z),
    ),
    (
        _HAS + r" \(not at the start\), remove the first occurrence found after the first "
        r"character\.",
        lambda x: Rule("contains_inner", x),
    ),
    (_HAS + r", delete the first occurrence entirely\.", lambda x: Rule("contains", x)),
    (
        _HAS + rf", replace the first occurrence with (?:its reverse \()?{_W}\)?\.",
        lambda x, y: Rule("contains", x, y),
    ),
    (
        rf"If the string contains an even number of {_W}s \(and at least one {_W}\), "
        rf"append {_W} at the end\.",
        lambda x, _, z: Rule("even_count", x, append=z),
    ),
    (
        r"If the string length is greater than (\d+), remove the middle character\.",
        lambda n: Rule("longer_than", limit=int(n)),
    ),
)


def parse_original_rule(text: str) -> Rule:
    """The :class:`Rule` an original rule sentence describes (``ValueError`` if unknown)."""
    for pattern, build in _ORIGINAL_RULES:
        match = re.fullmatch(pattern, text.strip())
        if match:
            return build(*match.groups())
    raise ValueError(f"unknown original rule: {text!r}")


TASK = StringDeletionModification()

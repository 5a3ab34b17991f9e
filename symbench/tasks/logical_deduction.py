"""Logical Deduction (seen, BIG-Bench-Hard ``logical_deduction_seven_objects``): order K objects.

K objects stand in a line (books on a shelf, birds on a branch, runners in a finishing order,
vehicles by age, fruits by price). Clues say where an object is counted from either end
(``at``), that one object comes somewhere before another (``before``) or immediately before it
(``next``, higher levels). The clues determine the order uniquely: our solver counts the orders
that satisfy them (a memoised search over the set of placed objects) and the generator only
emits puzzles with exactly one. The question offers one statement per object, all about the
same position; exactly one is true and its letter is the answer, compared exactly.

Accepted answers: ``C``, ``(C)``, ``C)``, ``option C``, ``(C) <text of C>``, the text of one
option, or the name of the object of one option (``the red book``).

The original graded with a GPT-4o judge that passed any judgment containing ``correct``; we grade
deterministically. Our parser reads all 250 BBH instances, our solver finds exactly one order
for each, and the option it makes true is the stored target in every case.
"""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass, field

from codesteer.symbench._task import Knobs, OriginalSource, RawInstance, Task
from codesteer.symbench._types import Item, Score, Split
from codesteer.symbench.tasks._bbh_answers import letter, normalise_text, parse_option

ORDINALS = (
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
    "seventeenth", "eighteenth", "nineteenth", "twentieth",
)  # fmt: skip
CLUE_KINDS = ("at", "before", "next")


@dataclass(frozen=True)
class Domain:
    """How one kind of line is worded. Position 0 is the ``start`` end."""

    setting: str  # "{n}" objects, "{names}" their list
    objects: tuple[str, ...]
    verb: str  # "is", "are", "finished"
    first: str  # position 0: "the leftmost"
    nth: str  # position k from the start: "the {ord} from the left"
    last: str
    nth_last: str
    before: str  # "{a} ... {b}"
    after: str
    next: str

    def position(self, pos: int, count: int, from_end: bool) -> str:
        if from_end:
            k = count - 1 - pos
            if k == count - 1:  # the far end reads better than "the seventh from the right"
                return self.first
            return self.last if k == 0 else self.nth_last.format(ord=ORDINALS[k])
        if pos == count - 1:  # likewise "the rightmost", not "the seventh from the left"
            return self.last
        return self.first if pos == 0 else self.nth.format(ord=ORDINALS[pos])


BOOKS = tuple(
    f"the {colour} book"
    for colour in (
        "red", "orange", "yellow", "green", "blue", "purple", "gray", "brown", "black", "white",
        "pink", "teal", "silver", "gold", "beige", "maroon", "navy", "olive", "ivory", "crimson",
    )
)  # fmt: skip
BIRDS = tuple(
    f"the {bird}"
    for bird in (
        "robin", "owl", "crow", "falcon", "hawk", "sparrow", "finch", "wren", "heron", "magpie",
        "starling", "pigeon", "swallow", "kestrel", "lark", "thrush", "warbler", "cuckoo", "dove",
        "egret",
    )
)  # fmt: skip
RUNNERS = (
    "Abe", "Bea", "Cal", "Dot", "Eli", "Fay", "Gus", "Hal", "Ivy", "Jo", "Kit", "Lou", "Max",
    "Ned", "Olga", "Pam", "Quin", "Rex", "Sue", "Tia",
)  # fmt: skip
VEHICLES = tuple(
    f"the {vehicle}"
    for vehicle in (
        "sedan", "coupe", "van", "pickup", "jeep", "roadster", "taxi", "limousine", "minibus",
        "tractor", "scooter", "motorcycle", "camper", "hatchback", "convertible",
        "station wagon", "truck", "bus", "ambulance", "go-kart",
    )
)  # fmt: skip
FRUITS = tuple(
    f"the {fruit}"
    for fruit in (
        "apples", "pears", "plums", "figs", "limes", "lemons", "grapes", "cherries", "peaches",
        "mangoes", "kiwis", "melons", "papayas", "guavas", "lychees", "apricots", "bananas",
        "oranges", "quinces", "nectarines",
    )
)  # fmt: skip

DOMAINS: dict[str, Domain] = {
    "shelf": Domain(
        "A shelf holds {n} books in a row: {names}.",
        BOOKS,
        "is",
        "the leftmost",
        "the {ord} from the left",
        "the rightmost",
        "the {ord} from the right",
        "{a} is somewhere to the left of {b}",
        "{a} is somewhere to the right of {b}",
        "{a} is directly to the left of {b}",
    ),
    "branch": Domain(
        "{n} birds sit side by side on a branch: {names}.",
        BIRDS,
        "is",
        "the leftmost",
        "the {ord} from the left",
        "the rightmost",
        "the {ord} from the right",
        "{a} sits somewhere to the left of {b}",
        "{a} sits somewhere to the right of {b}",
        "{a} sits directly to the left of {b}",
    ),
    "race": Domain(
        "{n} runners finished a race, with no ties: {names}.",
        RUNNERS,
        "finished",
        "first",
        "{ord}",
        "last",
        "{ord}-to-last",
        "{a} finished ahead of {b}",
        "{a} finished behind {b}",
        "{a} finished right ahead of {b}, with nobody in between",
    ),
    "cars": Domain(
        "A vintage show displays {n} vehicles, each built in a different year: {names}.",
        VEHICLES,
        "is",
        "the oldest",
        "the {ord}-oldest",
        "the newest",
        "the {ord}-newest",
        "{a} is older than {b}",
        "{a} is newer than {b}",
        "{a} is older than {b}, and no vehicle was built between them",
    ),
    "fruits": Domain(
        "A market stall sells {n} fruits, each at a different price: {names}.",
        FRUITS,
        "are",
        "the cheapest",
        "the {ord}-cheapest",
        "the most expensive",
        "the {ord}-most expensive",
        "{a} are cheaper than {b}",
        "{a} are more expensive than {b}",
        "{a} are cheaper than {b}, and nothing is priced between them",
    ),
}


@dataclass(frozen=True)
class LogicalDeductionKnobs(Knobs):
    objects: int
    clue_kinds: tuple[str, ...] = ("at", "before")
    #: tries to swap a clue of the built puzzle for another true one (variety, not difficulty)
    mutations: int = 4
    domains: tuple[str, ...] = field(default=tuple(DOMAINS))

    def validate(self) -> None:
        if not 2 <= self.objects <= len(ORDINALS):
            raise ValueError(f"need 2 <= objects <= {len(ORDINALS)}")
        if not set(self.clue_kinds) <= set(CLUE_KINDS) or "before" not in self.clue_kinds:
            raise ValueError(f"clue_kinds must include 'before' and be among {CLUE_KINDS}")
        if not self.domains or not set(self.domains) <= set(DOMAINS):
            raise ValueError(f"domains must be among {', '.join(DOMAINS)}")
        if not 0 <= self.mutations <= 50:
            raise ValueError("need 0 <= mutations <= 50")


# -- solver -------------------------------------------------------------------------------------

#: a clue: ("at", object, position) | ("before", a, b) | ("next", a, b)
Clue = tuple[str, int, int]

#: states explored before a count gives up (keeps generation bounded at large K)
MAX_STATES = 200_000


class _Budget(Exception):
    pass


def count_orders(count: int, clues: list[Clue], limit: int = 2) -> int | None:
    """How many orders satisfy ``clues`` (capped at ``limit``); ``None`` if the search ran out
    of budget. ``order[position] = object``; an object's position is where it is placed."""
    at_pos = [-1] * count  # position -> object fixed there
    fixed = [-1] * count  # object -> its fixed position
    preds = [0] * count
    follower = [-1] * count  # a -> b for "a directly before b"
    leader = [-1] * count
    for kind, a, b in clues:
        if kind == "at":
            if fixed[a] not in (-1, b) or at_pos[b] not in (-1, a):
                return 0
            fixed[a], at_pos[b] = b, a
        else:
            preds[b] |= 1 << a
            if kind == "next":
                if follower[a] not in (-1, b) or leader[b] not in (-1, a):
                    return 0
                follower[a], leader[b] = b, a
    uses_next = any(kind == "next" for kind, _, _ in clues)
    memo: dict[int, int] = {}
    full = (1 << count) - 1

    def search(mask: int, last: int, placed: int) -> int:
        if mask == full:
            return 1
        key = mask * (count + 1) + (last + 1 if uses_next else 0)
        if key in memo:
            return memo[key]
        if len(memo) > MAX_STATES:
            raise _Budget
        if at_pos[placed] >= 0:
            candidates: list[int] | range = [at_pos[placed]]
        elif last >= 0 and follower[last] >= 0:
            candidates = [follower[last]]
        else:
            candidates = range(count)
        total = 0
        for obj in candidates:
            bit = 1 << obj
            if mask & bit or preds[obj] & ~mask:
                continue
            if fixed[obj] not in (-1, placed) or leader[obj] not in (-1, last):
                continue
            if last >= 0 and follower[last] not in (-1, obj):
                continue
            total += search(mask | bit, obj, placed + 1)
            if total >= limit:
                total = limit
                break
        memo[key] = total
        return total

    try:
        return search(0, -1, 0)
    except _Budget:
        return None


def solve(count: int, clues: list[Clue]) -> list[int] | None:
    """The unique order (``order[position] = object``), or ``None`` if not exactly one."""
    if count_orders(count, clues) != 1:
        return None
    order: list[int] = []
    for position in range(count):
        for obj in range(count):
            if obj in order:
                continue
            trial = [*clues, ("at", obj, position)]
            if count_orders(count, trial, 1) == 1:
                order.append(obj)
                break
    return order


# -- wording ------------------------------------------------------------------------------------


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _names_list(names: list[str]) -> str:
    return ", ".join(names[:-1]) + f", and {names[-1]}" if len(names) > 2 else " and ".join(names)


def clue_sentence(domain: Domain, names: list[str], count: int, clue: list[object]) -> str:
    """``clue`` is ``[kind, a, b, flip]``: flip words ``at`` from the far end and ``before`` as
    ``after`` with the objects swapped."""
    kind, a, b, flip = str(clue[0]), int(str(clue[1])), int(str(clue[2])), bool(clue[3])
    if kind == "at":
        return _capital(f"{names[a]} {domain.verb} {domain.position(b, count, flip)}.")
    if kind == "next":
        return _capital(domain.next.format(a=names[a], b=names[b]) + ".")
    if flip:
        return _capital(domain.after.format(a=names[b], b=names[a]) + ".")
    return _capital(domain.before.format(a=names[a], b=names[b]) + ".")


def option_texts(domain: Domain, names: list[str], position: int, from_end: bool) -> list[str]:
    where = domain.position(position, len(names), from_end)
    return [_capital(f"{name} {domain.verb} {where}") for name in names]


def question_for(
    domain: Domain, names: list[str], clues: list[list[object]], options: list[str]
) -> str:
    count = len(names)
    lines = "\n".join(clue_sentence(domain, names, count, clue) for clue in clues)
    choices = "\n".join(f"({letter(i)}) {text}" for i, text in enumerate(options))
    setting = domain.setting.format(n=count, names=_names_list(names))
    return (
        f"{_capital(setting)} The following facts hold:\n{lines}\n\n"
        f"Exactly one of these statements is true:\n{choices}\n\n"
        "Answer with the letter of the true statement, wrapped like <<<A>>>."
    )


class LogicalDeduction(Task[LogicalDeductionKnobs]):
    name = "logical_deduction"
    title = "Logical Deduction"
    split = Split.SEEN
    aliases = ("logical deduction", "logical_deduction_seven_objects")
    answer_format = "the letter of the true statement, e.g. <<<C>>>"
    levels = {
        1: LogicalDeductionKnobs(3),
        2: LogicalDeductionKnobs(5),
        3: LogicalDeductionKnobs(7),  # the BBH test set (seven objects)
        4: LogicalDeductionKnobs(9),
        5: LogicalDeductionKnobs(12, ("at", "before", "next")),
        6: LogicalDeductionKnobs(16, ("at", "before", "next")),
        7: LogicalDeductionKnobs(20, ("at", "before", "next")),
    }
    default_levels = (3,)
    original_sources = (
        OriginalSource("BIG-Bench-Hard/bbh/logical_deduction_seven_objects.json", "examples"),
    )

    def _generate(self, rng: random.Random, knobs: LogicalDeductionKnobs) -> Item:
        domain_key = rng.choice(knobs.domains)
        domain = DOMAINS[domain_key]
        count = knobs.objects
        names = rng.sample(domain.objects, count)
        order = list(range(count))
        rng.shuffle(order)
        clues = _unique_clues(rng, order, knobs)
        rng.shuffle(clues)
        worded: list[list[object]] = [[k, a, b, rng.random() < 0.5] for k, a, b in clues]
        position = rng.randrange(count)
        from_end = rng.random() < 0.5
        options = option_texts(domain, names, position, from_end)
        return Item(
            task=self.name,
            id="",
            question=question_for(domain, names, worded, options),
            answer=letter(order[position]),
            meta={
                "domain": domain_key,
                "names": names,
                "clues": worded,
                "options": options,
                "position": position,
                "correct": order[position],
            },
        )

    def check(self, answer: str, item: Item) -> Score:
        options = [str(option) for option in item.meta["options"]]
        index, why = parse_option(answer, options)
        if index is None:
            names = [str(name) for name in item.meta["names"]]
            by_name, _ = parse_option(answer, names, _name_key)
            if by_name is None:
                return Score(0.0, None, why)
            index = by_name
        given = letter(index)
        if index == int(item.meta["correct"]):
            return Score(1.0, given, "correct")
        return Score(0.0, given, f"option {given} is false")

    def parse_original(self, raw: RawInstance) -> Item:
        text = str(raw.data["input"])
        puzzle = parse_bbh(text)
        count = len(puzzle.display_names)
        order = solve(count, [clue for clue, _ in puzzle.clues])
        if order is None:
            raise ValueError("the clues do not determine one order")
        domain = DOMAINS[puzzle.domain]
        names = puzzle.display_names
        worded: list[list[object]] = [[k, a, b, flip] for (k, a, b), flip in puzzle.clues]
        position, from_end = puzzle.asked
        options = option_texts(domain, names, position, from_end)
        correct = order[position]
        target = str(raw.data["target"]).strip()
        item = Item(
            task=self.name,
            id="",
            question=question_for(domain, names, worded, options),
            answer=letter(correct),
            meta={
                "domain": puzzle.domain,
                "names": names,
                "clues": worded,
                "options": options,
                "position": position,
                "correct": correct,
            },
        )
        return self.as_original(raw, item, original_answer=target, original_question=text)


def _name_key(text: str) -> str:
    return re.sub(r"^(the|a|an) ", "", normalise_text(text))


# -- generation ---------------------------------------------------------------------------------


def _unique_clues(rng: random.Random, order: list[int], knobs: LogicalDeductionKnobs) -> list[Clue]:
    """A set of true clues with exactly one solution.

    Built so that uniqueness holds by construction: some objects are pinned with ``at`` and the
    others are chained in their true order (each link ``before``, or ``next`` when the two are
    neighbours), which leaves one way to fill the free positions. A few random swaps of one
    clue for another true clue then add variety; a swap is kept only if the solver still finds
    exactly one order.
    """
    count = len(order)
    pinned = set(rng.sample(range(count), rng.randint(1, max(1, count // 2))))
    clues: list[Clue] = [("at", order[p], p) for p in sorted(pinned)]
    free = [p for p in range(count) if p not in pinned]
    for left, right in itertools.pairwise(free):
        adjacent = right == left + 1 and "next" in knobs.clue_kinds and rng.random() < 0.5
        clues.append(("next" if adjacent else "before", order[left], order[right]))
    for _ in range(knobs.mutations):
        index = rng.randrange(len(clues))
        candidate = clues[:index] + clues[index + 1 :] + [_random_clue(rng, order, knobs)]
        if len(set(candidate)) == len(candidate) and count_orders(count, candidate) == 1:
            clues = candidate
    return clues


def _random_clue(rng: random.Random, order: list[int], knobs: LogicalDeductionKnobs) -> Clue:
    count = len(order)
    kind = rng.choice(knobs.clue_kinds)
    if kind == "at":
        position = rng.randrange(count)
        return ("at", order[position], position)
    if kind == "next":
        position = rng.randrange(count - 1)
        return ("next", order[position], order[position + 1])
    first, second = sorted(rng.sample(range(count), 2))
    return ("before", order[first], order[second])


# -- reading the BBH wording --------------------------------------------------------------------

_BBH_DOMAINS = {
    "In a golf tournament": "race",
    "In an antique car show": "cars",
    "On a branch": "branch",
    "On a shelf": "shelf",
    "A fruit stand": "fruits",
}
_ORDINAL_INDEX = {word: i for i, word in enumerate(ORDINALS)}
_RELATIONS = {  # phrase -> True when the subject comes first in our start-to-end order
    "to the left of": True,
    "to the right of": False,
    "older than": True,
    "newer than": False,
    "less expensive than": True,
    "more expensive than": False,
    "above": True,
    "below": False,
}
_RELATION = re.compile(
    r"^(?:The )?(.+?) (?:is|are|finished) (" + "|".join(_RELATIONS) + r") (?:the )?(.+?)\.?$"
)
_ABSOLUTE = re.compile(r"^(?:The )?(.+?) (?:is|are|finished) (?:the )?(.+?)\.?$")
_FROM_START = {"leftmost": 0, "oldest": 0, "cheapest": 0}
_FROM_END = {"rightmost": 0, "newest": 0, "most expensive": 0, "last": 0}


@dataclass(frozen=True)
class BbhPuzzle:
    domain: str
    display_names: list[str]
    clues: list[tuple[Clue, bool]]  # each with its wording flag (see clue_sentence)
    asked: tuple[int, bool]  # (position, counted from the end) the options are about


def _position(phrase: str, count: int) -> tuple[int, bool]:
    """``third from the right`` -> (count - 3, True); ``second-oldest`` -> (1, False)."""
    phrase = phrase.strip()
    if phrase in _FROM_START:
        return 0, False
    if phrase in _FROM_END:
        return count - 1, True
    match = re.fullmatch(
        r"(\w+)(?: from the (left|right)|-(oldest|newest|cheapest|to-last)|"
        r"-most expensive)?",
        phrase,
    )
    if match is None or match.group(1) not in _ORDINAL_INDEX:
        raise ValueError(f"unknown position {phrase!r}")
    k = _ORDINAL_INDEX[match.group(1)]
    from_end = (
        match.group(2) == "right"
        or match.group(3) in ("newest", "to-last")
        or (phrase.endswith("most expensive"))
    )
    return (count - 1 - k, True) if from_end else (k, False)


def parse_bbh(text: str) -> BbhPuzzle:
    """Read a BBH logical-deduction question into objects, clues and option clues."""
    head, _, options_text = text.partition("\nOptions:\n")
    sentences = re.split(r"(?<=\.) ", head.strip())
    setting_index = next(
        i for i, s in enumerate(sentences) if any(s.startswith(k) for k in _BBH_DOMAINS)
    )
    setting = sentences[setting_index]
    domain = next(v for k, v in _BBH_DOMAINS.items() if setting.startswith(k))
    raw_names = re.split(r", (?:and )?| and ", setting.split(": ", 1)[1].rstrip("."))
    bare = [re.sub(r"^(?:an?|the) ", "", name.strip()) for name in raw_names]
    display = bare if domain == "race" else [f"the {name}" for name in bare]
    index = {name.lower(): i for i, name in enumerate(bare)}
    count = len(bare)

    def read(sentence: str) -> tuple[Clue, bool]:
        """The clue and whether it was worded from the far end (``at``) or as ``after``."""
        relation = _RELATION.match(sentence)
        if relation and relation.group(1).lower() in index and relation.group(3).lower() in index:
            a, b = index[relation.group(1).lower()], index[relation.group(3).lower()]
            if _RELATIONS[relation.group(2)]:
                return ("before", a, b), False
            return ("before", b, a), True
        absolute = _ABSOLUTE.match(sentence)
        if absolute is None or absolute.group(1).lower() not in index:
            raise ValueError(f"cannot read {sentence!r}")
        position, from_end = _position(absolute.group(2), count)
        return ("at", index[absolute.group(1).lower()], position), from_end

    clues = [read(s) for s in sentences[setting_index + 1 :]]
    option_lines = [re.sub(r"^\([A-Z]\) ", "", line) for line in options_text.splitlines() if line]
    options = [read(line) for line in option_lines]
    if [clue for clue, _ in options] != [("at", i, options[0][0][2]) for i in range(count)]:
        raise ValueError("the options are not one statement per object about one position")
    asked = (options[0][0][2], options[0][1])
    return BbhPuzzle(domain, display, clues, asked)


TASK = LogicalDeduction()

"""Web of Lies (seen, BIG-Bench-Hard): a chain of truth-tellers and liars.

Every person either always tells the truth or always lies. The first person's nature is stated;
each later person says that the previous one tells the truth or lies. Person ``i`` is truthful
exactly when their claim about person ``i - 1`` is right, so ``truthful[i] = (claim[i] ==
truthful[i - 1])``. The question: does the last person tell the truth? The answer (Yes/No) is
unique and compared exactly; ``yes``, ``Yes.``, ``"No"`` are accepted, anything else scores 0.

The original graded with a GPT-4o judge (which passed on any judgment containing ``correct``,
so ``Incorrect`` passed too); we grade deterministically. All 250 BBH instances have five people;
our solver re-derives every answer from the parsed statements, and agrees with every stored
target. Higher levels lengthen the chain (up to 50 people) and can list the statements in a
shuffled order, so the chain must be followed by name rather than by position.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from codesteer.symbench._task import Knobs, OriginalSource, RawInstance, Task
from codesteer.symbench._types import Item, Score, Split
from codesteer.symbench.tasks._bbh_answers import parse_yes_no

NAMES: tuple[str, ...] = (
    "Abel", "Bianca", "Cyrus", "Delia", "Emeric", "Fiona", "Gideon", "Hester", "Ivo", "Jolene",
    "Kasper", "Lorna", "Magnus", "Nadia", "Oswin", "Petra", "Quincy", "Rosalind", "Silas",
    "Tamsin", "Ulric", "Vesna", "Wendell", "Xenia", "Yorick", "Zelda", "Anselm", "Beryl",
    "Caspian", "Dagny", "Elspeth", "Florian", "Greta", "Hollis", "Isolde", "Jasper", "Katya",
    "Leopold", "Mirela", "Niall", "Odette", "Percival", "Ramona", "Stellan", "Thea", "Umberto",
    "Viola", "Wilhelmina", "Yusuf", "Zora", "Ambrose", "Clementine", "Desmond", "Esme",
    "Fergus", "Ingrid", "Lazlo", "Marisol", "Octavia", "Rufus",
)  # fmt: skip


@dataclass(frozen=True)
class WebOfLiesKnobs(Knobs):
    min_people: int
    max_people: int
    #: list the statements in a random order instead of along the chain
    shuffled: bool = False

    def validate(self) -> None:
        if not 2 <= self.min_people <= self.max_people <= len(NAMES):
            raise ValueError(f"need 2 <= min_people <= max_people <= {len(NAMES)}")


def solve(first_truthful: bool, claims: list[bool]) -> bool:
    """Whether the last person tells the truth; ``claims[i]`` is True when person ``i + 1``
    says person ``i`` tells the truth."""
    truthful = first_truthful
    for claim in claims:
        truthful = claim == truthful
    return truthful


def _nature(truthful: bool) -> str:
    return "tells the truth" if truthful else "lies"


def question_for(
    names: list[str], first_truthful: bool, claims: list[bool], order: list[int]
) -> str:
    lines = [f"{names[0]} {_nature(first_truthful)}."]
    lines += [
        f"{names[i + 1]} says that {names[i]} {_nature(claims[i])}." for i in range(len(claims))
    ]
    statements = "\n".join(lines[i] for i in order)
    return (
        "Each of the people below is either a truth-teller, who only ever says true things, "
        "or a liar, who only ever says false things.\n\n"
        f"{statements}\n\n"
        f"Does {names[-1]} tell the truth? Answer Yes or No, wrapped like <<<Yes>>> or <<<No>>>."
    )


def yes_no(value: bool) -> str:
    return "Yes" if value else "No"


class WebOfLies(Task[WebOfLiesKnobs]):
    name = "web_of_lies"
    title = "Web of Lies"
    split = Split.SEEN
    aliases = ("web of lies", "lies")
    answer_format = "Yes or No, e.g. <<<Yes>>>"
    levels = {
        1: WebOfLiesKnobs(3, 3),
        2: WebOfLiesKnobs(4, 4),
        3: WebOfLiesKnobs(5, 5),  # the BBH test set
        4: WebOfLiesKnobs(6, 8),
        5: WebOfLiesKnobs(10, 15),
        6: WebOfLiesKnobs(20, 30),
        7: WebOfLiesKnobs(40, 50),
        8: WebOfLiesKnobs(40, 50, shuffled=True),
    }
    default_levels = (3,)
    original_sources = (OriginalSource("BIG-Bench-Hard/bbh/web_of_lies.json", "examples"),)

    def _generate(self, rng: random.Random, knobs: WebOfLiesKnobs) -> Item:
        count = rng.randint(knobs.min_people, knobs.max_people)
        names = rng.sample(NAMES, count)
        first = rng.random() < 0.5
        claims = [rng.random() < 0.5 for _ in range(count - 1)]
        order = list(range(count))
        if knobs.shuffled:
            rng.shuffle(order)
        return Item(
            task=self.name,
            id="",
            question=question_for(names, first, claims, order),
            answer=yes_no(solve(first, claims)),
            meta={"names": names, "first_truthful": first, "claims": claims},
        )

    def check(self, answer: str, item: Item) -> Score:
        given = parse_yes_no(answer)
        if given is None:
            return Score(0.0, None, "the answer must be Yes or No")
        expected = solve(bool(item.meta["first_truthful"]), [bool(c) for c in item.meta["claims"]])
        if given == expected:
            return Score(1.0, yes_no(given), "correct")
        name = item.meta["names"][-1]
        return Score(0.0, yes_no(given), f"wrong: {name} {_nature(expected)}")

    def parse_original(self, raw: RawInstance) -> Item:
        text = str(raw.data["input"])
        names, first, claims = parse_chain(text)
        target = str(raw.data["target"]).strip()
        item = Item(
            task=self.name,
            id="",
            question=question_for(names, first, claims, list(range(len(names)))),
            answer=yes_no(solve(first, claims)),
            meta={"names": names, "first_truthful": first, "claims": claims},
        )
        return self.as_original(raw, item, original_answer=target, original_question=text)


_FIRST = re.compile(r"^(?:Question:\s*)?(\S+) (tells the truth|lies)\.$")
_CLAIM = re.compile(r"^(\S+) says (?:that )?(\S+) (tells the truth|lies)\.$")
_ASK = re.compile(r"^Does (\S+) tell the truth\?$")


def parse_chain(text: str) -> tuple[list[str], bool, list[bool]]:
    """Read ``A lies. B says A tells the truth. ... Does E tell the truth?`` into the chain.

    Raises ``ValueError`` unless the statements form one chain ending with the asked person.
    """
    sentences = [s.strip() for s in re.split(r"(?<=[.?])\s+", text.strip()) if s.strip()]
    first = _FIRST.match(sentences[0]) if sentences else None
    asked = _ASK.match(sentences[-1]) if sentences else None
    if first is None or asked is None:
        raise ValueError("not a web-of-lies question")
    names = [first.group(1)]
    claims: list[bool] = []
    for sentence in sentences[1:-1]:
        claim = _CLAIM.match(sentence)
        if claim is None or claim.group(2) != names[-1]:
            raise ValueError(f"statement {sentence!r} does not continue the chain")
        names.append(claim.group(1))
        claims.append(claim.group(3) == "tells the truth")
    if asked.group(1) != names[-1]:
        raise ValueError("the question is not about the last person of the chain")
    return names, first.group(2) == "tells the truth", claims


TASK = WebOfLies()

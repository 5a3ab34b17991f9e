"""Navigation (seen, BIG-Bench-Hard ``navigate``): after a list of moves, are you back at the start?

Semantics (the BBH wording): you start facing forward. ``Take N steps`` and ``Take N steps
forward`` move N units the way you face, ``backward`` the opposite way, ``left``/``right``
sideways relative to where you face; ``Turn left``/``Turn right`` rotate by 90 degrees and
``Turn around`` by 180 without moving. In the "always face forward" variant there are no turns
and the four directions are fixed. The answer (Yes/No) is unique and compared exactly.

The verifier re-simulates the moves stored in the item. The original graded with a GPT-4o judge
(passing any judgment that contained ``correct``); we grade deterministically. Our simulation of
the 250 BBH instances agrees with every stored target. Higher levels use many more moves; the
generator builds half of its walks to close exactly, a quarter as near misses (one move one or
two steps longer or shorter) and a quarter at random, so the answer cannot be guessed from the
length or the shape of the list.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from codesteer.symbench._task import Knobs, OriginalSource, RawInstance, Task
from codesteer.symbench._types import Item, Score, Split
from codesteer.symbench.tasks._bbh_answers import parse_yes_no

MODES = ("mixed", "face_forward", "turning")
#: relative moves: action -> (quarter turns from the facing direction) for the sideways moves
_MOVE_TURNS = {"forward": 0, "right": 1, "backward": 2, "left": 3}
_TURNS = {"turn_right": 1, "turn_around": 2, "turn_left": 3}
#: absolute headings as unit vectors, clockwise from "forward" (north)
_HEADINGS = ((0, 1), (1, 0), (0, -1), (-1, 0))


@dataclass(frozen=True)
class NavigationKnobs(Knobs):
    #: number of "Take N steps" instructions (turns come on top in the turning variant)
    min_moves: int
    max_moves: int
    #: most steps in one instruction
    max_steps: int = 10
    #: ``face_forward`` (no turns), ``turning``, or ``mixed`` (either, half each)
    mode: str = "mixed"

    def validate(self) -> None:
        if not 2 <= self.min_moves <= self.max_moves <= 5000:
            raise ValueError("need 2 <= min_moves <= max_moves <= 5000")
        if not 2 <= self.max_steps <= 1000:  # odd cancelling runs need a 2
            raise ValueError("need 2 <= max_steps <= 1000")
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")


#: one instruction: [action, steps]; turns carry 0 steps
Instruction = tuple[str, int]


def simulate(instructions: list[Instruction]) -> tuple[int, int]:
    """The final position, starting at (0, 0) facing north."""
    x = y = heading = 0
    for action, steps in instructions:
        if action in _TURNS:
            heading = (heading + _TURNS[action]) % 4
        else:
            dx, dy = _HEADINGS[(heading + _MOVE_TURNS[action]) % 4]
            x += dx * steps
            y += dy * steps
    return x, y


def returns(instructions: list[Instruction]) -> bool:
    return simulate(instructions) == (0, 0)


def _sentence(action: str, steps: int, plain_forward: bool) -> str:
    if action in _TURNS:
        return {
            "turn_left": "Turn left.",
            "turn_right": "Turn right.",
            "turn_around": "Turn around.",
        }[action]
    unit = "step" if steps == 1 else "steps"
    direction = "" if action == "forward" and plain_forward else f" {action}"
    return f"Take {steps} {unit}{direction}."


def question_for(instructions: list[Instruction], face_forward: bool) -> str:
    lines = ["Always face forward."] if face_forward else []
    lines += [_sentence(action, steps, not face_forward) for action, steps in instructions]
    steps_text = "\n".join(lines)
    return (
        "You stand at a starting point, facing forward, and carry out these instructions in "
        "order. Steps to the left or right are sideways steps relative to the way you face; "
        "turns change the way you face without moving you.\n\n"
        f"{steps_text}\n\n"
        "Are you back at the starting point at the end? Answer Yes or No, wrapped like "
        "<<<Yes>>> or <<<No>>>."
    )


def yes_no(value: bool) -> str:
    return "Yes" if value else "No"


class Navigation(Task[NavigationKnobs]):
    name = "navigation"
    title = "Navigation"
    split = Split.SEEN
    aliases = ("navigate",)
    answer_format = "Yes or No, e.g. <<<No>>>"
    levels = {
        1: NavigationKnobs(2, 4, 5),
        2: NavigationKnobs(4, 6),
        3: NavigationKnobs(2, 9),  # the BBH test set
        4: NavigationKnobs(12, 20),
        5: NavigationKnobs(30, 50, 20),
        6: NavigationKnobs(100, 150, 50),
        7: NavigationKnobs(300, 500, 100),
    }
    default_levels = (3,)
    original_sources = (OriginalSource("BIG-Bench-Hard/bbh/navigate.json", "examples"),)

    def _generate(self, rng: random.Random, knobs: NavigationKnobs) -> Item:
        face_forward = knobs.mode == "face_forward" or (
            knobs.mode == "mixed" and rng.random() < 0.5
        )
        count = rng.randint(knobs.min_moves, knobs.max_moves)
        moves = _closed_walk(rng, count, knobs.max_steps)
        kind = rng.random()
        if kind < 0.25:
            moves = [_random_move(rng, knobs.max_steps) for _ in range(count)]
        elif kind < 0.5:
            _nudge(rng, moves, knobs.max_steps)
        instructions = _render_fixed(moves) if face_forward else _render_turning(rng, moves)
        return Item(
            task=self.name,
            id="",
            question=question_for(instructions, face_forward),
            answer=yes_no(returns(instructions)),
            meta={
                "instructions": [[action, steps] for action, steps in instructions],
                "face_forward": face_forward,
            },
        )

    def check(self, answer: str, item: Item) -> Score:
        given = parse_yes_no(answer)
        if given is None:
            return Score(0.0, None, "the answer must be Yes or No")
        instructions = [(str(a), int(s)) for a, s in item.meta["instructions"]]
        end = simulate(instructions)
        if given == (end == (0, 0)):
            return Score(1.0, yes_no(given), "correct")
        where = "the start" if end == (0, 0) else f"{abs(end[0]) + abs(end[1])} steps away"
        return Score(0.0, yes_no(given), f"wrong: the walk ends at {where}")

    def parse_original(self, raw: RawInstance) -> Item:
        text = str(raw.data["input"])
        instructions, face_forward = parse_instructions(text)
        item = Item(
            task=self.name,
            id="",
            question=question_for(instructions, face_forward),
            answer=yes_no(returns(instructions)),
            meta={
                "instructions": [[action, steps] for action, steps in instructions],
                "face_forward": face_forward,
            },
        )
        return self.as_original(
            raw, item, original_answer=str(raw.data["target"]).strip(), original_question=text
        )


_TAKE = re.compile(r"^Take (\d+) steps?(?: (forward|backward|left|right))?\.$")
_TURN = {"Turn left.": "turn_left", "Turn right.": "turn_right", "Turn around.": "turn_around"}


def parse_instructions(text: str) -> tuple[list[Instruction], bool]:
    """Read the BBH wording (``... starting point? Take 3 steps. Turn left. ...``)."""
    body = text.split("\nOptions")[0]
    body = body.split("?", 1)[1] if "?" in body else body
    instructions: list[Instruction] = []
    face_forward = False
    for sentence in re.split(r"(?<=\.)\s+", body.strip()):
        take = _TAKE.match(sentence)
        if take:
            instructions.append((take.group(2) or "forward", int(take.group(1))))
        elif sentence in _TURN:
            instructions.append((_TURN[sentence], 0))
        elif sentence == "Always face forward.":
            face_forward = True
        else:
            raise ValueError(f"unknown instruction {sentence!r}")
    if face_forward and any(action in _TURNS for action, _ in instructions):
        raise ValueError("turns in an always-face-forward question")
    return instructions, face_forward


# -- generation ---------------------------------------------------------------------------------

#: an absolute move: (heading index 0-3, steps)
Move = tuple[int, int]


def _random_move(rng: random.Random, max_steps: int) -> Move:
    return rng.randrange(4), rng.randint(1, max_steps)


def _closed_walk(rng: random.Random, count: int, max_steps: int) -> list[Move]:
    """``count`` absolute moves of 1..max_steps that sum to zero, in random order."""
    along_x = rng.choice([k for k in range(count + 1) if k != 1 and count - k != 1])
    moves = _zero_sum_axis(rng, along_x, max_steps, 1) + _zero_sum_axis(
        rng, count - along_x, max_steps, 0
    )
    rng.shuffle(moves)
    return moves


def _zero_sum_axis(rng: random.Random, count: int, max_steps: int, axis: int) -> list[Move]:
    """``count`` (0 or at least 2) signed moves on one axis that cancel out."""
    if count == 0:
        return []
    for _ in range(100):
        values = [rng.choice((-1, 1)) * rng.randint(1, max_steps) for _ in range(count - 1)]
        last = -sum(values)
        if 1 <= abs(last) <= max_steps:
            values.append(last)
            break
    else:  # a triple for an odd count, then opposite pairs: always cancels
        values = []
        if count % 2:
            first = rng.randint(1, max_steps - 1)
            second = rng.randint(1, max_steps - first)
            values = [first, second, -(first + second)]
        while len(values) < count:
            step = rng.randint(1, max_steps)
            values += [step, -step]
        rng.shuffle(values)
    # heading index: axis 0 is north/south, axis 1 east/west
    return [((0 if v > 0 else 2) + axis, abs(v)) for v in values]


def _nudge(rng: random.Random, moves: list[Move], max_steps: int) -> None:
    """Make a closed walk miss the start by changing one move by one or two steps."""
    index = rng.randrange(len(moves))
    heading, steps = moves[index]
    options = [s for s in (steps - 2, steps - 1, steps + 1, steps + 2) if 1 <= s <= max_steps]
    moves[index] = (heading, rng.choice(options))


def _render_fixed(moves: list[Move]) -> list[Instruction]:
    names = ("forward", "right", "backward", "left")
    return [(names[heading], steps) for heading, steps in moves]


def _render_turning(rng: random.Random, moves: list[Move]) -> list[Instruction]:
    """Absolute moves as turns plus ``Take N steps``, with a backward step or a pointless turn
    now and then so that the turns must actually be tracked."""
    instructions: list[Instruction] = []
    facing = 0
    turn_names = {1: "turn_right", 2: "turn_around", 3: "turn_left"}
    for heading, steps in moves:
        delta = (heading - facing) % 4
        if delta == 2 and rng.random() < 0.5:
            instructions.append(("backward", steps))
            continue
        if delta:
            instructions.append((turn_names[delta], 0))
            facing = heading
        instructions.append(("forward", steps))
    if rng.random() < 0.3:
        instructions.append((turn_names[rng.randint(1, 3)], 0))
    return instructions


TASK = Navigation()

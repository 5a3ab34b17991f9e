"""Blocksworld (seen): rearrange lettered blocks between a fixed set of stacks.

Rules: stacks are listed bottom to top. A move takes the top block of one existing stack and
puts it on top of another existing stack (no table, no new stacks). The goal lists the first
few stacks; every stack it does not list must end empty, i.e. the non-empty stacks at the end
must be exactly the non-empty goal stacks (the original checker's comparison).

Answer: one move per line, ``Move B from stack2 to stack1``. Lenient: case, ``stack2`` /
``stack 2`` / ``2``, moves separated by newlines, commas or semicolons, list numbering or
bullets, quotes and brackets around the list. For an instance whose initial state already is
the goal, ``No moves`` (or ``none``) is the answer. Strict: every move must be legal (the block
must be on top of the source stack, both stacks must exist) and the final state must match.
Any valid plan passes (there is no step limit, as in the original); our reference plan comes from
a constructive planner (build the goal stacks bottom-up, digging each needed block out and
parking the blocks above it on another stack), which is complete for three or more stacks but
not optimal.

Differences from the original checker (``validate_response``): it needed exactly six tokens per
line, so ``Move B from stack 2 to stack 1`` failed, and an empty answer failed its format check.
Instance ``Blocksworld_dataset/2_3_2_2`` starts in its goal state, so no answer could ever pass
there; we accept ``No moves``. Our generator never draws an instance that is already solved.
The original release stores no solutions (``original_answer`` is ``None``).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from codesteer.symbench._parse import MAX_ANSWER_CHARS, strip_quotes
from codesteer.symbench._task import Knobs, OriginalSource, RawInstance, Task
from codesteer.symbench._types import Item, Score, Split

#: A plan with more moves than this is rejected before it is simulated.
MAX_MOVES = 20_000
#: The (initial stacks, goal stacks) pairs of the original generator.
ORIGINAL_STACK_PAIRS = ((3, 2), (3, 3), (4, 2), (4, 3), (4, 4), (5, 2), (5, 3), (5, 4))

State = list[list[str]]
Move = tuple[str, int, int]  # block, source stack, destination stack (0-based)


@dataclass(frozen=True)
class BlocksworldKnobs(Knobs):
    num_blocks: int
    #: the (initial stacks, goal stacks) pairs drawn from, uniformly
    stack_pairs: tuple[tuple[int, int], ...] = ORIGINAL_STACK_PAIRS

    def validate(self) -> None:
        if not 1 <= self.num_blocks <= 26:
            raise ValueError("need 1 <= num_blocks <= 26 (blocks are the letters A-Z)")
        if not self.stack_pairs:
            raise ValueError("need at least one (initial stacks, goal stacks) pair")
        for stacks, goal_stacks in self.stack_pairs:
            if not 1 <= goal_stacks <= stacks or stacks < 3:
                raise ValueError("need 1 <= goal stacks <= initial stacks and >= 3 stacks")


LEVELS: dict[int, BlocksworldKnobs] = {
    1: BlocksworldKnobs(2),  # the original's 24 combinations: 2, 3 or 4 blocks x 8 stack pairs
    2: BlocksworldKnobs(3),
    3: BlocksworldKnobs(4),
    4: BlocksworldKnobs(6, ((4, 3), (4, 4), (5, 3), (5, 4))),
    5: BlocksworldKnobs(8, ((4, 3), (5, 4), (5, 5))),
    6: BlocksworldKnobs(12, ((5, 4), (6, 5), (6, 6))),
    7: BlocksworldKnobs(20, ((6, 5), (7, 6), (8, 8))),
}


# -- planning ---------------------------------------------------------------------------------


def plan_moves(initial: State, goal: State) -> list[Move]:
    """A legal plan from ``initial`` to ``goal`` (complete for three or more stacks).

    Goal stacks are built one after the other, bottom-up. For each next block: the goal stack
    is cleared down to its correct prefix, the blocks above the needed block are parked on a
    third stack, and the block is moved into place. Settled blocks (correct prefixes of goal
    stacks) are never moved, so each block is placed once and the loop ends.
    """
    state = [list(stack) for stack in initial]
    moves: list[Move] = []

    def move(source: int, destination: int) -> None:
        block = state[source].pop()
        state[destination].append(block)
        moves.append((block, source, destination))

    for g, wanted in enumerate(goal):
        for height, block in enumerate(wanted):
            if len(state[g]) > height and state[g][height] == block:
                continue
            upcoming = set(wanted[height:])
            while len(state[g]) > height:  # clear the goal stack down to its correct prefix
                move(g, _park(state, g, {g}, upcoming, done=g))
            source = next(i for i, stack in enumerate(state) if block in stack)
            while state[source][-1] != block:
                move(source, _park(state, source, {g, source}, upcoming, done=g))
            move(source, g)
    return _merge_consecutive(moves)


def _park(state: State, source: int, exclude: set[int], upcoming: set[str], done: int) -> int:
    """Where to put a block that is in the way: preferably not on a finished goal stack (index
    below ``done``) and not on blocks that are needed soon."""

    def cost(i: int) -> tuple[bool, int, int]:
        buried = sum(block in upcoming for block in state[i])
        return (i < done, buried, i)

    return min((i for i in range(len(state)) if i not in exclude), key=cost)


def _merge_consecutive(moves: list[Move]) -> list[Move]:
    """Fold ``X: a->b`` followed by ``X: b->c`` into ``X: a->c`` (dropping ``a->a``)."""
    merged: list[Move] = []
    for block, source, destination in moves:
        if merged and merged[-1][0] == block and merged[-1][2] == source:
            _, first, _ = merged.pop()
            if first != destination:
                merged.append((block, first, destination))
        else:
            merged.append((block, source, destination))
    return merged


def render_moves(moves: list[Move]) -> str:
    if not moves:
        return "No moves"
    return "\n".join(f"Move {b} from stack{s + 1} to stack{d + 1}" for b, s, d in moves)


# -- parsing and checking ---------------------------------------------------------------------

_MOVE = re.compile(
    r"move\s+([a-z][a-z0-9_]*)\s+from\s+(?:stack\s*)?([a-z0-9_]+)\s+to\s+(?:stack\s*)?([a-z0-9_]+)",
    re.IGNORECASE,
)
_SEPARATORS = re.compile(r"[\s,;.:\-*•\[\]()'\"`0-9]*")
_NO_MOVES = re.compile(
    r"(none|nothing|no moves?( (are )?(needed|required|necessary))?|empty|\[\s*\])\.?",
    re.IGNORECASE,
)

RawMove = tuple[str, str, str]


def parse_moves(text: str) -> list[RawMove] | str:
    """The moves in ``text`` as (block, source, destination) tokens, or why it is unreadable."""
    if len(text) > MAX_ANSWER_CHARS:
        return "answer too long"
    moves = [(m[0].upper(), m[1], m[2]) for m in _MOVE.findall(text)]
    if not moves:
        if _NO_MOVES.fullmatch(strip_quotes(text)):
            return []
        return "no `Move X from stackS to stackD` lines found"
    if len(moves) > MAX_MOVES:
        return f"more than {MAX_MOVES} moves"
    leftover = _MOVE.sub(" ", text)
    if not _SEPARATORS.fullmatch(leftover):
        junk = re.sub(r"\s+", " ", leftover).strip()[:60]
        return f"unexpected text between the moves: {junk!r}"
    return moves


def _stack_index(token: str, count: int) -> int | None:
    if token.isdigit() and 1 <= int(token) <= count:
        return int(token) - 1
    return None


def simulate(initial: State, goal: State, moves: list[RawMove]) -> Score:
    state = [list(stack) for stack in initial]
    answer = "\n".join(f"Move {b} from stack{s} to stack{d}" for b, s, d in moves) or "No moves"
    for number, (block, source_token, destination_token) in enumerate(moves, start=1):
        where = f"move {number} (Move {block} from {source_token} to {destination_token})"
        source = _stack_index(source_token, len(state))
        destination = _stack_index(destination_token, len(state))
        if source is None or destination is None:
            bad = source_token if source is None else destination_token
            return Score(0.0, answer, f"{where}: there is no stack {bad!r}")
        if not state[source]:
            return Score(0.0, answer, f"{where}: stack{source + 1} is empty")
        if state[source][-1] != block:
            top = state[source][-1]
            return Score(
                0.0, answer, f"{where}: the top of stack{source + 1} is {top}, not {block}"
            )
        state[destination].append(state[source].pop())
    final = {i: stack for i, stack in enumerate(state) if stack}
    wanted = {i: stack for i, stack in enumerate(goal) if stack}
    if final != wanted:
        shown = "; ".join(f"stack{i + 1}: {' '.join(s)}" for i, s in final.items())
        return Score(0.0, answer, f"the final state ({shown}) is not the goal")
    return Score(1.0, answer, "correct")


# -- the task ---------------------------------------------------------------------------------


def _describe(state: State) -> str:
    return "\n".join(f"stack{i + 1}: {' '.join(stack)}".rstrip() for i, stack in enumerate(state))


def question_for(initial: State, goal: State) -> str:
    unlisted = (
        f" Stacks {len(goal) + 1} to {len(initial)} are not listed in the goal: they must end "
        "up empty."
        if len(initial) > len(goal)
        else ""
    )
    return (
        f"Blocks lie on {len(initial)} stacks. Each stack is listed from the bottom block to the "
        "top block (in `stack1: A B C`, A is at the bottom and C on top).\n\n"
        f"Start:\n{_describe(initial)}\n\nGoal:\n{_describe(goal)}\n\n"
        "Reach the goal by moving one block at a time. Only the top block of a stack can be "
        "moved, and it must be placed on top of another of the existing stacks (there is no "
        f"table and no new stack can be created).{unlisted}\n\n"
        "Write one move per line in the form `Move B from stack2 to stack1`, and wrap the whole "
        "list of moves in triple angle brackets, like <<<Move C from stack1 to stack3\n"
        "Move B from stack2 to stack1>>>."
    )


class Blocksworld(Task[BlocksworldKnobs]):
    name = "blocksworld"
    title = "Blocksworld"
    split = Split.SEEN
    aliases = ("blocks world", "blocks_world")
    answer_format = "one move per line, e.g. <<<Move B from stack2 to stack1\\nMove A from ...>>>"
    levels = LEVELS
    default_levels = (1, 2, 3)
    original_sources = (OriginalSource("Blocksworld_dataset/*_*_*_*", "dir"),)

    def _generate(self, rng: random.Random, knobs: BlocksworldKnobs) -> Item:
        stacks, goal_stacks = rng.choice(knobs.stack_pairs)
        blocks = [chr(ord("A") + i) for i in range(knobs.num_blocks)]
        for _ in range(1000):
            # as the original: blocks in random order onto random stacks; the goal puts the
            # blocks, in alphabetical order, onto random goal stacks
            initial: State = [[] for _ in range(stacks)]
            for block in rng.sample(blocks, len(blocks)):
                initial[rng.randrange(stacks)].append(block)
            goal: State = [[] for _ in range(goal_stacks)]
            for block in blocks:
                goal[rng.randrange(goal_stacks)].append(block)
            if _non_empty(initial) != _non_empty(goal):
                return self._item(initial, goal)
        raise ValueError("could not draw an unsolved instance")  # pragma: no cover

    def _item(self, initial: State, goal: State) -> Item:
        return Item(
            task=self.name,
            id="",
            question=question_for(initial, goal),
            answer=render_moves(plan_moves(initial, goal)),
            meta={"initial": initial, "goal": goal},
        )

    def check(self, answer: str, item: Item) -> Score:
        moves = parse_moves(answer)
        if isinstance(moves, str):
            return Score(0.0, None, moves)
        return simulate(item.meta["initial"], item.meta["goal"], moves)

    def parse_original(self, raw: RawInstance) -> Item | None:
        text = raw.data.get("blocksworld_task.txt")
        if text is None:
            return None
        initial, goal = parse_task_file(text)
        return self.as_original(
            raw,
            self._item(initial, goal),
            original_answer=None,
            complexity={2: 1, 3: 2, 4: 3}.get(sum(len(s) for s in initial)),
        )


def _non_empty(state: State) -> dict[int, list[str]]:
    return {i: stack for i, stack in enumerate(state) if stack}


def parse_task_file(text: str) -> tuple[State, State]:
    """Read ``blocksworld_task.txt``: ``Initial State:`` and ``Goal State:`` sections of
    ``stackN: blocks`` lines."""
    sections: dict[str, dict[int, list[str]]] = {"initial": {}, "goal": {}}
    current = sections["initial"]
    for line in text.splitlines():
        line = line.strip()
        if line.lower().startswith("goal state"):
            current = sections["goal"]
        elif match := re.fullmatch(r"stack(\d+):(.*)", line):
            current[int(match[1])] = match[2].split()
    states = []
    for stacks in sections.values():
        if sorted(stacks) != list(range(1, len(stacks) + 1)):
            raise ValueError(f"stacks are not numbered 1..n: {sorted(stacks)}")
        states.append([stacks[i] for i in sorted(stacks)])
    return states[0], states[1]


TASK = Blocksworld()

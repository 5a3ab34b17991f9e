"""BoxNet (seen): a central planner moves coloured boxes onto same-coloured targets on a grid.

The field is a grid of ``rows x cols`` unit squares, named by their centres
``square[row + 0.5, col + 0.5]`` (first coordinate = row). One agent stands in every square and
can only handle boxes in its own square. An action is ``move(box_c, square[x, y])`` (push a
``c`` box from the agent's square to a 4-adjacent square of the grid) or ``move(box_c,
target_c)`` (match a ``c`` box with a ``c`` target in the agent's square: both disappear). Every
colour has as many boxes as targets.

Answer: a JSON list of steps, each a dict ``{"Agent[x, y]": "move(...)", ...}`` with at most one
action per agent. **The actions of a step are applied one after the other, in the order listed**
(as the original simulator does), so a box pushed into a square may be handled by that square's
agent later in the same step. Lenient: key spelling (``Agent[0.5, 0.5]``, ``agent[0.5,0.5]``,
``Agent(0.5, 0.5)``), spacing and case inside ``move(...)``, Python-literal quoting, a single dict
for a one-step plan, a fenced code block. Strict: the plan stops at the first illegal action
(unknown agent or square, box not in the agent's square, destination not adjacent or off the
grid, target missing or of another colour, an agent acting twice in a step).

Scoring (partial credit, as the paper's table implies): matched boxes / all boxes, counted up to
the end of the plan or its first illegal action; 1.0 = every box matched with no illegal action.
There is no step limit (the original had none). Our reference plan comes from a greedy planner:
every step, each agent matches a box if it can, otherwise pushes one box (present at the start of
the step) one square toward the nearest remaining target of its colour.

Differences from the original simulator (``action_from_response``): it silently skipped illegal
actions and crashed (KeyError) on an adjacent off-grid destination; parsed coordinates with
``\\d+\\.?\\d*`` (losing minus signs) and required a space after the comma in ``move(a, b)``.
The original release stores no solutions (``original_answer`` is ``None``).
"""

from __future__ import annotations

import ast
import json
import random
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from codesteer.symbench._parse import MAX_ANSWER_CHARS, strip_quotes
from codesteer.symbench._task import Knobs, OriginalSource, RawInstance, Task
from codesteer.symbench._types import Item, Score, Split

#: A plan with more actions than this is rejected before it is simulated.
MAX_ACTIONS = 50_000
TEST_COLOURS = ("blue", "red", "green", "purple", "orange")
EXTRA_COLOURS = ("yellow", "pink", "brown", "cyan", "gray")

Square = tuple[int, int]  # (row, col), 0-based
Grid = dict[Square, Counter[str]]  # square -> counts of "box_c" / "target_c"
#: A resolved action: (colour, destination square) pushes a box, (colour, None) matches it.
Action = tuple[str, "Square | None"]


@dataclass(frozen=True)
class BoxNetKnobs(Knobs):
    #: the (rows, cols) grids drawn from, uniformly
    grids: tuple[tuple[int, int], ...]
    colours: tuple[str, ...]
    #: boxes (and targets) per colour, inclusive range
    min_boxes: int
    max_boxes: int

    def validate(self) -> None:
        if not self.grids or any(not (1 <= r <= 20 and 1 <= c <= 20) for r, c in self.grids):
            raise ValueError("grids must be (rows, cols) pairs within 1..20")
        if any(r * c < 2 for r, c in self.grids):
            raise ValueError("a grid needs at least two squares")
        if not self.colours or len(set(self.colours)) != len(self.colours):
            raise ValueError("need distinct colours")
        if any(not re.fullmatch(r"[a-z]+", colour) for colour in self.colours):
            raise ValueError("colours must be lower-case words")
        if not 1 <= self.min_boxes <= self.max_boxes <= 20:
            raise ValueError("need 1 <= min_boxes <= max_boxes <= 20")


SFT_GRIDS = ((1, 2), (1, 3), (1, 4), (2, 2), (2, 3), (2, 4))
LEVELS: dict[int, BoxNetKnobs] = {
    1: BoxNetKnobs(SFT_GRIDS, ("blue", "red", "green"), 1, 1),  # the SFT variant
    2: BoxNetKnobs(((1, 2),), TEST_COLOURS, 1, 3),  # test set
    3: BoxNetKnobs(((2, 2),), TEST_COLOURS, 1, 3),  # test set
    4: BoxNetKnobs(((2, 4),), TEST_COLOURS, 1, 3),  # test set
    5: BoxNetKnobs(((4, 4),), TEST_COLOURS, 1, 3),  # on disk, not in the test set
    6: BoxNetKnobs(((4, 8),), TEST_COLOURS, 1, 3),  # on disk, not in the test set
    7: BoxNetKnobs(((6, 8),), TEST_COLOURS + EXTRA_COLOURS[:2], 2, 4),
    8: BoxNetKnobs(((8, 10),), TEST_COLOURS + EXTRA_COLOURS, 3, 5),
}


# -- state ------------------------------------------------------------------------------------


def square_key(square: Square) -> str:
    """The original's dict key of a square: ``"1.5_0.5"``."""
    return f"{square[0] + 0.5}_{square[1] + 0.5}"


def square_name(square: Square) -> str:
    return f"[{square[0] + 0.5}, {square[1] + 0.5}]"


def grid_from_meta(meta: dict[str, Any]) -> Grid:
    rows, cols = int(meta["rows"]), int(meta["cols"])
    return {
        (r, c): Counter(meta["squares"].get(square_key((r, c)), []))
        for r in range(rows)
        for c in range(cols)
    }


def _colour_of(item: str) -> str:
    return item.split("_", 1)[1]


# -- planning ---------------------------------------------------------------------------------


def plan_steps(grid: Grid) -> list[list[tuple[Square, Action]]]:
    """A greedy legal plan: per step, the (agent square, action) pairs in order."""
    state = {square: Counter(items) for square, items in grid.items()}
    steps: list[list[tuple[Square, Action]]] = []
    while any(k.startswith("box_") and n > 0 for items in state.values() for k, n in items.items()):
        snapshot = {square: +items for square, items in state.items()}
        step = [
            (square, action)
            for square in sorted(state)
            if (action := _choose(square, snapshot)) is not None
        ]
        if not step:  # pragma: no cover - every box always has a target somewhere
            raise ValueError("boxes left without targets")
        for square, action in step:
            _apply(state, square, action)
        steps.append(step)
    return steps


def _choose(square: Square, snapshot: Grid) -> Action | None:
    """The agent's action from the state at the start of the step (``None``: nothing to do).

    Only boxes present at the start of the step are handled, and only the agent of a square
    removes things from it, so the choice stays legal when the step's actions run in order.
    """
    items = snapshot[square]
    boxes = sorted(_colour_of(k) for k in items if k.startswith("box_"))
    for colour in boxes:
        if items[f"target_{colour}"] > 0:
            return (colour, None)
    for colour in boxes:
        targets = [s for s, its in snapshot.items() if its[f"target_{colour}"] > 0]
        if targets:
            goal = min(targets, key=lambda s: (abs(s[0] - square[0]) + abs(s[1] - square[1]), s))
            row, col = square
            if goal[0] != row:
                row += 1 if goal[0] > row else -1
            else:
                col += 1 if goal[1] > col else -1
            return (colour, (row, col))
    return None


def _apply(state: Grid, square: Square, action: Action) -> None:
    """Apply a legal action."""
    colour, destination = action
    state[square][f"box_{colour}"] -= 1
    if destination is None:
        state[square][f"target_{colour}"] -= 1
    else:
        state[destination][f"box_{colour}"] += 1


def render_action(action: Action) -> str:
    colour, destination = action
    if destination is None:
        return f"move(box_{colour}, target_{colour})"
    return f"move(box_{colour}, square{square_name(destination)})"


def render_plan(steps: list[list[tuple[Square, Action]]]) -> str:
    return json.dumps(
        [
            {f"Agent{square_name(square)}": render_action(action) for square, action in step}
            for step in steps
        ]
    )


# -- parsing ----------------------------------------------------------------------------------

_NUMBER = r"[+-]?\d{1,6}(?:\.\d{1,6})?"
_AGENT = re.compile(rf"\s*agent\s*[\[(]\s*({_NUMBER})\s*,\s*({_NUMBER})\s*[\])]\s*", re.I)
_ACTION = re.compile(
    rf"\s*move\s*\(\s*box_([a-z]+)\s*,\s*(?:target_([a-z]+)|square\s*[\[(]\s*({_NUMBER})\s*,"
    rf"\s*({_NUMBER})\s*[\])])\s*\)\s*",
    re.I,
)
_FENCE = re.compile(r"^```[a-z]*\s*|\s*```$", re.I)

#: A parsed action: box colour, then the target colour or the destination centre (x, y).
Parsed = tuple[str, "str | tuple[float, float]"]


def _parse_action(text: str) -> Parsed | None:
    match = _ACTION.fullmatch(text)
    if match is None:
        return None
    box, target, x, y = match.groups()
    if target is not None:
        return (box.lower(), target.lower())
    return (box.lower(), (float(x), float(y)))


def parse_steps(text: str) -> list[list[tuple[str, str]]] | str:
    """The steps as lists of (agent key, action text), or why the answer cannot be read."""
    if len(text) > MAX_ANSWER_CHARS:
        return "answer too long"
    value = _load(_FENCE.sub("", text.strip()))
    if value is None:
        return "not a JSON list of step dicts"
    if _is_step(value):
        value = [value]
    if not isinstance(value, list) or not value or not all(_is_step(step) for step in value):
        return "expected a list of steps, each a dict from agent to action"
    steps = [value_pairs(step) for step in value]
    if sum(len(step) for step in steps) > MAX_ACTIONS:
        return f"more than {MAX_ACTIONS} actions"
    return steps


class _Pairs(list[tuple[Any, Any]]):
    """A JSON object read with its key order and duplicate keys kept."""


def _load(text: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_Pairs)
    except (ValueError, RecursionError):
        pass
    try:  # Python literal syntax (single quotes); builds literals only, runs nothing
        return ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def _is_step(value: Any) -> bool:
    pairs = value_pairs(value) if isinstance(value, (dict, _Pairs)) else None
    return pairs is not None and all(isinstance(k, str) and isinstance(v, str) for k, v in pairs)


def value_pairs(value: Any) -> list[tuple[str, str]]:
    return list(value.items()) if isinstance(value, dict) else list(value)


# -- simulation -------------------------------------------------------------------------------


def _agent_square(key: str, rows: int, cols: int) -> Square | None:
    match = _AGENT.fullmatch(key)
    if match is None:
        return None
    return _centre_to_square(float(match[1]), float(match[2]), rows, cols)


def _centre_to_square(x: float, y: float, rows: int, cols: int) -> Square | None:
    row, col = x - 0.5, y - 0.5
    if not (row.is_integer() and col.is_integer()):
        return None
    if not (0 <= row < rows and 0 <= col < cols):
        return None
    return int(row), int(col)


def _resolve(state: Grid, square: Square, text: str, rows: int, cols: int) -> Action | str:
    """The action ``text`` of the agent in ``square``, or why it is illegal."""
    parsed = _parse_action(text)
    if parsed is None:
        return "not an action of the form move(box_c, square[x, y]) or move(box_c, target_c)"
    colour, where = parsed
    if state[square][f"box_{colour}"] <= 0:
        return f"there is no box_{colour} in square{square_name(square)}"
    if isinstance(where, str):
        if where != colour:
            return f"box_{colour} cannot be matched with target_{where}"
        if state[square][f"target_{colour}"] <= 0:
            return f"there is no target_{colour} in square{square_name(square)}"
        return (colour, None)
    destination = _centre_to_square(where[0], where[1], rows, cols)
    if destination is None:
        return f"square[{where[0]}, {where[1]}] is not a square of the {rows}x{cols} grid"
    if abs(destination[0] - square[0]) + abs(destination[1] - square[1]) != 1:
        return f"square{square_name(destination)} is not next to square{square_name(square)}"
    return (colour, destination)


def simulate(meta: dict[str, Any], steps: list[list[tuple[str, str]]]) -> Score:
    rows, cols = int(meta["rows"]), int(meta["cols"])
    state = grid_from_meta(meta)
    total = sum(n for items in state.values() for k, n in items.items() if k.startswith("box_"))
    matched = 0
    answer = json.dumps([dict(step) for step in steps])
    problem = None
    for number, step in enumerate(steps, start=1):
        acted: set[Square] = set()
        for key, text in step:
            where = f"step {number}, {key}: {text}"
            square = _agent_square(key, rows, cols)
            if square is None:
                problem = f"{where}: there is no agent {key!r} on the {rows}x{cols} grid"
            elif square in acted:
                problem = f"{where}: this agent already acted in this step"
            else:
                action = _resolve(state, square, text, rows, cols)
                if isinstance(action, str):
                    problem = f"{where}: {action}"
                else:
                    acted.add(square)
                    _apply(state, square, action)
                    matched += action[1] is None
            if problem:
                break
        if problem:
            break
    ratio = matched / total if total else 1.0
    if problem:
        return Score(ratio, answer, f"{problem}; plan stopped there ({matched}/{total} matched)")
    if matched < total:
        return Score(ratio, answer, f"only {matched} of {total} boxes matched")
    return Score(1.0, answer, "correct")


# -- the task ---------------------------------------------------------------------------------


def question_for(meta: dict[str, Any]) -> str:
    rows, cols = int(meta["rows"]), int(meta["cols"])
    grid = grid_from_meta(meta)
    lines = []
    for square, items in sorted(grid.items()):
        listed = ", ".join(sorted(items.elements())) or "nothing"
        lines.append(f"square{square_name(square)}: {listed}")
    contents = "\n".join(lines)
    return (
        f"A field is a grid of {rows} x {cols} unit squares. Each square is named by its centre, "
        "row first: square[0.5, 0.5] is in row 0, column 0 and square[0.5, 1.5] is its right-hand "
        "neighbour. Every square holds one agent, called by the same coordinates (the agent of "
        "square[0.5, 1.5] is Agent[0.5, 1.5]), and some coloured boxes and targets:\n\n"
        f"{contents}\n\n"
        "An agent can only handle boxes in its own square. Its possible actions are:\n"
        "- move(box_red, square[x, y]): push one red box into a neighbouring square (up, down, "
        "left or right; not diagonally, not off the grid);\n"
        "- move(box_red, target_red): put one red box on a red target in the same square; the "
        "box and the target both disappear.\n"
        "Plan in steps. In each step every agent does at most one action; the actions of a step "
        "are carried out one after the other in the order you list them. Match every box with a "
        "target of its colour, in as few steps as you can.\n\n"
        "Give the plan as a JSON list with one dict per step, mapping agents to actions, wrapped "
        'in triple angle brackets, like <<<[{"Agent[0.5, 0.5]": "move(box_red, square[0.5, 1.5])"'
        ', "Agent[1.5, 0.5]": "move(box_blue, target_blue)"}, {"Agent[0.5, 1.5]": '
        '"move(box_red, target_red)"}]>>>.'
    )


class BoxNet(Task[BoxNetKnobs]):
    name = "boxnet"
    title = "BoxNet"
    split = Split.SEEN
    aliases = ("boxnet1", "box net")
    answer_format = (
        'a JSON list of steps, e.g. <<<[{"Agent[0.5, 0.5]": "move(box_red, target_red)"}]>>>'
    )
    levels = LEVELS
    default_levels = (2, 3, 4)
    original_sources = (
        OriginalSource("BoxNet1_dataset/env_pg_state_*/pg_state*", "dir"),
        OriginalSource("BoxNet1_dataset_SFT/env_pg_state_*/pg_state*", "dir", "sft"),
    )

    def _generate(self, rng: random.Random, knobs: BoxNetKnobs) -> Item:
        rows, cols = rng.choice(knobs.grids)
        squares: dict[str, list[str]] = {
            square_key((r, c)): [] for r in range(rows) for c in range(cols)
        }
        keys = list(squares)
        for colour in knobs.colours:
            for _ in range(rng.randint(knobs.min_boxes, knobs.max_boxes)):
                squares[rng.choice(keys)].append(f"box_{colour}")
                squares[rng.choice(keys)].append(f"target_{colour}")
        return self._item({"rows": rows, "cols": cols, "squares": squares})

    def _item(self, meta: dict[str, Any]) -> Item:
        return Item(
            task=self.name,
            id="",
            question=question_for(meta),
            answer=render_plan(plan_steps(grid_from_meta(meta))),
            meta=meta,
        )

    def check(self, answer: str, item: Item) -> Score:
        steps = parse_steps(strip_quotes(answer))
        if isinstance(steps, str):
            return Score(0.0, None, steps)
        return simulate(item.meta, steps)

    def parse_original(self, raw: RawInstance) -> Item | None:
        name = next((n for n in raw.data if n.endswith(".json")), None)
        if name is None:
            return None
        squares = json.loads(raw.data[name])
        centres = [tuple(float(v) for v in key.split("_")) for key in squares]
        rows = int(max(x for x, _ in centres) + 0.5)
        cols = int(max(y for _, y in centres) + 0.5)
        meta = {"rows": rows, "cols": cols, "squares": {k: list(v) for k, v in squares.items()}}
        if sorted(squares) != sorted(square_key((r, c)) for r in range(rows) for c in range(cols)):
            raise ValueError(f"squares do not form a {rows}x{cols} grid")
        colours = {_colour_of(item) for items in squares.values() for item in items}
        return self.as_original(
            raw,
            self._item(meta),
            original_answer=None,
            complexity=_level_of(rows, cols, len(colours), raw.path),
        )


def _level_of(rows: int, cols: int, colours: int, path: str) -> int | None:
    if "_SFT" in path:
        return 1
    for level, knobs in LEVELS.items():
        if level > 1 and knobs.grids == ((rows, cols),) and len(knobs.colours) == colours:
            return level
    return None


TASK = BoxNet()

"""Path Plan (seen): a waypoint trajectory through a walled square, entering some coloured boxes
and avoiding others.

The arena is the open square ``(-L, L)^2`` (``L = 1.4`` in the original) enclosed by four black
walls 0.1 thick. Boxes are closed axis-aligned rectangles ``(x_start, x_end, y_start, y_end)``.
The trajectory is the polyline through the waypoints. Semantics we check (a validator; any
valid trajectory passes):

- at least two waypoints; the first equals the start and the last the end (within ``1e-6``);
- no segment touches or crosses a wall: every waypoint lies strictly inside the arena (the
  arena is convex, so then every segment does too);
- for every "must" colour some segment shares a point with that box (touching the boundary
  counts as entering, as the question says); visiting order is free, as in the original;
- no segment shares any point with a "must not" box.

Segment/box intersection is exact: the waypoints are read as exact decimals and tested against
the closed rectangles with integer arithmetic (separating axes), so touching a corner, running
along an edge, and segments lying wholly inside a box all count.

Answer: ``[(x0, y0), (x1, y1), ...]``; lists or tuples, any spacing, an optional label such as
``Waypoints =``, arrows between points, a fenced block. Never evaluated as code.

Instances. The original runner hard-codes 14 environments and 10 instructions (no files on disk,
so ``original_sources`` is empty); ``builtin_originals`` gives the 140 (environment,
instruction) pairs (ids ``original/path_plan/environment_E/instruction_I``), and level 1, the
default, draws one of them per item. All 140 are solvable; our reference paths for them are
stored in ``_path_plan_answers`` (a test checks the solver still finds exactly those), so
drawing them costs nothing. Higher levels draw new environments: random non-overlapping boxes
(at least 0.1 apart) inside the walls, start and end at least 0.1 away from every box, and random
must / must-not colour sets; an instance is kept only when our solver finds a path, so every
item has a reference answer. The solver searches a 0.05 lattice (every box edge lies on it),
visiting the inside of the must boxes nearest first, then straightens the path with exact
segment tests. Quirks of the original environments, kept as they are: in environments 1, 2
and 4 the red box shares part of its top edge with the blue box (a path that must avoid blue
has to enter red elsewhere), and in environments 9-13 the blue box reaches the right wall.

Defects of the original checker (``check_trajectory``) that we fix:

- segment/edge intersection used the strict orientation test, so only proper crossings of a
  box edge counted: touching a box, running along an edge or a segment lying wholly inside a box
  (e.g. a waypoint inside a must box) went undetected, for must and must-not boxes and walls;
- start and end were compared with exact Python equality, so ``[-1.3, -1.3]`` (a list) or
  ``-1.30000001`` failed;
- in the final evaluation the instruction index was overwritten by the code-block loop
  variable, so answers with code were checked against instruction 0 (usually) instead of the
  asked one; we always check the item's own instruction.
"""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from codesteer.symbench._parse import MAX_ANSWER_CHARS, strip_quotes
from codesteer.symbench._task import Knobs, Task
from codesteer.symbench._types import Item, Score, Split
from codesteer.symbench.tasks._path_geometry import (
    LATTICE,
    Rect,
    segment_hits_rect,
    solve_path,
)
from codesteer.symbench.tasks._path_plan_answers import ORIGINAL_PATHS

#: Answers with more waypoints than this are rejected before they are checked.
MAX_WAYPOINTS = 5_000
#: First and last waypoints may be off the start and end by 1 / this (1e-6).
START_END_TOLERANCE_INVERSE = 10**6
WALL_THICKNESS_LATTICE = 2  # 0.1
PALETTE = (
    "yellow", "red", "green", "blue", "pink", "purple", "orange", "brown",
    "cyan", "gray", "olive", "teal", "navy", "maroon", "lime", "gold",
)  # fmt: skip

Coords = tuple[float, float, float, float]
Environment = tuple[dict[str, Coords], tuple[float, float], tuple[float, float]]

# -- the original instances -------------------------------------------------------------------

_E1: dict[str, Coords] = {
    "yellow": (-1, -0.7, -0.25, 0.5),
    "red": (0, 0.9, -1, -0.5),
    "green": (0.2, 0.7, 0.8, 1.2),
    "blue": (-0.5, 0.5, -0.5, 0.5),
    "pink": (-1.2, 0.0, 0.6, 0.9),
    "purple": (-1.0, -0.5, -1.3, -0.9),
    "orange": (0.6, 1.2, -0.5, 0.5),
}
_E5: dict[str, Coords] = {
    "red": (-1, -0.7, -0.25, 0.5),
    "yellow": (0, 0.9, -1.3, -0.8),
    "green": (0.2, 0.7, 0.8, 1.2),
    "blue": (-0.3, 0.3, -0.3, 0.3),
    "orange": (-1.2, 0.0, 0.6, 0.9),
    "purple": (-1.0, -0.5, -1.3, -0.7),
    "pink": (0.6, 1.2, -0.5, 0.5),
}
_E6: dict[str, Coords] = {
    **_E5,
    "yellow": (0, 0.9, -1.3, -0.6),
    "green": (0.1, 0.9, 0.7, 1.4),
    "purple": (-1.0, -0.25, -1.3, -0.5),
}
_E7: dict[str, Coords] = {
    "pink": (-1, -0.7, -0.25, 0.5),
    "purple": (0, 0.9, -1.3, -0.6),
    "green": (0.1, 0.9, 0.7, 1.2),
    "blue": (-0.3, 0.3, -0.3, 0.3),
    "orange": (-1.2, 0.0, 0.6, 1.4),
    "yellow": (-1.0, -0.25, -1.3, -0.5),
    "red": (0.6, 1.2, -0.5, 0.5),
}
_E8: dict[str, Coords] = {
    "pink": (-1.3, -0.9, -0.25, 0.5),
    "purple": (0, 0.9, -1.3, -0.7),
    "green": (0.1, 0.9, 0.7, 1.2),
    "blue": (-0.55, 0.55, -0.55, 0.55),
    "orange": (-1.2, 0.0, 0.7, 1.3),
    "yellow": (-1.0, -0.25, -1.3, -0.7),
    "red": (0.7, 1.2, -0.5, 0.5),
}
_E9: dict[str, Coords] = {
    "pink": (-1.3, -0.9, -0.25, 0.5),
    "purple": (-0.3, 0.6, -1.3, -0.7),
    "green": (0.1, 0.9, 0.7, 1.2),
    "blue": (-0.55, 1.4, -0.3, 0.5),
    "orange": (-1.2, 0.0, 0.7, 1.3),
    "yellow": (-1.3, -0.4, -1.3, -0.7),
    "red": (0.7, 1.2, -1.2, -0.5),
}
_E11: dict[str, Coords] = {
    "green": (-1.3, -0.8, -0.25, 0.5),
    "purple": (-0.3, 0.6, -1.1, -0.5),
    "pink": (0.1, 0.9, 0.7, 1.2),
    "blue": (-0.55, 1.4, -0.3, 0.5),
    "orange": (-1.2, 0.0, 0.7, 1.3),
    "yellow": (-1.3, -0.4, -1.1, -0.5),
    "red": (0.7, 1.2, -1.2, -0.7),
}
#: The 14 environments of the original runner: boxes, start, end.
ORIGINAL_ENVIRONMENTS: tuple[Environment, ...] = (
    (_E1, (-1.3, -1.3), (1.3, 1.3)),
    (_E1, (1.3, -1.3), (1.3, 1.3)),
    ({**_E1, "blue": (-0.2, 0.2, -0.2, 0.2)}, (-1.3, -1.3), (1.3, 1.3)),
    (_E1, (-1.3, 1.3), (1.3, 1.3)),
    (_E5, (1.3, -1.3), (1.3, 1.3)),
    (_E6, (1.3, -1.3), (1.3, 1.3)),
    (_E7, (1.1, 1.3), (-1.3, 1.1)),
    (_E8, (1.3, 1.3), (-1.3, -1.3)),
    (_E9, (1.35, 1.35), (-1.35, -1.35)),
    (_E9, (-1.35, 1.35), (1.35, -1.35)),
    (_E11, (1.35, -1.35), (-1.35, 1.35)),
    (_E11, (1.2, 0.9), (-1.35, -1.35)),
    (_E11, (-0.7, 0.0), (1.3, -0.5)),
    (_E8, (-0.7, 0.0), (-1.3, -1.3)),
)
_OTHERS_THAN_BLUE = ("red", "green", "yellow", "pink", "purple", "orange")
#: The 10 instructions (the same for every environment): must enter, must not enter, and the
#: original wording (kept in the item's meta for reference).
ORIGINAL_INSTRUCTIONS: tuple[tuple[tuple[str, ...], tuple[str, ...], str], ...] = (
    (("green", "yellow"), (), "Navigate into the green room and go to the yellow room."),
    (
        ("yellow", "purple", "red", "green"),
        (),
        "Navigate into the yellow room, go to the purple room, and to the red room, and to the "
        "green room.",
    ),
    (
        ("yellow", "purple", "red", "green"),
        ("blue",),
        "Navigate into the yellow room, go to the purple room, and to the red room, and to the "
        "green room. Remember do not enter the blue area all the time.",
    ),
    (("green", "yellow"), (), "Navigate into the green room and go to the yellow room."),
    (
        ("blue",),
        _OTHERS_THAN_BLUE,
        "Visit blue region during your trajectory, but never enter all the other colored boxes.",
    ),
    (
        ("green", "yellow"),
        ("pink",),
        "Navigate into the green room and go to the yellow room. Remember do not enter the pink "
        "area all the time.",
    ),
    (
        ("yellow", "orange"),
        ("blue", "purple", "red"),
        "Navigate into the yellow room and go to the orange room. Remember do not enter the "
        "blue, purple, and red areas all the time.",
    ),
    (
        ("green", "yellow", "red"),
        ("blue",),
        "Navigate into the green room and go to the yellow room and go to the red room. "
        "Remember do not enter the blue area all the time.",
    ),
    (
        ("purple", "orange", "pink"),
        ("blue", "red", "green", "yellow"),
        "Visit purple, orange, and pink areas, but remember never enter all the other colored "
        "areas.",
    ),
    (
        ("yellow", "red", "green"),
        ("blue",),
        "At some point go to the yellow box, and at some point go to the red box, and enter the "
        "green box, and always do not enter the blue area.",
    ),
)
ORIGINAL_PAIRS = len(ORIGINAL_ENVIRONMENTS) * len(ORIGINAL_INSTRUCTIONS)
ORIGINAL_HALF_SIZE = 1.4


@dataclass(frozen=True)
class PathPlanKnobs(Knobs):
    #: draw one of the 140 original (environment, instruction) pairs; the rest is then unused
    original: bool = False
    num_boxes: int = 7
    num_must: int = 2
    num_avoid: int = 1
    #: the arena is the open square (-half_size, half_size)^2
    half_size: float = ORIGINAL_HALF_SIZE
    #: box sides are drawn from min_side..max_side in steps of 0.1
    min_side: float = 0.2
    max_side: float = 0.8

    def validate(self) -> None:
        if self.original:
            return
        if not 1 <= self.num_boxes <= len(PALETTE):
            raise ValueError(f"need 1 <= num_boxes <= {len(PALETTE)}")
        if (
            self.num_must < 1
            or self.num_avoid < 0
            or self.num_must + self.num_avoid > self.num_boxes
        ):
            raise ValueError(
                "need num_must >= 1, num_avoid >= 0, num_must + num_avoid <= num_boxes"
            )
        if not 1.0 <= self.half_size <= 5.0 or not _on_grid(self.half_size, 10):
            raise ValueError("half_size must be a multiple of 0.1 within 1..5")
        if not 0.1 <= self.min_side <= self.max_side <= self.half_size:
            raise ValueError("need 0.1 <= min_side <= max_side <= half_size")
        if not (_on_grid(self.min_side, 10) and _on_grid(self.max_side, 10)):
            raise ValueError("box sides must be multiples of 0.1")


def _on_grid(value: float, per_unit: int) -> bool:
    return (Fraction(str(value)) * per_unit).denominator == 1


LEVELS: dict[int, PathPlanKnobs] = {
    1: PathPlanKnobs(original=True),  # the original 14 x 10 pairs
    2: PathPlanKnobs(num_boxes=5, num_must=2, num_avoid=1),
    3: PathPlanKnobs(num_boxes=7, num_must=3, num_avoid=2),
    4: PathPlanKnobs(num_boxes=9, num_must=3, num_avoid=4, half_size=1.9),
    5: PathPlanKnobs(num_boxes=12, num_must=4, num_avoid=6, half_size=2.4),
    6: PathPlanKnobs(num_boxes=16, num_must=5, num_avoid=9, half_size=2.9, max_side=1.0),
}


# -- numbers ----------------------------------------------------------------------------------

#: An exact decimal ``value / 10**decimals`` (integers keep the geometry exact and fast).
Decimal = tuple[int, int]


def _decimal(token: str) -> Decimal:
    """Read a decimal token such as ``-1.35``, ``.5``, ``2.``, ``1e-3`` exactly."""
    mantissa, _, exponent = token.lower().partition("e")
    whole, _, fraction = mantissa.lstrip("+-").partition(".")
    value = int((whole or "0") + fraction)
    if mantissa.startswith("-"):
        value = -value
    decimals = len(fraction) - int(exponent or "0")
    if decimals < 0:
        return value * 10**-decimals, 0
    return value, decimals


def _number(value: Any) -> Decimal:
    """The exact decimal a JSON number stands for (floats by their shortest ``repr``)."""
    return _decimal(repr(float(value)) if isinstance(value, float) else str(value))


def _scaled(number: Decimal, decimals: int) -> int:
    """``number`` as an integer count of ``10**-decimals`` (``decimals`` >= its own)."""
    factor: int = 10 ** (decimals - number[1])
    return number[0] * factor


def _show(number: Decimal) -> str:
    """``-1.35``, ``0.5``, ``2``: the shortest form of an exact decimal."""
    value, decimals = number
    if decimals == 0:
        return str(value)
    sign = "-" if value < 0 else ""
    digits = str(abs(value)).rjust(decimals + 1, "0")
    whole, fraction = digits[:-decimals], digits[-decimals:].rstrip("0")
    return f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}"


def _show_point(x: Decimal, y: Decimal) -> str:
    return f"({_show(x)}, {_show(y)})"


def _show_rect(coords: list[Any]) -> str:
    return "(" + ", ".join(_show(_number(v)) for v in coords) + ")"


# -- the reference solution -------------------------------------------------------------------


def _lattice(value: Any) -> int:
    """A meta coordinate in lattice units (all our instances lie on the 0.05 lattice)."""
    units, rest = divmod(_scaled(_number(value), 2), 100 // LATTICE)
    if rest:
        raise ValueError(f"{value} is not a multiple of 1/{LATTICE}")
    return units


def reference_path(meta: dict[str, Any]) -> list[tuple[int, int]] | None:
    """Our solver's waypoints (lattice units) for the instance in ``meta``, or ``None``."""

    def rect(colour: str) -> Rect:
        x0, x1, y0, y1 = (_lattice(v) for v in meta["boxes"][colour])
        return x0, x1, y0, y1

    return solve_path(
        _lattice(meta["half_size"]),
        [rect(c) for c in meta["avoid"]],
        [rect(c) for c in meta["must"]],
        (_lattice(meta["start"][0]), _lattice(meta["start"][1])),
        (_lattice(meta["end"][0]), _lattice(meta["end"][1])),
    )


def lattice_tokens(path: list[tuple[int, int]]) -> list[str]:
    """The coordinates ``x0, y0, x1, y1, ...`` of a lattice path as decimal strings."""
    return [_show((u * (100 // LATTICE), 2)) for point in path for u in point]


def render_tokens(tokens: list[str]) -> str:
    pairs = (f"({x}, {y})" for x, y in zip(tokens[::2], tokens[1::2], strict=True))
    return "[" + ", ".join(pairs) + "]"


# -- parsing and checking ---------------------------------------------------------------------

_NUMBER = r"[+-]?(?:\d{1,6}(?:\.\d{0,15})?|\.\d{1,15})(?:[eE][+-]?\d{1,2})?"
_PAIR = re.compile(rf"[(\[]\s*({_NUMBER})\s*[,;]?\s*({_NUMBER})\s*[)\]]")
_LEFTOVER = re.compile(r"\s*(?:[a-z_ ]+\s*[:=]\s*)?[\s\[\](),;\->→]*", re.IGNORECASE)
_FENCE = re.compile(r"^```[a-z]*\s*|\s*```$", re.IGNORECASE)


def parse_waypoints(text: str) -> list[tuple[Decimal, Decimal]] | str:
    """The waypoints in ``text`` as exact decimals, or why they cannot be read."""
    if len(text) > MAX_ANSWER_CHARS:
        return "answer too long"
    body = strip_quotes(_FENCE.sub("", text.strip()))
    pairs = _PAIR.findall(body)
    if not pairs:
        return "no (x, y) waypoints found"
    if len(pairs) > MAX_WAYPOINTS:
        return f"more than {MAX_WAYPOINTS} waypoints"
    if not _LEFTOVER.fullmatch(_PAIR.sub(",", body)):
        return "unexpected text around the waypoints; give a list like [(x0, y0), (x1, y1)]"
    return [(_decimal(x), _decimal(y)) for x, y in pairs]


def check_path(meta: dict[str, Any], path: list[tuple[Decimal, Decimal]]) -> Score:
    """Validate ``path`` against the instance in ``meta`` (see the module docstring)."""
    answer = "[" + ", ".join(_show_point(x, y) for x, y in path) + "]"
    if len(path) < 2:
        return Score(0.0, answer, "a trajectory needs at least two waypoints")
    boxes = {c: [_number(v) for v in coords] for c, coords in meta["boxes"].items()}
    start = (_number(meta["start"][0]), _number(meta["start"][1]))
    end = (_number(meta["end"][0]), _number(meta["end"][1]))
    half = _number(meta["half_size"])
    everything = [*(v for p in path for v in p), *start, *end, half]
    decimals = max(max(n[1] for n in everything), max(n[1] for r in boxes.values() for n in r))
    points = [(_scaled(x, decimals), _scaled(y, decimals)) for x, y in path]

    for label, k, wanted in (("first", 0, start), ("last", -1, end)):
        gap = max(abs(points[k][0] - _scaled(wanted[0], decimals)),
                  abs(points[k][1] - _scaled(wanted[1], decimals)))  # fmt: skip
        if gap * START_END_TOLERANCE_INVERSE > 10**decimals:
            place = "start" if label == "first" else "end"
            return Score(
                0.0,
                answer,
                f"the {label} waypoint {_show_point(*path[k])} is not the {place} "
                f"{_show_point(*wanted)}",
            )
    limit = _scaled(half, decimals)
    for number, (x, y) in enumerate(points, start=1):
        if not (-limit < x < limit and -limit < y < limit):
            where = _show_point(*path[number - 1])
            return Score(0.0, answer, f"waypoint {number} {where} touches or crosses a wall")

    def first_hit(colour: str) -> int | None:
        """The first segment (1-based) entering the ``colour`` box, if any."""
        x0, x1, y0, y1 = (_scaled(v, decimals) for v in boxes[colour])
        for number, (p, q) in enumerate(itertools.pairwise(points), start=1):
            if segment_hits_rect(p, q, (x0, x1, y0, y1)):
                return number
        return None

    for colour in meta["avoid"]:
        segment = first_hit(colour)
        if segment is not None:
            p, q = _show_point(*path[segment - 1]), _show_point(*path[segment])
            return Score(
                0.0,
                answer,
                f"segment {segment} from {p} to {q} enters the {colour} box "
                f"{_show_rect(meta['boxes'][colour])}, which must be avoided",
            )
    for colour in meta["must"]:
        if first_hit(colour) is None:
            box = _show_rect(meta["boxes"][colour])
            return Score(0.0, answer, f"the trajectory never enters the {colour} box {box}")
    return Score(1.0, answer, "correct")


# -- questions --------------------------------------------------------------------------------


def _colour_list(colours: list[str]) -> str:
    if len(colours) <= 1:
        return "".join(colours)
    return ", ".join(colours[:-1]) + " and " + colours[-1]


def instruction_text(must: list[str], avoid: list[str]) -> str:
    visit = f"Enter the {_colour_list(must)} box{'es' if len(must) > 1 else ''}"
    order = " (in any order)" if len(must) > 1 else ""
    if not avoid:
        return f"{visit}{order}."
    return (
        f"{visit}{order}, and never enter the {_colour_list(avoid)} "
        f"box{'es' if len(avoid) > 1 else ''}."
    )


def question_for(meta: dict[str, Any]) -> str:
    inner = _lattice(meta["half_size"])
    outer = inner + WALL_THICKNESS_LATTICE
    walls = [
        (-outer, -inner, -outer, outer),
        (inner, outer, -outer, outer),
        (-outer, outer, -outer, -inner),
        (-outer, outer, inner, outer),
    ]
    wall_text = ", ".join(
        "(" + ", ".join(lattice_tokens([(x0, x1), (y0, y1)])) + ")" for x0, x1, y0, y1 in walls
    )
    boxes = "\n".join(
        f"- {colour}: {_show_rect(coords)}" for colour, coords in meta["boxes"].items()
    )
    half = _show(_number(meta["half_size"]))
    start = _show_point(*(_number(v) for v in meta["start"]))
    end = _show_point(*(_number(v) for v in meta["end"]))
    return (
        "Plan the trajectory of a mobile robot in a walled square room. Every rectangle below "
        "is given as (x_start, x_end, y_start, y_end): it spans x_start <= x <= x_end and "
        "y_start <= y <= y_end.\n\n"
        f"Four black walls enclose the room: {wall_text}. The robot may move only inside the "
        f"open square -{half} < x < {half}, -{half} < y < {half}; the trajectory must never "
        "touch a wall.\n\n"
        f"Coloured boxes:\n{boxes}\n\n"
        f"The robot starts at {start} and must stop at {end}.\n"
        f"Instruction: {instruction_text(meta['must'], meta['avoid'])} "
        "Boxes the instruction does not mention may be crossed freely.\n\n"
        "The trajectory is the chain of straight segments joining consecutive waypoints, and "
        "these segments must obey the instruction too. Entering a box means sharing at least one "
        "point with it, its boundary included: a segment that only touches the edge of a box to "
        "avoid is not allowed, and touching the edge of a box to visit is enough.\n\n"
        "Give the waypoints as a list [(x0, y0), (x1, y1), ...] whose first point is the start "
        "and last point the end, wrapped in triple angle brackets, like "
        f"<<<[{start}, (x1, y1), ..., {end}]>>>."
    )


# -- the task ---------------------------------------------------------------------------------


def original_meta(pair: int) -> dict[str, Any]:
    """The instance of original pair ``pair`` (0..139, environment-major)."""
    environment, instruction = divmod(pair, len(ORIGINAL_INSTRUCTIONS))
    boxes, start, end = ORIGINAL_ENVIRONMENTS[environment]
    must, avoid, text = ORIGINAL_INSTRUCTIONS[instruction]
    return {
        "half_size": ORIGINAL_HALF_SIZE,
        "boxes": {colour: list(coords) for colour, coords in boxes.items()},
        "start": list(start),
        "end": list(end),
        "must": list(must),
        "avoid": list(avoid),
        "environment": environment + 1,
        "instruction": instruction,
        "original_instruction": text,
    }


class PathPlan(Task[PathPlanKnobs]):
    name = "path_plan"
    title = "Path Plan"
    split = Split.SEEN
    aliases = ("path plan", "path_plan_continuous", "path planning")
    answer_format = (
        "a waypoint list from start to end, e.g. <<<[(-1.3, -1.3), (0, 0.6), (1.3, 1.3)]>>>"
    )
    levels = LEVELS
    default_levels = (1,)

    def _generate(self, rng: random.Random, knobs: PathPlanKnobs) -> Item:
        if knobs.original:
            return self.original_item(rng.randrange(ORIGINAL_PAIRS))
        for _ in range(200):
            meta = _random_instance(rng, knobs)
            if meta is None:
                continue
            path = reference_path(meta)
            if path is not None:
                answer = render_tokens(lattice_tokens(path))
                return Item(self.name, "", question_for(meta), answer, meta)
        raise ValueError("could not draw a solvable environment; use fewer or smaller boxes")

    def original_item(self, pair: int) -> Item:
        """Original (environment, instruction) pair ``pair`` (0..139, environment-major)."""
        meta = original_meta(pair)
        where = f"environment_{meta['environment']}/instruction_{meta['instruction']}"
        return Item(
            task=self.name,
            id=f"original/path_plan/{where}",
            question=question_for(meta),
            answer=render_tokens(ORIGINAL_PATHS[pair].split()),
            meta=meta,
            complexity=1,
            source=f"original:run_path_plan/{where}",
        )

    def check(self, answer: str, item: Item) -> Score:
        path = parse_waypoints(answer)
        if isinstance(path, str):
            return Score(0.0, None, path)
        return check_path(item.meta, path)

    def builtin_originals(self) -> list[Item]:
        """The 140 original (environment, instruction) pairs, environment-major."""
        return [self.original_item(pair) for pair in range(ORIGINAL_PAIRS)]


# -- random environments ----------------------------------------------------------------------


def _random_instance(rng: random.Random, knobs: PathPlanKnobs) -> dict[str, Any] | None:
    """Boxes, start, end and instruction on the 0.1 / 0.05 grids, or ``None`` on a bad draw."""
    tenths = _lattice(knobs.half_size) // 2
    sides = range(_lattice(knobs.min_side) // 2, _lattice(knobs.max_side) // 2 + 1)
    placed: list[tuple[int, int, int, int]] = []  # in tenths
    for _ in range(knobs.num_boxes):
        for _ in range(100):
            w, h = rng.choice(sides), rng.choice(sides)
            if w > 2 * tenths - 2 or h > 2 * tenths - 2:
                continue
            x0 = rng.randint(-tenths + 1, tenths - 1 - w)
            y0 = rng.randint(-tenths + 1, tenths - 1 - h)
            box = (x0, x0 + w, y0, y0 + h)
            if all(_apart(box, other) for other in placed):
                placed.append(box)
                break
        else:
            return None
    colours = rng.sample(PALETTE, knobs.num_boxes)
    boxes = {c: [v / 10 for v in box] for c, box in zip(colours, placed, strict=True)}
    start, end = _free_point(rng, tenths, placed), _free_point(rng, tenths, placed)
    if start is None or end is None:
        return None
    if abs(start[0] - end[0]) + abs(start[1] - end[1]) < 2 * tenths:  # in 0.05 units: far apart
        return None
    chosen = rng.sample(colours, knobs.num_must + knobs.num_avoid)
    return {
        "half_size": knobs.half_size,
        "boxes": boxes,
        "start": [v / LATTICE for v in start],
        "end": [v / LATTICE for v in end],
        "must": chosen[: knobs.num_must],
        "avoid": chosen[knobs.num_must :],
    }


def _apart(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    """At least 0.1 (one tenth) of free space between the two boxes, in x or in y."""
    return a[1] < b[0] or b[1] < a[0] or a[3] < b[2] or b[3] < a[2]


def _free_point(
    rng: random.Random, tenths: int, boxes: list[tuple[int, int, int, int]]
) -> tuple[int, int] | None:
    """A 0.05-lattice point inside the arena and at least 0.05 away from every box."""
    reach = tenths * 2 - 1
    for _ in range(200):
        u, v = rng.randint(-reach, reach), rng.randint(-reach, reach)
        if all(
            not (2 * x0 - 1 <= u <= 2 * x1 + 1 and 2 * y0 - 1 <= v <= 2 * y1 + 1)
            for x0, x1, y0, y1 in boxes
        ):
            return u, v
    return None


TASK = PathPlan()

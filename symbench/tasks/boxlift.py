"""BoxLift (seen): assign lifters to boxes, step by step, within a step budget.

Rules: boxes have integer weights, lifters integer capacities. In each step every lifter may
take part in lifting at most one box; several lifters may combine on one box, whose weight must
not exceed their summed capacity. A lifted box is gone. All boxes must be lifted in at most
``max_steps`` steps, where ``max_steps`` is what the original's greedy ``estimate_steps``
needs (boxes heaviest first; each step, walk the boxes and lift each one whose weight the still
free lifters can carry, taking free lifters in list order until their sum reaches the weight).
Our reference answer is that greedy plan itself, so it always fits the budget.

Answer: one line per step, ``Step k: [(weight, [lifter indices]), ...]`` with 0-based lifter
indices. Parsing is lenient (case of ``Step``, spacing, tuples or lists, a bare index instead of
a one-element list, ``50.0`` for ``50``; text before the first step is ignored) and never uses
``eval`` (each step's list is read with ``ast.literal_eval``, which builds literals only).

Scoring (partial credit, as the paper's table implies): the plan is executed step by step; it
stops at the first illegal assignment (no box of that weight left, unknown or negative lifter
index, a lifter used twice in a step, too little capacity) or unreadable step. The score is the
**lifted-weight ratio**: the summed weight of the boxes lifted within the first ``max_steps``
steps divided by the total weight. We use the weight ratio rather than the box ratio (the
original logged both) because it is the one its runner reports first, and because it rewards
lifting the heavy boxes, which is where the difficulty lies. 1.0 = every box lifted, legally,
within the budget.

Differences from the original checker (``verify_solution``):

- illegal assignments were silently skipped and the plan went on; we stop at the first one,
  so a plan with an illegal action can never reach 1.0 (the reason names the action);
- negative lifter indices were accepted (Python indexing); we reject them;
- steps beyond the budget were ignored; we still check them for legality (a legal extra step
  can only be empty, since a complete plan leaves nothing to lift) but count no lifting in them.

The original release stores no solutions (``original_answer`` is ``None``); our greedy plan is
checked instead.
"""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from dataclasses import dataclass

from codesteer.symbench._parse import MAX_ANSWER_CHARS, strip_quotes
from codesteer.symbench._task import Knobs, OriginalSource, RawInstance, Task
from codesteer.symbench._types import Item, Score, Split

#: A plan longer than this many steps is rejected before it is simulated.
MAX_PLAN_STEPS = 10_000
#: Highest score of a plan with an illegal action (even if it lifted everything before it).
FLAWED_PLAN_CAP = 0.99

Assignment = tuple[int, list[int]]
Plan = list[list[Assignment]]


@dataclass(frozen=True)
class BoxLiftKnobs(Knobs):
    num_boxes: int
    num_lifters: int
    min_weight: int
    max_weight: int
    min_capacity: int
    max_capacity: int

    def validate(self) -> None:
        if not 1 <= self.num_boxes <= 1000:
            raise ValueError("need 1 <= num_boxes <= 1000")
        if not 1 <= self.num_lifters <= 100:
            raise ValueError("need 1 <= num_lifters <= 100")
        if not 1 <= self.min_weight <= self.max_weight:
            raise ValueError("need 1 <= min_weight <= max_weight")
        if not 1 <= self.min_capacity <= self.max_capacity:
            raise ValueError("need 1 <= min_capacity <= max_capacity")
        if self.num_lifters * self.max_capacity < self.min_weight:
            raise ValueError("the lifters together can never lift the lightest box")


LEVELS: dict[int, BoxLiftKnobs] = {
    1: BoxLiftKnobs(10, 3, 10, 100, 40, 80),  # test set
    2: BoxLiftKnobs(10, 4, 10, 100, 40, 80),  # SFT set
    3: BoxLiftKnobs(15, 4, 20, 200, 30, 120),  # test set
    4: BoxLiftKnobs(15, 5, 20, 200, 30, 120),  # SFT set
    5: BoxLiftKnobs(16, 5, 20, 200, 30, 120),  # SFT set
    6: BoxLiftKnobs(20, 5, 30, 300, 40, 160),  # test set
    7: BoxLiftKnobs(20, 6, 30, 300, 40, 160),  # SFT set
    8: BoxLiftKnobs(21, 6, 30, 300, 40, 160),  # SFT set
    9: BoxLiftKnobs(25, 6, 40, 400, 50, 200),  # test set
    10: BoxLiftKnobs(25, 7, 40, 400, 50, 200),  # SFT set
    11: BoxLiftKnobs(40, 8, 50, 500, 50, 250),
    12: BoxLiftKnobs(60, 10, 50, 800, 60, 300),
    13: BoxLiftKnobs(100, 12, 100, 1000, 80, 400),
}


def greedy_plan(boxes: list[int], lifters: list[int]) -> Plan:
    """The original's ``estimate_steps`` greedy, recording which lifters lift which box.

    Every box must be liftable by all lifters together (the generator ensures it), otherwise
    the greedy would never finish.
    """
    if boxes and max(boxes) > sum(lifters):
        raise ValueError("a box is heavier than all lifters together")
    remaining = sorted(boxes, reverse=True)
    plan: Plan = []
    while remaining:
        free = list(range(len(lifters)))
        step: list[Assignment] = []
        i = 0
        while i < len(remaining) and free:
            box = remaining[i]
            if sum(lifters[j] for j in free) < box:
                i += 1
                continue
            used: list[int] = []
            strength = 0
            for j in free:
                used.append(j)
                strength += lifters[j]
                if strength >= box:
                    break
            free = [j for j in free if j not in used]
            step.append((box, used))
            remaining.pop(i)
        plan.append(step)
    return plan


def render_plan(plan: Plan) -> str:
    lines = []
    for number, step in enumerate(plan, start=1):
        pairs = ", ".join(f"({weight}, {sorted(used)})" for weight, used in step)
        lines.append(f"Step {number}: [{pairs}]")
    return "\n".join(lines)


def question_for(boxes: list[int], lifters: list[int], max_steps: int) -> str:
    return (
        "Some boxes must be lifted by a team of lifters.\n\n"
        f"Box weights: {boxes}\n"
        f"Lifter capacities (lifter 0 first): {lifters}\n\n"
        "Rules:\n"
        "- The work happens in steps. In one step several boxes can be lifted at once.\n"
        "- Within a step each lifter can help lift at most one box.\n"
        "- Several lifters can team up on one box; a box can be lifted when its weight is at "
        "most the sum of the capacities of the lifters assigned to it.\n"
        "- A lifted box is done and disappears.\n"
        f"- Every box must be lifted within at most {max_steps} steps (fewer is better).\n\n"
        "Write one line per step: `Step k: [(box weight, [lifter indices]), ...]`, with lifter "
        "indices counted from 0. For example `Step 1: [(50, [0, 2]), (30, [1])]` means that in "
        "step 1 lifters 0 and 2 lift a box of weight 50 and lifter 1 lifts a box of weight 30.\n"
        "Give the whole plan wrapped in triple angle brackets, like "
        "<<<Step 1: [(50, [0, 2]), (30, [1])]\nStep 2: [(40, [0])]>>>."
    )


_STEP_MARK = re.compile(r"step\s*\d*\s*[:.)\-]", re.IGNORECASE)


def parse_plan(text: str) -> Plan | str:
    """The plan in ``text``, or a reason why it cannot be read."""
    if len(text) > MAX_ANSWER_CHARS:
        return "answer too long"
    chunks = _STEP_MARK.split(text)
    if len(chunks) < 2:
        return "no `Step k:` lines found"
    if len(chunks) - 1 > MAX_PLAN_STEPS:
        return f"more than {MAX_PLAN_STEPS} steps"
    plan: Plan = []
    for number, chunk in enumerate(chunks[1:], start=1):
        step = _parse_step(chunk)
        if step is None:
            return f"cannot read step {number}: {chunk.strip()[:80]!r}"
        plan.append(step)
    return plan


_NUMBER = r"[+-]?\d{1,15}(?:\.0*)?"  # bounded: int() of a huge token is slow
_PAIR = re.compile(rf"[(\[]\s*({_NUMBER})\s*,\s*(?:[\[(]([^\[\]()]*)[\])]|({_NUMBER}))\s*[)\]]")
_STEP_SHAPE = re.compile(r"[\[(]?\s*(?:#(?:\s*,?\s*#)*\s*,?)?\s*[\])]?")
_INDEX_SEPARATOR = re.compile(r"[\s,]+")


def _parse_step(chunk: str) -> list[Assignment] | None:
    """Read ``[(50, [0, 2]), (30, [1])]`` (tuples or lists, a bare index allowed)."""
    body = chunk.strip().rstrip(",;").strip()
    if body.lower() in ("", "none", "nothing"):
        return []
    step: list[Assignment] = []
    for match in _PAIR.finditer(body):
        weight, indices, single = match.groups()
        tokens = [t for t in _INDEX_SEPARATOR.split(indices if single is None else single) if t]
        if not all(re.fullmatch(_NUMBER, t) for t in tokens):
            return None
        step.append((_to_int(weight), [_to_int(t) for t in tokens]))
    if not _STEP_SHAPE.fullmatch(_PAIR.sub("#", body)):
        return None
    return step


def _to_int(token: str) -> int:
    return int(token.split(".")[0])


def simulate(boxes: list[int], lifters: list[int], max_steps: int, plan: Plan) -> Score:
    """Execute ``plan``; the score is the weight lifted within the budget over the total."""
    remaining = Counter(boxes)
    total = sum(boxes)
    lifted_in_budget = 0
    last_lifting_step = 0
    problem = ""
    for number, step in enumerate(plan, start=1):
        legal, problem = _check_step(number, step, remaining, lifters)
        for weight, _ in step[:legal]:
            remaining[weight] -= 1
            last_lifting_step = number
            if number <= max_steps:
                lifted_in_budget += weight
        if problem:
            break
    ratio = lifted_in_budget / total if total else 1.0
    answer = render_plan(plan)
    if problem:
        # a plan that lifted everything and then went wrong is still not a correct plan
        return Score(min(ratio, FLAWED_PLAN_CAP), answer, f"{problem}; plan stopped there")
    if last_lifting_step > max_steps:
        return Score(
            ratio,
            answer,
            f"the plan lifts boxes until step {last_lifting_step}, "
            f"but at most {max_steps} steps are allowed",
        )
    left = sorted(remaining.elements())
    if left:
        return Score(ratio, answer, f"{len(left)} box(es) never lifted: {left}")
    return Score(1.0, answer, "correct")


def _check_step(
    number: int, step: list[Assignment], remaining: Counter[int], lifters: list[int]
) -> tuple[int, str]:
    """How many assignments of ``step`` are legal before the first illegal one, and why that
    one is illegal (``""`` when the whole step is legal)."""
    left = Counter(remaining)
    used: set[int] = set()
    for done, (weight, indices) in enumerate(step):
        shown = str(indices) if len(indices) <= 8 else f"[{len(indices)} lifters]"
        where = f"step {number}, ({weight}, {shown})"
        if left[weight] <= 0:
            return done, f"{where}: no box of weight {weight} is left"
        if not indices:
            return done, f"{where}: no lifter assigned"
        bad = [i for i in indices if not 0 <= i < len(lifters)]
        if bad:
            return done, f"{where}: there is no lifter {bad[0]} (lifters are 0..{len(lifters) - 1})"
        if len(set(indices)) < len(indices) or used.intersection(indices):
            return done, f"{where}: a lifter is used twice in this step"
        capacity = sum(lifters[i] for i in indices)
        if capacity < weight:
            return done, f"{where}: capacity {capacity} is less than the weight {weight}"
        used.update(indices)
        left[weight] -= 1
    return len(step), ""


class BoxLift(Task[BoxLiftKnobs]):
    name = "boxlift"
    title = "BoxLift"
    split = Split.SEEN
    aliases = ("box lift", "box_lift")
    answer_format = "one line per step, e.g. <<<Step 1: [(50, [0, 2]), (30, [1])]\\nStep 2: ...>>>"
    levels = LEVELS
    default_levels = (1, 3, 6, 9)
    original_sources = (
        OriginalSource("BoxLift_dataset/BoxLift_*/BoxLift*", "dir"),
        OriginalSource("BoxLift_dataset_SFT/BoxLift_*/BoxLift*", "dir", "sft"),
    )

    def _generate(self, rng: random.Random, knobs: BoxLiftKnobs) -> Item:
        for _ in range(1000):
            boxes = [
                rng.randint(knobs.min_weight, knobs.max_weight) for _ in range(knobs.num_boxes)
            ]
            lifters = [
                rng.randint(knobs.min_capacity, knobs.max_capacity)
                for _ in range(knobs.num_lifters)
            ]
            if max(boxes) <= sum(lifters):  # otherwise some box can never be lifted
                return self._item(boxes, lifters)
        raise ValueError("could not draw liftable boxes; widen the capacity range")

    def _item(self, boxes: list[int], lifters: list[int]) -> Item:
        plan = greedy_plan(boxes, lifters)
        return Item(
            task=self.name,
            id="",
            question=question_for(boxes, lifters, len(plan)),
            answer=render_plan(plan),
            meta={"boxes": boxes, "lifters": lifters, "max_steps": len(plan)},
        )

    def check(self, answer: str, item: Item) -> Score:
        plan = parse_plan(strip_quotes(answer))
        if isinstance(plan, str):
            return Score(0.0, None, plan)
        meta = item.meta
        return simulate(meta["boxes"], meta["lifters"], int(meta["max_steps"]), plan)

    def parse_original(self, raw: RawInstance) -> Item | None:
        name = next((n for n in raw.data if n.endswith(".json")), None)
        if name is None:
            return None
        data = json.loads(raw.data[name])
        boxes = [int(w) for w in data["boxes"]]
        lifters = [int(c) for c in data["lifters"]]
        return self.as_original(
            raw,
            self._item(boxes, lifters),
            original_answer=None,
            complexity=self._level_of(len(boxes), len(lifters)),
        )

    def _level_of(self, num_boxes: int, num_lifters: int) -> int | None:
        for level, knobs in LEVELS.items():
            if (knobs.num_boxes, knobs.num_lifters) == (num_boxes, num_lifters):
                return level
        return None


TASK = BoxLift()

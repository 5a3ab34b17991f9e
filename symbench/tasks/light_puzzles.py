"""Light Puzzles (seen): buttons toggle fixed sets of lights; give the grid after the presses.

Rule: an ``n x n`` grid of lights (1 = on, 0 = off) and some buttons, each controlling a set of
cells given as 1-based (row, column) pairs. Pressing a button flips every light it controls;
the presses are applied in the order listed. The answer is the final grid flattened row by
row, which is unique, so it is compared exactly after parsing. Leniency: any list layout
(commas, spaces, newlines, brackets, quotes, nested rows) and rows written as digit strings
(``0110``) are accepted; exactly ``n^2`` digits, each 0 or 1, are required.

The original's stored solutions were re-simulated on every instance and all agree (buttons
list (row, column), as the question says); no defect is known.
"""

from __future__ import annotations

import json
import random
import re
import string
from dataclasses import dataclass

from codesteer.symbench._task import Knobs, OriginalSource, RawInstance, Task
from codesteer.symbench._types import Item, Score, Split
from codesteer.symbench.tasks._list_answers import flat_tokens

Grid = list[list[int]]
#: button letter -> the 1-based (row, column) cells it toggles
Buttons = dict[str, list[list[int]]]

_BITS = re.compile(r"[01]+")


@dataclass(frozen=True)
class LightPuzzlesKnobs(Knobs):
    n: int
    buttons: int
    presses: int

    def validate(self) -> None:
        if not 2 <= self.n <= 30:
            raise ValueError("need 2 <= n <= 30")
        if not 1 <= self.buttons <= len(string.ascii_uppercase):
            raise ValueError("need 1 to 26 buttons")
        if not 1 <= self.presses <= 1000:
            raise ValueError("need 1 <= presses <= 1000")


def simulate(initial: Grid, buttons: Buttons, presses: list[str]) -> list[int]:
    """The final grid, flattened row by row."""
    grid = [row[:] for row in initial]
    for press in presses:
        for row, col in buttons[press]:
            grid[row - 1][col - 1] ^= 1
    return [light for row in grid for light in row]


def question_for(initial: Grid, buttons: Buttons, presses: list[str]) -> str:
    n = len(initial)
    grid = "\n".join("".join(str(light) for light in row) for row in initial)
    controls = "\n".join(
        f"Button {name} toggles the lights at " + ", ".join(f"({r}, {c})" for r, c in cells)
        for name, cells in buttons.items()
    )
    rounds = "\n".join(f"Press {k}: button {name}" for k, name in enumerate(presses, start=1))
    example = ",".join(["0"] * (n * n))
    return (
        f"A {n} x {n} panel of lights is shown below, one row per line; 1 is a light that is "
        f"on and 0 a light that is off.\n\n{grid}\n\n"
        f"There are {len(buttons)} buttons. Pressing a button toggles (switches on if off, off "
        "if on) every light it controls; several buttons may control the same light. Cells "
        "are written (row, column), counted from 1 at the top-left corner.\n"
        f"{controls}\n\nThe buttons are pressed in this order:\n{rounds}\n\n"
        f"What is the state of the panel after the last press? Write all {n * n} lights row "
        "by row, top row first, as a comma-separated list of 0s and 1s; for example "
        f"<<<{example}>>> means every light is off."
    )


class LightPuzzles(Task[LightPuzzlesKnobs]):
    name = "light_puzzles"
    title = "Light Puzzles"
    split = Split.SEEN
    aliases = ("light puzzle", "lights out", "light_out")
    answer_format = "the final grid row by row as comma-separated 0/1 values, e.g. <<<0,1,1,0>>>"
    levels = {
        # 1-5: the original generator's configurations (n, buttons, presses)
        1: LightPuzzlesKnobs(2, 1, 1),
        2: LightPuzzlesKnobs(3, 2, 2),
        3: LightPuzzlesKnobs(4, 2, 3),
        4: LightPuzzlesKnobs(4, 3, 3),
        5: LightPuzzlesKnobs(5, 3, 4),
        6: LightPuzzlesKnobs(6, 4, 6),
        7: LightPuzzlesKnobs(8, 5, 10),
        8: LightPuzzlesKnobs(10, 6, 15),
        9: LightPuzzlesKnobs(16, 8, 30),
    }
    # the original set: 150 of (5, 3, 4) and 50 spread over the four small configurations
    default_levels = (1, 2, 3, 4, *([5] * 11))
    original_sources = (OriginalSource("light_puzzles_dataset/sample_*", "dir"),)

    def _generate(self, rng: random.Random, knobs: LightPuzzlesKnobs) -> Item:
        n = knobs.n
        initial = [[rng.randint(0, 1) for _ in range(n)] for _ in range(n)]
        cells = [[r, c] for r in range(1, n + 1) for c in range(1, n + 1)]
        most = max(2, n * n // 2)
        buttons = {
            name: rng.sample(cells, rng.randint(2, most))
            for name in string.ascii_uppercase[: knobs.buttons]
        }
        presses = [rng.choice(list(buttons)) for _ in range(knobs.presses)]
        return self._item(initial, buttons, presses)

    def _item(self, initial: Grid, buttons: Buttons, presses: list[str]) -> Item:
        return Item(
            task=self.name,
            id="",
            question=question_for(initial, buttons, presses),
            answer=",".join(str(light) for light in simulate(initial, buttons, presses)),
            meta={"initial": initial, "buttons": buttons, "presses": presses},
        )

    def check(self, answer: str, item: Item) -> Score:
        meta = item.meta
        expected = simulate(meta["initial"], meta["buttons"], meta["presses"])
        tokens = flat_tokens(answer)
        if tokens is None or not all(_BITS.fullmatch(t) for t in tokens):
            return Score(0.0, None, "not a list of 0s and 1s")
        given = [int(bit) for bit in "".join(tokens)]
        shown = ",".join(str(bit) for bit in given)
        if len(given) != len(expected):
            return Score(0.0, shown, f"expected {len(expected)} lights, got {len(given)}")
        if given == expected:
            return Score(1.0, shown, "correct")
        initial = [light for row in meta["initial"] for light in row]
        if given == initial and initial != expected:
            return Score(0.0, shown, "this is the initial panel; no press was applied")
        n = len(meta["initial"])
        wrong = [i for i, (a, b) in enumerate(zip(given, expected, strict=True)) if a != b]
        row, col = divmod(wrong[0], n)
        return Score(
            0.0, shown, f"{len(wrong)} light(s) wrong, the first at ({row + 1}, {col + 1})"
        )

    def parse_original(self, raw: RawInstance) -> Item:
        solution = json.loads(raw.data["solution.json"])
        initial = [[int(light) for light in row] for row in solution["initial_state"]]
        buttons = {
            str(name): [[int(r), int(c)] for r, c in cells]
            for name, cells in solution["buttons"].items()
        }
        presses = [str(press) for press in solution["operations"]]
        unknown = set(presses) - set(buttons)
        if unknown:
            raise ValueError(f"presses of undefined buttons {sorted(unknown)}")
        n = len(initial)
        if any(not (1 <= r <= n and 1 <= c <= n) for cells in buttons.values() for r, c in cells):
            raise ValueError("a button controls a cell outside the grid")
        return self.as_original(
            raw,
            self._item(initial, buttons, presses),
            original_answer=",".join(str(int(light)) for light in solution["solution"]),
            complexity=solution.get("complexity"),
        )


TASK = LightPuzzles()

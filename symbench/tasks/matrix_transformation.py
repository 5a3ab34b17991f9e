"""Matrix Transformation (seen): rotate a matrix of single characters 90 degrees clockwise.

Rule: the ``r x c`` matrix becomes a ``c x r`` matrix whose first row is the original first
column read from bottom to top, and so on. The answer is the rotated matrix flattened row by
row, which is unique, so it is compared exactly. Leniency: any list layout (commas, spaces,
newlines, semicolons, brackets, quotes, nested rows), rows written as strings (``JQ,HR``), a
trailing period and letter case (every letter in the matrices is upper case). No cell holds a
bracket, quote, comma, period or space, so removing them cannot change the content.

The original's checker split on commas without removing brackets, spaces or newlines, so
``[[J,Q],[H,R]]`` failed (reference section 6.12); ours accepts it. The stored solutions were
re-computed on every instance and all agree; no defect is known.
"""

from __future__ import annotations

import json
import random
import string
from dataclasses import dataclass

from codesteer.symbench._task import Knobs, OriginalSource, RawInstance, Task
from codesteer.symbench._types import Item, Score, Split
from codesteer.symbench.tasks._list_answers import flat_tokens

#: cell alphabets by content kind (the original's four, plus everything at once)
ALPHABETS = {
    "letters": string.ascii_uppercase,
    "digits": "123456789",
    "mixed": string.ascii_uppercase + string.digits,
    "symbols": "!@#$%^&*",
    "any": string.ascii_uppercase + string.digits + "!@#$%^&*",
}

Matrix = list[list[str]]


@dataclass(frozen=True)
class MatrixTransformationKnobs(Knobs):
    rows: int
    cols: int
    content: str

    def validate(self) -> None:
        if self.content not in ALPHABETS:
            raise ValueError(f"content must be one of {', '.join(ALPHABETS)}")
        if not (1 <= self.rows <= 100 and 1 <= self.cols <= 100):
            raise ValueError("need 1 <= rows, cols <= 100")


def rotate_clockwise(matrix: Matrix) -> Matrix:
    return [list(row) for row in zip(*matrix[::-1], strict=True)]


def flatten(matrix: Matrix) -> str:
    return "".join(cell for row in matrix for cell in row)


def question_for(matrix: Matrix) -> str:
    rows = "\n".join(" ".join(row) for row in matrix)
    height, width = len(matrix), len(matrix[0])
    return (
        f"Here is a matrix of {height} rows and {width} columns, one row per line, with the "
        f"cells of a row separated by spaces:\n\n{rows}\n\n"
        "Rotate it 90 degrees clockwise. Write the rotated matrix (it has "
        f"{width} rows and {height} columns) row by row, top row first, as one comma-separated "
        "list of its cells; for example, rotating the 2 x 2 matrix with rows 'A B' and 'C D' "
        "gives <<<C,A,D,B>>>."
    )


class MatrixTransformation(Task[MatrixTransformationKnobs]):
    name = "matrix_transformation"
    title = "Matrix Transformation"
    split = Split.SEEN
    aliases = ("matrix_trans", "matrix rotation", "matrix transformation")
    answer_format = "the rotated matrix row by row as comma-separated cells, e.g. <<<C,A,D,B>>>"
    levels = {
        # 1-5: the original generator's configurations
        1: MatrixTransformationKnobs(2, 2, "letters"),
        2: MatrixTransformationKnobs(2, 3, "digits"),
        3: MatrixTransformationKnobs(3, 3, "letters"),
        4: MatrixTransformationKnobs(3, 4, "mixed"),
        5: MatrixTransformationKnobs(4, 4, "symbols"),
        6: MatrixTransformationKnobs(5, 6, "mixed"),
        7: MatrixTransformationKnobs(8, 8, "any"),
        8: MatrixTransformationKnobs(10, 12, "any"),
        9: MatrixTransformationKnobs(16, 16, "any"),
        10: MatrixTransformationKnobs(25, 30, "any"),
    }
    # the original set holds the five configurations in equal numbers
    default_levels = (1, 2, 3, 4, 5)
    original_sources = (OriginalSource("matrix_transformation_dataset/sample_*", "dir"),)

    def _generate(self, rng: random.Random, knobs: MatrixTransformationKnobs) -> Item:
        alphabet = ALPHABETS[knobs.content]
        matrix = [[rng.choice(alphabet) for _ in range(knobs.cols)] for _ in range(knobs.rows)]
        return self._item(matrix)

    def _item(self, matrix: Matrix) -> Item:
        return Item(
            task=self.name,
            id="",
            question=question_for(matrix),
            answer=",".join(flatten(rotate_clockwise(matrix))),
            meta={"matrix": matrix},
        )

    def check(self, answer: str, item: Item) -> Score:
        matrix: Matrix = item.meta["matrix"]
        expected = flatten(rotate_clockwise(matrix))
        tokens = flat_tokens(answer)
        if tokens is None:
            return Score(0.0, None, "no cells found")
        given = "".join(tokens).rstrip(".").upper()
        shown = ",".join(given)
        if given == expected:
            return Score(1.0, shown, "correct")
        if len(given) != len(expected):
            return Score(0.0, shown, f"expected {len(expected)} cells, got {len(given)}")
        for wrong, reason in (
            (flatten(matrix), "the matrix is unchanged"),
            (
                flatten(rotate_clockwise(rotate_clockwise(rotate_clockwise(matrix)))),
                "rotated counter-clockwise",
            ),
            (flatten(rotate_clockwise(rotate_clockwise(matrix))), "rotated 180 degrees"),
            (flatten([list(col) for col in zip(*matrix, strict=True)]), "transposed, not rotated"),
        ):
            if given == wrong:
                return Score(0.0, shown, reason)
        first = next(i for i, (a, b) in enumerate(zip(given, expected, strict=True)) if a != b)
        return Score(0.0, shown, f"wrong cell at position {first + 1}")

    def parse_original(self, raw: RawInstance) -> Item:
        solution = json.loads(raw.data["solution.json"])
        matrix = [[str(cell) for cell in row] for row in solution["matrix"]]
        if not matrix or any(len(row) != len(matrix[0]) for row in matrix):
            raise ValueError("the matrix is not rectangular")
        if any(len(cell) != 1 for row in matrix for cell in row):
            raise ValueError("a cell is not a single character")
        return self.as_original(
            raw,
            self._item(matrix),
            original_answer=str(solution["formatted_solution"]),
            complexity=solution.get("complexity"),
        )


TASK = MatrixTransformation()

"""Reversi (seen): play a short sequence of moves on a Reversi board and give the result.

Board: n x n (n even), ``0`` = black, ``1`` = white, ``*`` = empty; cells are ``(row, column)``,
1-based from the top left. A move places a piece on an empty cell; in each of the eight
directions, an unbroken line of opponent pieces that starts next to the new piece and ends at
a piece of the mover's colour is flipped (standard bracketing). Every listed move is legal
(flips at least one piece); a player without a legal move passes, and the question says so.

The question shows the board *before* the listed moves and asks for the board after all of
them. The answer is unique, so it is compared exactly, cell by cell: the ``n*n`` symbols read
row by row, with any separators (commas, spaces, newlines), brackets and quotes; rows written
as strings (``**0*``) are fine too.

Generation plays random legal moves. The original levels start from the standard opening
(two white pieces on the main diagonal of the centre, black moves first); the higher levels
first play a hidden random opening so the shown board is a mid-game position.

Known defect of the original (reference section 6, verified on all 150 instances on disk):
the question's "previous round" board is the board *after* the listed moves, and the stored
answer is that same board, so the original question, read literally, replays moves onto
occupied cells. Replaying the stored moves from the standard opening reproduces the displayed
board in every instance, so our importer re-poses each instance with that opening as the
board before the moves; the stored answer is then the correct answer to our question (the
tests check this for every instance). The defect lies in the original question, not in its
stored answer, so the imported items are not flagged as ``known_defect``: the stored answers
agree with our verifier on the re-posed questions, and the original text is kept in
``meta["original_question"]``.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from typing import Any

from codesteer.symbench._parse import MAX_ANSWER_CHARS
from codesteer.symbench._task import Knobs, OriginalSource, RawInstance, Task
from codesteer.symbench._types import Item, Score, Split

BLACK, WHITE, EMPTY = "0", "1", "*"
NAMES = {BLACK: "Black (0)", WHITE: "White (1)"}
DIRECTIONS = ((0, 1), (1, 0), (0, -1), (-1, 0), (1, 1), (-1, -1), (1, -1), (-1, 1))

Board = list[list[str]]
#: one step of a game: (player, (row, col)) with 0-based cells, or (player, None) for a pass
Step = tuple[str, tuple[int, int] | None]


@dataclass(frozen=True)
class ReversiKnobs(Knobs):
    size: int
    #: pieces placed in the listed moves (passes come on top)
    moves: int
    #: random legal moves played before the shown board (0 = the standard opening)
    opening_moves: int = 0

    def validate(self) -> None:
        if self.size % 2 or not 4 <= self.size <= 16:
            raise ValueError("size must be even, between 4 and 16")
        if self.moves < 1 or self.opening_moves < 0:
            raise ValueError("need moves >= 1 and opening_moves >= 0")
        if self.moves + self.opening_moves > self.size * self.size - 4:
            raise ValueError("more moves than empty cells")


def opponent(player: str) -> str:
    return WHITE if player == BLACK else BLACK


def initial_board(size: int) -> Board:
    board = [[EMPTY] * size for _ in range(size)]
    mid = size // 2
    board[mid - 1][mid - 1] = board[mid][mid] = WHITE
    board[mid - 1][mid] = board[mid][mid - 1] = BLACK
    return board


def flips(board: Board, row: int, col: int, player: str) -> list[tuple[int, int]]:
    """The opponent pieces a move at ``(row, col)`` would flip (empty if none or occupied)."""
    size = len(board)
    if board[row][col] != EMPTY:
        return []
    other = opponent(player)
    flipped: list[tuple[int, int]] = []
    for dr, dc in DIRECTIONS:
        line: list[tuple[int, int]] = []
        r, c = row + dr, col + dc
        while 0 <= r < size and 0 <= c < size and board[r][c] == other:
            line.append((r, c))
            r, c = r + dr, c + dc
        if line and 0 <= r < size and 0 <= c < size and board[r][c] == player:
            flipped.extend(line)
    return flipped


def legal_moves(board: Board, player: str) -> list[tuple[int, int]]:
    size = len(board)
    return [(r, c) for r in range(size) for c in range(size) if flips(board, r, c, player)]


def play(board: Board, steps: list[Step]) -> Board:
    """The board after ``steps`` (a copy; passes change nothing)."""
    board = [row[:] for row in board]
    for player, cell in steps:
        if cell is None:
            continue
        row, col = cell
        for r, c in flips(board, row, col, player):
            board[r][c] = player
        board[row][col] = player
    return board


def random_game(
    rng: random.Random, board: Board, player: str, placements: int
) -> tuple[list[Step], Board, str]:
    """Play up to ``placements`` random legal moves, recording passes; stops when neither side
    can move. Returns the steps, the final board and the player to move next."""
    steps: list[Step] = []
    placed = 0
    while placed < placements:
        moves = legal_moves(board, player)
        if not moves:
            if not legal_moves(board, opponent(player)):
                break
            steps.append((player, None))
        else:
            cell = rng.choice(moves)
            steps.append((player, cell))
            board = play(board, [(player, cell)])
            placed += 1
        player = opponent(player)
    return steps, board, player


def render_board(board: Board) -> str:
    return "\n".join("".join(row) for row in board)


def flatten(board: Board) -> str:
    return ",".join(cell for row in board for cell in row)


def question_for(board: Board, steps: list[Step]) -> str:
    n = len(board)
    lines = []
    for number, (player, cell) in enumerate(steps, start=1):
        if cell is None:
            lines.append(f"{number}. {NAMES[player]} has no legal move and passes.")
        else:
            lines.append(
                f"{number}. {NAMES[player]} places a piece at ({cell[0] + 1},{cell[1] + 1})."
            )
    empty_example = ",".join([EMPTY] * (n * n))
    return (
        f"A game of Reversi is played on a board of {n} rows and {n} columns. Black pieces "
        "are written 0, white pieces 1 and empty cells *. Cell (r,c) is row r, column c, "
        "counting from 1 at the top-left corner.\n"
        "Rule: a player puts one piece of their colour on an empty cell. Then, in each of the "
        "eight directions (along the row, the column and both diagonals), if the cells next to "
        "the new piece form an unbroken line of the opponent's pieces that ends at a piece of "
        "the player's own colour, every piece of that line is flipped to the player's colour. "
        "Every move below is legal, i.e. it flips at least one piece.\n\n"
        f"The board before the moves (row 1 first):\n{render_board(board)}\n\n"
        "Then these moves are played, in order:\n" + "\n".join(lines) + "\n\n"
        f"Give the board after all of these moves: its {n * n} cells row by row, starting at "
        "the top-left, separated by commas, wrapped in <<<...>>>. For example, an empty board "
        f"would be <<<{empty_example}>>>."
    )


_SEPARATORS = re.compile(r"[\s,;\[\](){}\"'`“”‘’|]+")


def parse_board(text: str, size: int) -> list[str] | None:
    """The cells of an answer board, or ``None`` if it holds anything but ``0``/``1``/``*``."""
    if len(text) > MAX_ANSWER_CHARS:
        return None
    cells = _SEPARATORS.sub("", text.strip().rstrip("."))
    if not cells or any(ch not in "01*" for ch in cells):
        return None
    return list(cells) if len(cells) <= 4 * size * size else None  # junk, not a board


class Reversi(Task[ReversiKnobs]):
    name = "reversi"
    title = "Reversi"
    split = Split.SEEN
    aliases = ("othello",)
    answer_format = "the n*n cells (0, 1 or *) row by row, comma-separated, e.g. <<<*,*,0,1,...>>>"
    levels = {
        1: ReversiKnobs(4, 1),  # levels 1-5: the original's (size, moves) configurations
        2: ReversiKnobs(4, 2),
        3: ReversiKnobs(4, 3),
        4: ReversiKnobs(6, 2),
        5: ReversiKnobs(6, 3),
        6: ReversiKnobs(6, 5, opening_moves=6),
        7: ReversiKnobs(8, 4, opening_moves=8),
        8: ReversiKnobs(8, 8, opening_moves=12),
        9: ReversiKnobs(8, 16, opening_moves=16),
    }
    default_levels = (1, 2, 3, 4, 5)
    original_sources = (OriginalSource("reversi_dataset/sample_*", "dir"),)

    def _generate(self, rng: random.Random, knobs: ReversiKnobs) -> Item:
        # A game can end early (neither side can move); redraw, and after 100 tries accept the
        # shorter game rather than loop forever.
        for _ in range(100):
            board = initial_board(knobs.size)
            _, board, player = random_game(rng, board, BLACK, knobs.opening_moves)
            steps, final, _ = random_game(rng, board, player, knobs.moves)
            if sum(cell is not None for _, cell in steps) == knobs.moves:
                break
        return Item(
            task=self.name,
            id="",
            question=question_for(board, steps),
            answer=flatten(final),
            meta=_meta(board, steps),
        )

    def check(self, answer: str, item: Item) -> Score:
        size = len(item.meta["board"])
        expected = flatten(_expected(item.meta)).split(",")
        cells = parse_board(answer, size)
        if cells is None:
            return Score(0.0, None, "not a board of 0, 1 and * cells")
        given = ",".join(cells)
        if len(cells) != len(expected):
            return Score(0.0, given, f"expected {len(expected)} cells, got {len(cells)}")
        wrong = [i for i, (a, b) in enumerate(zip(cells, expected, strict=True)) if a != b]
        if not wrong:
            return Score(1.0, given, "correct")
        row, col = divmod(wrong[0], size)
        return Score(
            0.0,
            given,
            f"{len(wrong)} cell(s) wrong, first at ({row + 1},{col + 1}): "
            f"expected {expected[wrong[0]]}, got {cells[wrong[0]]}",
        )

    def parse_original(self, raw: RawInstance) -> Item:
        solution = json.loads(raw.data["solution.json"])
        size = int(solution["board_size"])
        board = initial_board(size)
        steps = _original_steps(board, [(int(r) - 1, int(c) - 1) for r, c in solution["moves"]])
        final = play(board, steps)
        displayed = _displayed_board(raw.data.get("question.txt", ""), size)
        if displayed != final:
            raise ValueError("replaying the moves does not give the board the question shows")
        item = Item(
            task=self.name,
            id="",
            question=question_for(board, steps),
            answer=flatten(final),
            meta=_meta(board, steps),
        )
        return self.as_original(
            raw, item, original_answer=solution["solution"], complexity=solution.get("complexity")
        )


def _meta(board: Board, steps: list[Step]) -> dict[str, Any]:
    return {
        "board": ["".join(row) for row in board],
        "steps": [[player, list(cell) if cell else None] for player, cell in steps],
    }


def _expected(meta: dict[str, Any]) -> Board:
    board = [list(row) for row in meta["board"]]
    steps: list[Step] = [
        (player, (int(cell[0]), int(cell[1])) if cell else None) for player, cell in meta["steps"]
    ]
    return play(board, steps)


def _original_steps(board: Board, cells: list[tuple[int, int]]) -> list[Step]:
    """The original alternates strictly, black first (its generator stops, never passes)."""
    steps: list[Step] = []
    player = BLACK
    for cell in cells:
        if not flips(play(board, steps), cell[0], cell[1], player):
            raise ValueError(f"original move {cell} is not legal for {NAMES[player]}")
        steps.append((player, cell))
        player = opponent(player)
    return steps


def _displayed_board(question: str, size: int) -> Board | None:
    lines = r"((?:[01*]+\n){" + str(size) + "})"
    match = re.search(r"previous round of the game was:\s*\n" + lines, question)
    if match is None:
        return None
    return [list(line) for line in match.group(1).split()]


TASK = Reversi()

"""Constrained Linear Arrangement (seen): deduce the opponent's cards in a card duel.

Two players each hold one set of cards and play one card per round, each card at most once.
The question gives the player's card and the result (win, loss or draw, from the player's point
of view) of every round; the answer is the opponent's card of every round. Three games, with
the rules the original generator used to compute the results:

- ``elements`` (A Wood, B Fire, C Earth, D Metal, E Water). ``generates``: A->B->C->D->E->A;
  ``overcomes``: A->C, C->E, E->B, B->D, D->A. Only the player's card counts: if it generates
  the opponent's card the player loses, if it overcomes it the player wins, otherwise (same
  card, or the opponent's card generates or overcomes the player's) it is a draw. The original
  question text reads as if the rule were symmetric; our question states the one-sided rule the
  ground truth follows.
- ``stick_game`` (A Stick, B Tiger, C Chicken, D Worm). A beats B, B beats C, C beats D, D beats
  A; the same card or opposite cards (A/C, B/D) draw. (The original question says cards "one
  step apart" draw, which contradicts its own ground truth; ours states the rule it applies.)
- ``animal`` (A Elephant, B Lion, C Tiger, D Leopard, E Wolf, F Dog, G Cat, H Mouse, ranked 8
  down to 1). The same piece draws, the Mouse beats the Elephant, otherwise the higher rank wins.

Draws (and in ``animal`` every result) often allow several opponent cards, so the verifier is a
validator: any sequence of distinct opponent cards that reproduces every stated result scores
1. The original checker compared win/loss rounds of ``elements``/``stick_game`` with the stored
card, never checked that the opponent's cards are distinct in those games, and applied the
Mouse/Elephant exception of ``animal`` one-sidedly; we apply the full rule and require distinct
cards in every game. Every stored original answer passes.

Answers are letters in round order: ``A,B,C``, ``[A, B, C]``, ``A B C``, ``ABC``, lower case, or
the cards' names (``Wood, Fire, Earth``) are all read.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass

from codesteer.symbench._parse import parse_token_list
from codesteer.symbench._task import Knobs, OriginalSource, RawInstance, Task
from codesteer.symbench._types import Item, Score, Split

ELEMENTS = "elements"
STICK = "stick_game"
ANIMAL = "animal"

#: game -> card names, in letter order (A, B, ...)
NAMES: dict[str, tuple[str, ...]] = {
    ELEMENTS: ("Wood", "Fire", "Earth", "Metal", "Water"),
    STICK: ("Stick", "Tiger", "Chicken", "Worm"),
    ANIMAL: ("Elephant", "Lion", "Tiger", "Leopard", "Wolf", "Dog", "Cat", "Mouse"),
}
RESULTS = ("win", "loss", "draw")
#: the solver gives up after this many search nodes (the largest game has 8! orders)
SEARCH_BUDGET = 100_000


def letters(game: str) -> str:
    return "ABCDEFGH"[: len(NAMES[game])]


def result(game: str, player: str, opponent: str) -> str:
    """The round's result from the player's side."""
    p, o = letters(game).index(player), letters(game).index(opponent)
    if game == ELEMENTS:
        # generation is one step along A..E, overcoming two steps; only the player's card acts
        step = (o - p) % 5
        return "loss" if step == 1 else "win" if step == 2 else "draw"
    if game == STICK:
        step = (o - p) % 4
        return "win" if step == 1 else "loss" if step == 3 else "draw"
    if p == o:
        return "draw"
    if (player, opponent) == ("H", "A"):
        return "win"
    if (player, opponent) == ("A", "H"):
        return "loss"
    return "win" if p < o else "loss"  # A ranks highest


def violation(
    game: str, moves: Sequence[str], results: Sequence[str], cards: Sequence[str]
) -> str | None:
    """Why ``cards`` cannot be the opponent's cards, or ``None`` when they can."""
    if len(cards) != len(moves):
        return f"expected {len(moves)} cards, got {len(cards)}"
    for card in cards:
        if len(card) != 1 or card not in letters(game):
            return f"{card!r} is not a card of this game ({', '.join(letters(game))})"
    for card in cards:
        if cards.count(card) > 1:
            return f"the opponent plays {card} more than once"
    for number, (move, stated, card) in enumerate(zip(moves, results, cards, strict=True), 1):
        actual = result(game, move, card)
        if actual != stated:
            return f"round {number}: {move} against {card} is a {actual}, not a {stated}"
    return None


def solve(game: str, moves: Sequence[str], results: Sequence[str]) -> list[str] | None:
    """The alphabetically first sequence of distinct opponent cards matching every result."""
    chosen: list[str] = []
    nodes = 0

    def extend(index: int) -> bool:
        nonlocal nodes
        nodes += 1
        if nodes > SEARCH_BUDGET:
            raise ValueError("card search budget exhausted")
        if index == len(moves):
            return True
        for card in letters(game):
            if card not in chosen and result(game, moves[index], card) == results[index]:
                chosen.append(card)
                if extend(index + 1):
                    return True
                chosen.pop()
        return False

    return chosen if extend(0) else None


def _read_cards(game: str, answer: str) -> list[str] | None:
    tokens = parse_token_list(answer)
    if tokens is None:
        return None
    by_name = {
        name.lower(): letter for name, letter in zip(NAMES[game], letters(game), strict=True)
    }
    word = tokens[0]
    if len(tokens) == 1 and len(word) > 1 and word.isalpha() and word.lower() not in by_name:
        tokens = list(word)  # "ABD" written without separators
    return [by_name.get(token.lower(), token.upper()) for token in tokens]


def rules_text(game: str) -> str:
    cards = ", ".join(
        f"{name} ({letter})" for letter, name in zip(letters(game), NAMES[game], strict=True)
    )
    if game == ELEMENTS:
        return (
            f"Each player holds the five element cards {cards}.\n"
            "Generation cycle: Wood generates Fire, Fire generates Earth, Earth generates Metal, "
            "Metal generates Water, Water generates Wood.\n"
            "Overcoming cycle: Wood overcomes Earth, Earth overcomes Water, Water overcomes Fire, "
            "Fire overcomes Metal, Metal overcomes Wood.\n"
            "A round is decided only by what YOUR card does to the opponent's card: if your card "
            "generates the opponent's card you lose, if your card overcomes it you win, and in "
            "every other case (the same card, or the opponent's card generates or overcomes "
            "yours) the round is a draw."
        )
    if game == STICK:
        return (
            f"Each player holds the four cards {cards}.\n"
            "Stick beats Tiger, Tiger beats Chicken, Chicken beats Worm and Worm beats Stick. "
            "The card that beats the other wins the round; the same card, or two cards that are "
            "opposite in this cycle (Stick and Chicken, Tiger and Worm), make a draw."
        )
    return (
        f"Each player holds eight animal pieces, ranked from strongest to weakest: {cards}.\n"
        "The same piece on both sides is a draw. The Mouse beats the Elephant (so the Elephant "
        "loses to the Mouse); in every other pairing the higher-ranked piece wins."
    )


def question_for(game: str, moves: Sequence[str], results: Sequence[str]) -> str:
    rounds = "\n".join(
        f"Round {number}: you played {move}; result for you: {outcome}."
        for number, (move, outcome) in enumerate(zip(moves, results, strict=True), 1)
    )
    example = ",".join(letters(game)[: len(moves)])
    return (
        "You and an opponent play a card game. In every round both players put down one card "
        "at the same time, and each player may use each of their cards at most once.\n\n"
        f"{rules_text(game)}\n\n"
        f"Here are your cards and the results:\n{rounds}\n\n"
        "Work out which card the opponent played in each round. If several sequences fit, give "
        "any one of them. Answer with the opponent's card letters in round order, separated by "
        f"commas and wrapped like <<<{example}>>>."
    )


@dataclass(frozen=True)
class ConstrainedLinearArrangementKnobs(Knobs):
    #: (game, weight) pairs: the game of an item is drawn with these weights
    games: tuple[tuple[str, int], ...]
    rounds: int

    def validate(self) -> None:
        if not self.games:
            raise ValueError("need at least one game")
        for game, weight in self.games:
            if game not in NAMES:
                raise ValueError(f"unknown game {game!r} (one of {', '.join(NAMES)})")
            if weight < 1:
                raise ValueError("game weights must be positive")
            if not 1 <= self.rounds <= len(NAMES[game]):
                raise ValueError(f"{game} allows 1..{len(NAMES[game])} rounds")


class ConstrainedLinearArrangement(Task[ConstrainedLinearArrangementKnobs]):
    name = "constrained_linear_arrangement"
    title = "Cons. Linear Arrange."
    split = Split.SEEN
    aliases = ("constrained linear arrangement", "card duel", "constrained")
    answer_format = "the opponent's card letters in round order, e.g. <<<A,C,B>>>"
    levels = {
        # 1-3: the original's games and round counts, weighted as in its release (elements
        # 12/28/28, animal 12/32/32 and stick_game 56 instances at 3/4/5 rounds)
        1: ConstrainedLinearArrangementKnobs(((ELEMENTS, 1), (ANIMAL, 1)), 3),
        2: ConstrainedLinearArrangementKnobs(((ELEMENTS, 7), (ANIMAL, 8), (STICK, 14)), 4),
        3: ConstrainedLinearArrangementKnobs(((ELEMENTS, 7), (ANIMAL, 8)), 5),
        4: ConstrainedLinearArrangementKnobs(((ANIMAL, 1),), 6),
        5: ConstrainedLinearArrangementKnobs(((ANIMAL, 1),), 7),
        6: ConstrainedLinearArrangementKnobs(((ANIMAL, 1),), 8),
    }
    #: 24 : 116 : 60 instances at 3 : 4 : 5 rounds in the original release (about 2 : 10 : 5)
    default_levels = (1, 1, *(2,) * 10, *(3,) * 5)
    original_sources = (OriginalSource("constrained_linear_arrangement/sample_*", "dir"),)

    def _generate(self, rng: random.Random, knobs: ConstrainedLinearArrangementKnobs) -> Item:
        games = [game for game, _ in knobs.games]
        game = rng.choices(games, weights=[weight for _, weight in knobs.games])[0]
        pieces = letters(game)
        moves = rng.sample(pieces, knobs.rounds)
        opponent = rng.sample(pieces, knobs.rounds)
        results = [result(game, p, o) for p, o in zip(moves, opponent, strict=True)]
        return _build_item(self.name, game, moves, results)

    def check(self, answer: str, item: Item) -> Score:
        game: str = item.meta["game"]
        moves: list[str] = item.meta["player_moves"]
        if len(answer) > 200 + 20 * len(moves):
            return Score(0.0, None, "answer too long")
        cards = _read_cards(game, answer)
        if cards is None:
            return Score(0.0, None, "could not read a list of cards")
        shown = ",".join(cards)
        problem = violation(game, moves, item.meta["results"], cards)
        if problem is not None:
            return Score(0.0, shown, problem)
        return Score(1.0, shown, "correct")

    def parse_original(self, raw: RawInstance) -> Item:
        data = json.loads(raw.data["solution.json"])
        item = _build_item(self.name, data["game_type"], data["player_moves"], data["results"])
        return self.as_original(
            raw,
            item,
            original_answer=",".join(data["solution"]),
            complexity=data.get("complexity"),
        )


def _build_item(task: str, game: str, moves: list[str], results: list[str]) -> Item:
    if game not in NAMES or any(outcome not in RESULTS for outcome in results):
        raise ValueError(f"unknown game {game!r} or result in {results}")
    cards = solve(game, moves, results)
    if cards is None:
        raise ValueError("no opponent cards match the results")
    return Item(
        task=task,
        id="",
        question=question_for(game, moves, results),
        answer=",".join(cards),
        meta={"game": game, "player_moves": list(moves), "results": list(results)},
    )


TASK = ConstrainedLinearArrangement()

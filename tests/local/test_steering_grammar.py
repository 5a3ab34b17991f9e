"""Grammar-constrained steering with the real SmolLM2: every reply parses, even sampled."""

from __future__ import annotations

import asyncio

import pytest

from codesteer.local.backends import GenerationOptions, Message, open_backend
from codesteer.local.protocol import (
    STEERER_SYSTEM,
    Action,
    ReviewInput,
    decision_grammar,
    parse_decision,
    steerer_first_input,
    steerer_review_input,
)

pytestmark = pytest.mark.slow

QUESTIONS = [
    "Use 3, 3, 8, 8 and + - * / to make 24.",
    "Which is earlier, 3 March 2021 or 12 February 2021?",
]


@pytest.mark.parametrize("temperature", [0.0, 1.2])
def test_every_sampled_steering_reply_parses(temperature: float) -> None:
    steerer = open_backend("default")
    assert steerer.supports_grammar

    async def ask(messages: list[Message], first: bool, seed: int) -> str:
        options = GenerationOptions(
            max_tokens=48,
            temperature=temperature,
            seed=seed,
            grammar=decision_grammar(first=first),
        )
        return (await steerer.chat(messages, options)).text

    async def go() -> list[tuple[str, bool]]:
        replies = []
        for seed, question in enumerate(QUESTIONS):
            first = [
                Message("system", STEERER_SYSTEM),
                Message("user", steerer_first_input(question)),
            ]
            replies.append((await ask(first, True, seed), True))
            review = steerer_review_input(
                ReviewInput(1, 5, "I think it is <<<7>>>.", "status: ok\noutput:\n7", None, None)
            )
            later = [*first, Message("assistant", "Decision: Code\nGuidance: search"),
                     Message("user", review)]  # fmt: skip
            replies.append((await ask(later, False, seed), False))
        return replies

    for reply, first in asyncio.run(go()):
        decision = parse_decision(reply, first=first)  # raises if malformed
        if first:
            assert decision.action in (Action.CODE, Action.TEXT)

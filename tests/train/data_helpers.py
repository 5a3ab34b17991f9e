"""Trajectories built by hand with the protocol's own text, and the scripted steering scenario
the synthesis tests share."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from codesteer.local.protocol import (
    PROTOCOL_VERSION,
    Action,
    Decision,
    ReviewInput,
    render_decision,
    steerer_first_input,
    steerer_review_input,
)
from codesteer.local.transcript import ItemRef, RoundRecord, SteeringTurn, Transcript
from codesteer.symbench import get_task

__all__ = [
    "CHECKER",
    "QUESTION",
    "code_answer",
    "hand_transcript",
    "product_program",
    "timeless",
    "with_rounds",
]

QUESTION = "What is 17 * 23? Answer as <<<N>>>."
#: A checking program that always approves (the self-check is a hint, not a grade).
CHECKER = "```python\nprint('Correct')\n```"


def product_program(seed: int, index: int) -> str:
    """A program that prints the product of number_multiply item ``(seed, index)`` (level 1)."""
    item = get_task("number_multiply").generate(seed, index, 1)
    expression = item.question.split(":", 1)[1].split("\n", 1)[0]
    expression = expression.replace("(", "").replace(")", "")
    return f"```python\nprint('<<<' + str({expression}) + '>>>')\n```"


def code_answer(expression: str) -> str:
    """A task-model reply whose code prints ``expression``'s value as the answer."""
    return f"I will compute it.\n```python\nprint('<<<' + str({expression}) + '>>>')\n```\n"


def hand_transcript(
    decisions: Sequence[tuple[str, str]],
    *,
    correct: bool,
    item: str = "item-0",
    question: str = QUESTION,
    raw_replies: Sequence[str] | None = None,
) -> Transcript:
    """A steered run's transcript with one steering turn per decision (``(action, guidance)``),
    the inputs written by the protocol module, scored correct or wrong."""
    rounds = []
    for index, (action, guidance) in enumerate(decisions):
        if index == 0:
            text = steerer_first_input(question)
        else:
            review = ReviewInput(index, 5, f"answer {index - 1}", None, None, None)
            text = steerer_review_input(review)
        decision = Decision(Action(action), guidance)
        reply = raw_replies[index] if raw_replies else render_decision(decision)
        turn = SteeringTurn(
            input=text,
            reply=reply,
            decision=decision.action.value,
            guidance=decision.guidance,
            parse="ok" if reply == render_decision(decision) else "fallback",
        )
        rounds.append(RoundRecord(index, steering=turn))
    return Transcript(
        protocol=PROTOCOL_VERSION,
        codesteer_version="test",
        question=question,
        task_model="scripted:task",
        steerer="scripted:teacher",
        rounds_limit=5,
        sandbox_level="rlimits",
        options={},
        started_at="2025-01-01T00:00:00+00:00",
        item=ItemRef("number_multiply", item, "hand"),
        rounds=rounds,
        final_answer="391" if correct else "0",
        score={"value": 1.0 if correct else 0.0, "answer": None, "reason": "by hand"},
        stop_reason="return_answer",
    )


def timeless(data: Any) -> Any:
    """A transcript's JSON form without what timing changes (seconds, clock times)."""
    if isinstance(data, dict):
        return {
            key: timeless(value)
            for key, value in data.items()
            if key not in ("seconds", "started_at", "ended_at")
        }
    if isinstance(data, list):
        return [timeless(value) for value in data]
    return data


def with_rounds(transcript: Transcript, rounds: Sequence[RoundRecord]) -> Transcript:
    return dataclasses.replace(transcript, rounds=list(rounds))

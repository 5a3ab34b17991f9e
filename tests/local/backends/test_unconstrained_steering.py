"""A steering model with no grammar (llama.cpp's OpenAI-compatible server, zero-shot): whatever
it writes, the loop parses strictly, reminds once, falls back and finishes; never a crash."""

from __future__ import annotations

import asyncio

import pytest

from codesteer.local.backends import GenerationOptions, open_backend
from codesteer.local.events import Event, RunFinished, SteeringDecided
from codesteer.local.loop import SteeringOptions, SteeringRun
from codesteer.local.protocol import parse_decision
from codesteer.local.sandbox import Sandbox
from tests.local.events_order import assert_event_order

pytestmark = [pytest.mark.server, pytest.mark.slow]


def test_an_unconstrained_steerer_never_breaks_the_loop(llama_server: str) -> None:
    steerer = open_backend(f"openai:smollm2@{llama_server}")
    assert not steerer.supports_grammar
    task_model = open_backend("default")
    options = SteeringOptions(
        rounds=1,
        self_check=False,
        task=GenerationOptions(max_tokens=64),
        steer=GenerationOptions(max_tokens=40),
    )

    async def go() -> tuple[list[Event], SteeringRun]:
        with Sandbox() as sandbox:
            run = SteeringRun(
                "What is 12 * 12? Answer as <<<N>>>.",
                task_model=task_model,
                steerer=steerer,
                sandbox=sandbox,
                options=options,
            )
            events = [event async for event in run]
        await steerer.aclose()
        return events, run

    events, run = asyncio.run(go())
    assert_event_order(events)
    assert isinstance(events[-1], RunFinished)
    decisions = [e for e in events if isinstance(e, SteeringDecided)]
    assert decisions
    for record in run.transcript.rounds:
        turn = record.steering
        assert turn is not None
        # each status says exactly what happened to the raw replies
        if turn.parse == "ok":
            assert not turn.rejected
            parse_decision(turn.reply, first=record.index == 0)
        elif turn.parse == "retried":
            assert len(turn.rejected) == 1
        else:
            assert turn.parse == "fallback" and len(turn.rejected) == 1
            assert turn.decision == ("Code" if record.index == 0 else "Return Answer")

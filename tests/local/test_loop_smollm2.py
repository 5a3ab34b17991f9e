"""End to end with the real SmolLM2-135M GGUF in both roles, the real sandbox, a SymBench item."""

from __future__ import annotations

import asyncio

import pytest

from codesteer.local.backends import GenerationOptions, open_backend
from codesteer.local.config import Config
from codesteer.local.events import Event, FinalAnswer, RunFinished, SteeringDecided, TaskDelta
from codesteer.local.loop import SteeringOptions, SteeringRun
from codesteer.local.protocol import Action
from codesteer.local.sandbox import Sandbox
from codesteer.local.transcript import ItemRef, transcript_to_dict
from codesteer.symbench import get_task
from tests.local.events_order import assert_event_order

pytestmark = pytest.mark.slow


def test_smollm2_steers_smollm2_on_a_symbench_item() -> None:
    config = Config()
    task_def = get_task("number_multiply")
    item = task_def.generate(seed=0, index=0, complexity=1)
    task_model = open_backend("default", config)
    steerer = open_backend("default", config)
    assert steerer.supports_grammar
    options = SteeringOptions(
        rounds=2,
        self_check_attempts=1,
        task=GenerationOptions(max_tokens=160),
        steer=GenerationOptions(max_tokens=60),
    )

    async def go() -> tuple[list[Event], SteeringRun]:
        with Sandbox() as sandbox:
            run = SteeringRun(
                item.question,
                task_model=task_model,
                steerer=steerer,
                sandbox=sandbox,
                options=options,
                grade=lambda text: task_def.score(text, item),
                item=ItemRef(item.task, item.id, item.source),
            )
            return [event async for event in run], run

    events, run = asyncio.run(go())
    assert_event_order(events)
    assert any(isinstance(e, TaskDelta) for e in events)
    decisions = [e for e in events if isinstance(e, SteeringDecided)]
    # the grammar makes every steering reply well formed: no retries, no fallbacks
    assert decisions and all(d.parse == "ok" for d in decisions)
    assert decisions[0].decision.action in (Action.CODE, Action.TEXT)

    final = events[-2]
    assert isinstance(final, FinalAnswer) and isinstance(events[-1], RunFinished)
    assert final.score is not None and 0.0 <= final.score.value <= 1.0 and final.score.reason
    transcript = run.transcript
    assert transcript.score == final.score.to_dict()
    assert transcript.stop_reason in ("return_answer", "terminate", "rounds_exhausted")
    assert transcript.task_model.startswith("llamacpp:") and transcript.steerer
    assert transcript.task_usage.prompt_tokens > 0 and transcript.steerer_usage.prompt_tokens > 0
    data = transcript_to_dict(transcript)
    assert data["item"]["id"] == item.id and data["sandbox_level"]
    for record in data["rounds"]:
        assert record["steering"]["input"] and record["steering"]["reply"].startswith("Decision: ")
        if record["task"] is not None:
            assert record["task"]["prompt"] and record["task"]["seconds"] > 0

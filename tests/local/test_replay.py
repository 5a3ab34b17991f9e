"""A transcript replays as the events its live run yielded (whole replies for the deltas), so a
past run renders exactly like a live one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from codesteer.local.events import Event, RunFinished, TaskDelta
from codesteer.local.loop import SteeringRun
from codesteer.local.replay import replay
from codesteer.local.sandbox import Limits, Sandbox
from codesteer.local.scripted import ScriptedBackend
from codesteer.local.transcript import transcript_to_json
from codesteer.symbench import get_task
from tests.local.events_order import assert_event_order
from tests.local.scripted_runs import collect

CODE = "```python\nprint(f'<<<{17 * 23}>>>')\n```"
CHECK = "```python\nprint('Correct')\n```"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(Limits(timeout_s=20)) as box:
        yield box


def comparable(events: list[Event]) -> list[Event]:
    """Without the token deltas (a replay has whole replies) and the last event (its
    transcript is compared as JSON: the live one is the same object)."""
    return [e for e in events if not isinstance(e, TaskDelta | RunFinished)]


def test_a_steered_run_replays_event_for_event(sandbox: Sandbox) -> None:
    run = SteeringRun(
        "What is 17 * 23? Answer as <<<N>>>.",
        task_model=ScriptedBackend([CODE, CHECK, "It is <<<391>>>.", CHECK]),
        steerer=ScriptedBackend(
            ["Decision: Code\nGuidance: g1", "Decision: Text\nGuidance: g2", "Decision: Terminate"]
        ),
        sandbox=sandbox,
    )
    events = collect(run)
    replayed = list(replay(run.transcript))
    assert_event_order(replayed)
    assert comparable(replayed) == comparable(events)
    last = replayed[-1]
    assert isinstance(last, RunFinished)
    assert transcript_to_json(last.transcript) == transcript_to_json(run.transcript)


def test_a_graded_item_replays_its_score(sandbox: Sandbox) -> None:
    task = get_task("number_multiply")
    item = task.generate(0, 1, None)
    run = SteeringRun(
        item.question,
        task_model=ScriptedBackend([f"<<<{item.answer}>>>"]),
        steerer=None,
        sandbox=sandbox,
        grade=lambda text: task.score(text, item),
    )
    events = collect(run)
    assert comparable(list(replay(run.transcript))) == comparable(events)

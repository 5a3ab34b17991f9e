"""One check of the event grammar, shared by the scripted and the real-model loop tests."""

from __future__ import annotations

from collections.abc import Sequence

from codesteer.local.events import (
    CodeExtracted,
    Event,
    FinalAnswer,
    RoundStarted,
    RunFinished,
    RunStarted,
    SandboxFinished,
    SelfChecked,
    SteeringDecided,
    SymbolicChecked,
    TaskDelta,
    TaskReplied,
)

# What may follow each kind of event (None: the start).
_NEXT: dict[type | None, set[type]] = {
    None: {RunStarted},
    RunStarted: {RoundStarted},
    RoundStarted: {SteeringDecided, TaskDelta, TaskReplied},
    SteeringDecided: {TaskDelta, TaskReplied, FinalAnswer},
    TaskDelta: {TaskDelta, TaskReplied},
    TaskReplied: {CodeExtracted, SelfChecked, RoundStarted, FinalAnswer},
    CodeExtracted: {SandboxFinished},
    SandboxFinished: {SymbolicChecked, SelfChecked, RoundStarted, FinalAnswer},
    SymbolicChecked: {SelfChecked, RoundStarted, FinalAnswer},
    SelfChecked: {RoundStarted, FinalAnswer},
    FinalAnswer: {RunFinished},
    RunFinished: set(),
}


def assert_event_order(events: Sequence[Event]) -> None:
    """Events follow the documented order, rounds count up from 0, and each event's round
    is the round that was started last."""
    previous: type | None = None
    current_round = -1
    for position, event in enumerate(events):
        assert type(event) in _NEXT[previous], (
            f"event {position}: {type(event).__name__} after "
            f"{previous.__name__ if previous else 'the start'}"
        )
        if isinstance(event, RoundStarted):
            assert event.round == current_round + 1
            current_round = event.round
        elif hasattr(event, "round"):
            assert event.round == current_round, (position, event)
        previous = type(event)
    assert previous is RunFinished

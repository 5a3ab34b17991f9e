"""A finished transcript as the events its run yielded, so a front end shows a past run (from
its history, or a transcript file) with the same renderer as a live one. Pure."""

from __future__ import annotations

from collections.abc import Iterator

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
    TaskReplied,
)
from codesteer.local.protocol import Action, Decision
from codesteer.local.transcript import Transcript
from codesteer.symbench import Score

__all__ = ["replay"]


def replay(transcript: Transcript) -> Iterator[Event]:
    """The events of ``transcript``'s run, in the order the loop yielded them (whole replies
    instead of their token deltas)."""
    yield RunStarted(
        question=transcript.question,
        task_model=transcript.task_model,
        steerer=transcript.steerer,
        rounds=transcript.rounds_limit,
        sandbox_level=transcript.sandbox_level,
        protocol=transcript.protocol,
    )
    for record in transcript.rounds:
        index = record.index
        yield RoundStarted(index)
        if record.steering is not None:
            turn = record.steering
            decision = Decision(Action(turn.decision), turn.guidance)
            yield SteeringDecided(index, decision, turn.parse, turn.usage, turn.seconds)
        if record.task is not None:
            yield TaskReplied(index, record.task.reply, record.task.usage, record.task.seconds)
        if record.code is not None:
            yield CodeExtracted(index, record.code)
        if record.sandbox is not None:
            yield SandboxFinished(index, record.sandbox)
        if record.symbolic is not None:
            yield SymbolicChecked(index, record.symbolic)
        if record.self_check is not None:
            yield SelfChecked(index, record.self_check)
    # A cancelled or failed run never reached its answer, live or replayed.
    if transcript.stop_reason not in ("cancelled", "error"):
        score = None
        if transcript.score is not None:
            score = Score(
                float(transcript.score["value"]),
                transcript.score.get("answer"),
                str(transcript.score.get("reason", "")),
            )
        yield FinalAnswer(transcript.final_answer, transcript.final_source, score)
    yield RunFinished(transcript)

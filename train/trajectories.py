"""Steering trajectories as training text: what the steering model read and decided, round by
round, rebuilt from a run's transcript with the runtime's own protocol module, so training and
inference see the same characters. Pure: no I/O.

The conversation of a trajectory is ``system`` (:data:`STEERER_SYSTEM`), then per round the
steering input as ``user`` and the decision as ``assistant``, rendered by
:func:`~codesteer.local.protocol.render_decision` from the decision the run acted on. That is
the history the loop itself keeps: malformed replies and format reminders never enter it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypedDict

from pydantic import TypeAdapter, ValidationError

from codesteer.errors import DatasetError
from codesteer.local.protocol import (
    PROTOCOL_VERSION,
    STEERER_SYSTEM,
    Action,
    Decision,
    render_decision,
)
from codesteer.local.transcript import SteeringTurn, Transcript

__all__ = [
    "SUCCESS_BONUS",
    "ChatMessage",
    "assistant_message",
    "is_correct",
    "steering_conversation",
    "steering_prompt",
    "steering_turns",
    "trajectory_score",
    "transcript_from_dict",
    "turn_decision",
    "turn_text",
]

#: A trajectory that ends correct scores this minus its steering turns, a wrong one minus its
#: turns (CodeSteer's DPO scoring, section 4.4 of the reference): right beats wrong, and
#: among equals, fewer turns win.
SUCCESS_BONUS = 15


class ChatMessage(TypedDict):
    """One message in trl's conversational format."""

    role: Literal["system", "user", "assistant"]
    content: str


_TRANSCRIPT: TypeAdapter[Transcript] = TypeAdapter(Transcript)


def transcript_from_dict(data: Mapping[str, Any], *, where: str = "transcript") -> Transcript:
    """A transcript from its JSON form (:func:`~codesteer.local.transcript.transcript_to_dict`).
    ``where`` names the record in the error a malformed one raises."""
    try:
        return _TRANSCRIPT.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first.get("loc", ()))
        raise DatasetError(
            f"{where} is not a codesteer transcript ({field}: {first['msg']})"
        ) from None


def steering_turns(transcript: Transcript) -> list[SteeringTurn]:
    """The steering turns in round order (one per round of a steered run)."""
    return [record.steering for record in transcript.rounds if record.steering is not None]


def turn_decision(turn: SteeringTurn) -> Decision:
    """The decision the run acted on (after a retry or a fallback, not the raw reply)."""
    try:
        action = Action(turn.decision)
    except ValueError:
        raise DatasetError(
            f"a steering turn records an unknown decision {turn.decision!r}"
        ) from None
    return Decision(action, turn.guidance)


def turn_text(turn: SteeringTurn) -> str:
    """The steering turn as a trained model should write it."""
    return render_decision(turn_decision(turn))


def assistant_message(turn: SteeringTurn) -> ChatMessage:
    return {"role": "assistant", "content": turn_text(turn)}


def is_correct(transcript: Transcript) -> bool:
    """Ended normally with a full-credit score (partial credit counts as wrong)."""
    if transcript.error is not None or transcript.stop_reason in (None, "cancelled", "error"):
        return False
    return transcript.score is not None and float(transcript.score.get("value", 0.0)) >= 1.0


def trajectory_score(transcript: Transcript) -> int:
    """``15 - t`` when the trajectory ends correct, else ``-t``; ``t`` its steering turns."""
    turns = len(steering_turns(transcript))
    return SUCCESS_BONUS - turns if is_correct(transcript) else -turns


def _check_protocol(transcript: Transcript) -> None:
    if transcript.protocol != PROTOCOL_VERSION:
        raise DatasetError(
            f"a trajectory was recorded with {transcript.protocol}; this codesteer trains "
            f"{PROTOCOL_VERSION} (its prompts differ): synthesize the data again"
        )
    if transcript.steerer is None:
        raise DatasetError("a trajectory without a steering model holds nothing to train on")


def steering_prompt(transcript: Transcript, turn: int) -> list[ChatMessage]:
    """What the steering model read before writing steering turn ``turn`` (0-based): the system
    message, the earlier inputs and decisions, and the input of ``turn``."""
    _check_protocol(transcript)
    turns = steering_turns(transcript)
    if not 0 <= turn < len(turns):
        raise IndexError(f"turn {turn} of a trajectory with {len(turns)} steering turns")
    messages: list[ChatMessage] = [{"role": "system", "content": STEERER_SYSTEM}]
    for earlier in turns[:turn]:
        messages.append({"role": "user", "content": earlier.input})
        messages.append(assistant_message(earlier))
    messages.append({"role": "user", "content": turns[turn].input})
    return messages


def steering_conversation(transcript: Transcript) -> list[ChatMessage]:
    """The whole trajectory as one conversation ending with its last steering turn."""
    turns = steering_turns(transcript)
    if not turns:
        _check_protocol(transcript)
        raise DatasetError("a trajectory without steering turns holds nothing to train on")
    return [*steering_prompt(transcript, len(turns) - 1), assistant_message(turns[-1])]

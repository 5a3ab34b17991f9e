"""The record of one steering run: every round's prompts, replies, code, sandbox outcome, checks
and decisions, with model specs, sandbox level, tokens and timings.

Dataclasses inside; JSON at the edge (:func:`transcript_to_json`, :func:`load_transcript` and
:func:`parse_transcript`, validated by pydantic). API keys never appear: specs hold none by
construction, and :func:`redact` scrubs the values of secret-looking environment variables from
the JSON text as a second line of defence.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import TypeAdapter, ValidationError

from codesteer._files import atomic_write
from codesteer._secrets import redact
from codesteer.errors import UserError
from codesteer.local.backends import Usage
from codesteer.local.checks.self_check import SelfCheck
from codesteer.local.checks.symbolic import SymbolicReport
from codesteer.local.sandbox import SandboxResult

__all__ = [
    "ItemRef",
    "ParseStatus",
    "RoundRecord",
    "SteeringTurn",
    "StopReason",
    "TaskTurn",
    "Transcript",
    "load_transcript",
    "parse_transcript",
    "transcript_to_dict",
    "transcript_to_json",
    "write_transcript",
]

#: ``ok``: well formed at once; ``retried``: well formed after one reminder; ``fallback``: never
#: well formed, the protocol's fallback decision was used.
ParseStatus = Literal["ok", "retried", "fallback"]
StopReason = Literal[
    "return_answer", "terminate", "rounds_exhausted", "single_turn", "cancelled", "error"
]


@dataclass(frozen=True)
class SteeringTurn:
    #: The user message the steering model read this round.
    input: str
    #: Its raw reply (the accepted one, or the last malformed one on fallback).
    reply: str
    decision: str
    guidance: str
    parse: ParseStatus
    #: Malformed replies that were rejected before ``reply``.
    rejected: tuple[str, ...] = ()
    usage: Usage = field(default_factory=Usage)
    seconds: float = 0.0


@dataclass(frozen=True)
class TaskTurn:
    #: The user message the task model read this round.
    prompt: str
    reply: str
    usage: Usage = field(default_factory=Usage)
    seconds: float = 0.0
    finish_reason: str | None = None


@dataclass(frozen=True)
class RoundRecord:
    """Round 0 is the code/text choice and the first answer; round k >= 1 reviews answer k-1.
    A round whose decision ends the run has no task turn."""

    index: int
    steering: SteeringTurn | None = None
    task: TaskTurn | None = None
    code: str | None = None
    sandbox: SandboxResult | None = None
    symbolic: SymbolicReport | None = None
    self_check: SelfCheck | None = None


@dataclass(frozen=True)
class ItemRef:
    task: str
    id: str
    source: str


@dataclass
class Transcript:
    protocol: str
    codesteer_version: str
    question: str
    task_model: str
    steerer: str | None
    rounds_limit: int
    sandbox_level: str
    options: dict[str, Any]
    started_at: str
    item: ItemRef | None = None
    rounds: list[RoundRecord] = field(default_factory=list)
    final_answer: str | None = None
    final_source: str | None = None
    #: ``{"value", "answer", "reason"}`` when the question was a SymBench item.
    score: dict[str, Any] | None = None
    stop_reason: StopReason | None = None
    error: str | None = None
    task_usage: Usage = field(default_factory=Usage)
    steerer_usage: Usage = field(default_factory=Usage)
    seconds: float = 0.0
    ended_at: str | None = None


def transcript_to_dict(transcript: Transcript) -> dict[str, Any]:
    data = dataclasses.asdict(transcript)
    # enum values as their plain strings
    return json.loads(json.dumps(data, default=_default))  # type: ignore[no-any-return]


def _default(value: Any) -> Any:
    if hasattr(value, "value"):
        return value.value
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def transcript_to_json(transcript: Transcript, *, indent: int | None = 2) -> str:
    text = json.dumps(transcript_to_dict(transcript), ensure_ascii=False, indent=indent)
    return redact(text)


def write_transcript(transcript: Transcript, path: Path) -> None:
    """Write atomically: a crash never leaves half a transcript."""
    try:
        with atomic_write(Path(path)) as handle:
            handle.write(transcript_to_json(transcript))
            handle.write("\n")
    except OSError as exc:
        raise UserError(f"cannot write transcript {path}: {exc.strerror or exc}") from exc


_ADAPTER: TypeAdapter[Transcript] = TypeAdapter(Transcript)


def parse_transcript(text: str, source: str) -> Transcript:
    """Validate transcript JSON; ``source`` names where it came from in the error message."""
    try:
        return _ADAPTER.validate_json(text)
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"]
        raise UserError(f"{source} is not a codesteer transcript: {reason}") from exc


def load_transcript(path: Path) -> Transcript:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot read transcript {path}: {exc.strerror or exc}") from exc
    return parse_transcript(text, str(path))

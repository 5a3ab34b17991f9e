"""The typed events a steering run yields, in order. The CLI, the harness and the TUI render
these; none of them holds steering logic.

Order within a run::

    RunStarted
    ( RoundStarted  SteeringDecided?  (TaskDelta* TaskReplied  CodeExtracted?  SandboxFinished?
      SymbolicChecked?  SelfChecked?)? )+
    FinalAnswer  RunFinished
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from codesteer.local.backends import Usage
from codesteer.local.checks.self_check import SelfCheck
from codesteer.local.checks.symbolic import SymbolicReport
from codesteer.local.protocol import Decision
from codesteer.local.sandbox import SandboxResult
from codesteer.local.transcript import ParseStatus, Transcript
from codesteer.symbench import Score

__all__ = [
    "CodeExtracted",
    "Event",
    "FinalAnswer",
    "RoundStarted",
    "RunFinished",
    "RunStarted",
    "SandboxFinished",
    "SelfChecked",
    "SteeringDecided",
    "SymbolicChecked",
    "TaskDelta",
    "TaskReplied",
]


@dataclass(frozen=True)
class RunStarted:
    kind: ClassVar[str] = "run_started"
    question: str
    task_model: str
    steerer: str | None
    rounds: int
    sandbox_level: str
    protocol: str


@dataclass(frozen=True)
class RoundStarted:
    kind: ClassVar[str] = "round_started"
    round: int


@dataclass(frozen=True)
class SteeringDecided:
    kind: ClassVar[str] = "steering_decided"
    round: int
    decision: Decision
    parse: ParseStatus
    usage: Usage
    seconds: float


@dataclass(frozen=True)
class TaskDelta:
    kind: ClassVar[str] = "task_delta"
    round: int
    text: str


@dataclass(frozen=True)
class TaskReplied:
    kind: ClassVar[str] = "task_replied"
    round: int
    text: str
    usage: Usage
    seconds: float


@dataclass(frozen=True)
class CodeExtracted:
    kind: ClassVar[str] = "code_extracted"
    round: int
    code: str


@dataclass(frozen=True)
class SandboxFinished:
    kind: ClassVar[str] = "sandbox_finished"
    round: int
    result: SandboxResult


@dataclass(frozen=True)
class SymbolicChecked:
    kind: ClassVar[str] = "symbolic_checked"
    round: int
    report: SymbolicReport


@dataclass(frozen=True)
class SelfChecked:
    kind: ClassVar[str] = "self_checked"
    round: int
    check: SelfCheck


@dataclass(frozen=True)
class FinalAnswer:
    kind: ClassVar[str] = "final_answer"
    answer: str | None
    #: ``code`` (the last code's output) or ``text`` (the last reply); None without an answer.
    source: str | None
    #: The verifier's verdict when the question is a SymBench item.
    score: Score | None


@dataclass(frozen=True)
class RunFinished:
    kind: ClassVar[str] = "run_finished"
    transcript: Transcript


Event = (
    RunStarted
    | RoundStarted
    | SteeringDecided
    | TaskDelta
    | TaskReplied
    | CodeExtracted
    | SandboxFinished
    | SymbolicChecked
    | SelfChecked
    | FinalAnswer
    | RunFinished
)

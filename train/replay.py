"""Resume a recorded run at any round, through the runtime's own loop.

The first ``k`` rounds are replayed: :class:`ReplayBackend` answers the steering and task models'
recorded completions in call order (the self-check's tries included) and :class:`ReplaySandbox`
gives back the recorded results of the code they ran; from round ``k`` on both delegate to live
backends. Every replayed request is compared with the one the recording implies, and the first
live steering request with the recorded input of round ``k``: if the loop asks anything else, the
replay raises :class:`ReplayDivergedError` instead of training on a conversation that never
happened. Replaying every round reproduces the run (timings aside).

:func:`recording` rebuilds the requests from the transcript the way
:class:`~codesteer.local.loop.SteeringRun` builds them; the divergence check is what keeps the
two in step if the loop ever changes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, cast

from pydantic import TypeAdapter, ValidationError

from codesteer.errors import CodesteerError, DatasetError
from codesteer.local.backends import (
    Backend,
    BackendKind,
    Completion,
    Delta,
    GenerationOptions,
    Message,
    ModelSpec,
    Usage,
)
from codesteer.local.extract import first_python_block
from codesteer.local.loop import CodeSandbox, Grader, SteeringOptions, SteeringRun
from codesteer.local.protocol import FORMAT_REMINDER, STEERER_SYSTEM, self_check_prompt
from codesteer.local.sandbox import IsolationLevel, SandboxResult
from codesteer.local.transcript import RoundRecord, Transcript
from codesteer.train.trajectories import turn_text

__all__ = [
    "RecordedCall",
    "RecordedRun",
    "Recording",
    "ReplayBackend",
    "ReplayDivergedError",
    "ReplaySandbox",
    "options_from_record",
    "recorded_spec",
    "recording",
    "replay_backend",
    "resume_run",
    "same_rounds",
]


class ReplayDivergedError(CodesteerError):
    """A replayed run asked for something its recording does not hold: the loop (or the
    recording) changed. Never a user's mistake, never retried."""


@dataclass(frozen=True)
class RecordedCall:
    """One model request and its recorded completion. ``messages`` is the request the loop must
    send; a ``None`` entry is a note the loop writes itself that the transcript does not keep
    word for word (the self-check's "fix it" follow-ups): any content passes there."""

    messages: tuple[Message | None, ...]
    completion: Completion


@dataclass(frozen=True)
class RecordedRun:
    code: str
    result: SandboxResult


@dataclass(frozen=True)
class Recording:
    """What the first ``rounds`` rounds of a run asked and got, per party, in call order."""

    rounds: int
    steerer: tuple[RecordedCall, ...]
    task: tuple[RecordedCall, ...]
    sandbox: tuple[RecordedRun, ...]
    #: The steering request that must come next (round ``rounds``), when the run had one.
    next_steering: tuple[Message, ...] | None


def _answer_for_check(record: RoundRecord) -> str:
    # Mirrors SteeringRun._answer_for_check: the reply, and what its code printed.
    assert record.task is not None
    if record.sandbox is None:
        return record.task.reply
    return f"{record.task.reply}\n\nThe code printed:\n{record.sandbox.stdout.strip()}"


def recording(transcript: Transcript, rounds: int) -> Recording:
    """The calls of the first ``rounds`` rounds of ``transcript`` (``len(transcript.rounds)``:
    all of them). Token usage is given to the first call of each turn, so the replayed
    transcript's counts add up to the recorded ones."""
    if not 0 <= rounds <= len(transcript.rounds):
        raise ValueError(f"round {rounds} of a run with {len(transcript.rounds)} rounds")
    steer: list[RecordedCall] = []
    task: list[RecordedCall] = []
    runs: list[RecordedRun] = []
    history: list[Message] = [Message("system", STEERER_SYSTEM)]
    conversation: list[Message] = []
    for record in transcript.rounds[:rounds]:
        if record.steering is not None:
            turn = record.steering
            history.append(Message("user", turn.input))
            request = list(history)
            replies = [*turn.rejected, turn.reply]
            for number, reply in enumerate(replies):
                usage = turn.usage if number == 0 else Usage()
                steer.append(RecordedCall(tuple(request), Completion(reply, usage, "stop")))
                request += [Message("assistant", reply), Message("user", FORMAT_REMINDER)]
            history.append(Message("assistant", turn_text(turn)))
        if record.task is None:
            continue
        conversation.append(Message("user", record.task.prompt))
        completion = Completion(record.task.reply, record.task.usage, record.task.finish_reason)
        task.append(RecordedCall(tuple(conversation), completion))
        conversation.append(Message("assistant", record.task.reply))
        if record.code is not None:
            if record.sandbox is None:
                raise DatasetError(f"round {record.index} ran code but recorded no result")
            runs.append(RecordedRun(record.code, record.sandbox))
        if record.self_check is not None:
            check = record.self_check
            if check.attempts and not check.tries:
                raise DatasetError(
                    "the run was recorded before self-check tries were kept: it cannot be replayed"
                )
            request_check: list[Message | None] = [
                Message("user", self_check_prompt(transcript.question, _answer_for_check(record)))
            ]
            for number, attempt in enumerate(check.tries):
                usage = check.usage if number == 0 else Usage()
                task.append(RecordedCall(tuple(request_check), Completion(attempt.reply, usage)))
                request_check += [Message("assistant", attempt.reply), None]
                if attempt.sandbox is not None:
                    code = first_python_block(attempt.reply)
                    if code is None:
                        raise DatasetError(f"round {record.index}: a self-check ran without code")
                    runs.append(RecordedRun(code, attempt.sandbox))
    next_steering: tuple[Message, ...] | None = None
    if rounds < len(transcript.rounds):
        upcoming = transcript.rounds[rounds].steering
        if upcoming is not None:
            next_steering = (*history, Message("user", upcoming.input))
    return Recording(rounds, tuple(steer), tuple(task), tuple(runs), next_steering)


def _describe(message: Message | None) -> str:
    if message is None:
        return "(a note)"
    text = message.content if len(message.content) <= 120 else message.content[:117] + "..."
    return f"{message.role}: {text!r}"


def _check_request(
    role: str, number: int, expected: Sequence[Message | None], got: Sequence[Message]
) -> None:
    position = next(
        (
            place
            for place, (want, have) in enumerate(zip(expected, got, strict=False))
            if want is not None and want != have
        ),
        None if len(expected) == len(got) else min(len(expected), len(got)),
    )
    if position is None:
        return
    want = _describe(expected[position]) if position < len(expected) else "(nothing)"
    have = _describe(got[position]) if position < len(got) else "(nothing)"
    raise ReplayDivergedError(
        f"the replayed {role} conversation diverged at request {number}, message "
        f"{position + 1}: the recording has {want}, the run sent {have}"
    )


class ReplayBackend(Backend):
    """Answers ``calls`` in order, checking each request; then delegates to ``live``.

    Use :func:`replay_backend`, which also carries the live backend's grammar support over, so
    the loop constrains the live steering model exactly as it would unwrapped."""

    def __init__(
        self,
        calls: Sequence[RecordedCall],
        live: Backend | None,
        *,
        role: str,
        expect_next: Sequence[Message] | None = None,
        spec: ModelSpec | None = None,
    ) -> None:
        """``spec`` names the model when there is no live one (the recorded model, say)."""
        if live is not None:
            spec = live.spec
        super().__init__(spec or ModelSpec("scripted", f"replay-{role}"))
        self.calls = tuple(calls)
        self.live = live
        self.role = role
        self.expect_next = tuple(expect_next) if expect_next is not None else None
        #: Requests answered so far (replayed and live).
        self.requests = 0

    @property
    def replayed(self) -> int:
        return min(self.requests, len(self.calls))

    async def stream(
        self, messages: Sequence[Message], options: GenerationOptions
    ) -> AsyncIterator[Delta | Completion]:
        number = self.requests + 1
        self.requests += 1
        if number <= len(self.calls):
            call = self.calls[number - 1]
            _check_request(self.role, number, call.messages, messages)
            if call.completion.text:
                yield Delta(call.completion.text)
            yield call.completion
            return
        if number == len(self.calls) + 1 and self.expect_next is not None:
            _check_request(self.role, number, self.expect_next, messages)
        if self.live is None:
            raise ReplayDivergedError(
                f"the replayed run asked the {self.role} for request {number}; the recording "
                f"holds {len(self.calls)}"
            )
        async for piece in self.live.stream(messages, options):
            yield piece


class _GrammarReplayBackend(ReplayBackend):
    supports_grammar: ClassVar[bool] = True


def replay_backend(
    calls: Sequence[RecordedCall],
    live: Backend | None,
    *,
    role: str,
    expect_next: Sequence[Message] | None = None,
    spec: ModelSpec | None = None,
) -> ReplayBackend:
    kind = _GrammarReplayBackend if live is not None and live.supports_grammar else ReplayBackend
    return kind(calls, live, role=role, expect_next=expect_next, spec=spec)


def recorded_spec(text: str) -> ModelSpec:
    """The :class:`ModelSpec` a transcript names (``kind:model[@url]``), without resolving it."""
    kind, _, rest = text.partition(":")
    model, _, url = rest.partition("@")
    return ModelSpec(cast(BackendKind, kind), model, url or None)


class ReplaySandbox:
    """Gives back the recorded result of each recorded program, in order (checking it is the
    same program), then runs code in ``live``."""

    def __init__(
        self, runs: Sequence[RecordedRun], live: CodeSandbox | None, level: IsolationLevel
    ) -> None:
        self.runs = tuple(runs)
        self.live = live
        self._level = live.level if live is not None else level
        self.count = 0

    @property
    def level(self) -> IsolationLevel:
        return self._level

    async def arun(self, code: str, *, timeout_s: float | None = None) -> SandboxResult:
        number = self.count + 1
        self.count += 1
        if number <= len(self.runs):
            recorded = self.runs[number - 1]
            if recorded.code != code:
                raise ReplayDivergedError(
                    f"the replayed run's program {number} differs from the recorded one"
                )
            return recorded.result
        if self.live is None:
            raise ReplayDivergedError(
                f"the replayed run ran program {number}; the recording holds {len(self.runs)}"
            )
        return await self.live.arun(code, timeout_s=timeout_s)


_OPTIONS: TypeAdapter[SteeringOptions] = TypeAdapter(SteeringOptions)


def options_from_record(data: dict[str, Any]) -> SteeringOptions:
    """The :class:`SteeringOptions` a transcript recorded (``Transcript.options``)."""
    try:
        return _OPTIONS.validate_python(data)
    except ValidationError as exc:
        raise DatasetError(
            f"a transcript records unreadable options: {exc.errors()[0]['msg']}"
        ) from None


def resume_run(
    transcript: Transcript,
    rounds: int,
    *,
    steerer: Backend | None,
    task_model: Backend | None,
    sandbox: CodeSandbox | None,
    steer_options: GenerationOptions | None = None,
    grade: Grader | None = None,
) -> SteeringRun:
    """A run that replays the first ``rounds`` rounds of ``transcript`` and continues live with
    ``steerer``, ``task_model`` and ``sandbox`` (``None``: there must be nothing left to run).
    ``steer_options`` replaces the recorded steering options from round ``rounds`` on (a
    sampling temperature, say); the replayed rounds ignore options."""
    if transcript.steerer is None:
        raise DatasetError("only a steered run can be resumed")
    options = options_from_record(transcript.options)
    if steer_options is not None:
        options = dataclasses.replace(options, steer=steer_options)
    taken = recording(transcript, rounds)
    try:
        level = IsolationLevel(transcript.sandbox_level)
    except ValueError:
        raise DatasetError(f"unknown sandbox level {transcript.sandbox_level!r}") from None
    return SteeringRun(
        transcript.question,
        task_model=replay_backend(
            taken.task, task_model, role="task model", spec=recorded_spec(transcript.task_model)
        ),
        steerer=replay_backend(
            taken.steerer,
            steerer,
            role="steering model",
            expect_next=taken.next_steering,
            spec=recorded_spec(transcript.steerer),
        ),
        sandbox=ReplaySandbox(taken.sandbox, sandbox, level),
        options=options,
        grade=grade,
        item=transcript.item,
    )


def _timeless(record: RoundRecord) -> RoundRecord:
    steering = record.steering and dataclasses.replace(record.steering, seconds=0.0)
    task = record.task and dataclasses.replace(record.task, seconds=0.0)
    return dataclasses.replace(record, steering=steering, task=task)


def same_rounds(first: Sequence[RoundRecord], second: Sequence[RoundRecord]) -> bool:
    """Equal round records, timings aside."""
    return len(first) == len(second) and all(
        _timeless(a) == _timeless(b) for a, b in zip(first, second, strict=True)
    )

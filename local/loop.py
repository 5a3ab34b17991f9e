"""The CodeSteer loop: a steering model guides a task model, round by round.

:class:`SteeringRun` is an async iterator of :mod:`~codesteer.local.events`; iterate it to run.
Its :attr:`~SteeringRun.transcript` fills in as the run goes, so a caller that cancels still
holds what happened so far. Cancelling the iterating task stops the model that is generating
and kills the sandboxed process that is running.

Modes (the paper's baselines fall out of the same loop):

- ``steerer`` and ``rounds >= 1``: the full loop (turn 0 choice, then review rounds);
- ``steerer`` and ``rounds == 0``: the steering model picks code or text once;
- no steerer, ``fixed_method`` set: always code, or always text, in one turn;
- no steerer, no method: the plain question, one turn.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Protocol

from codesteer import __version__
from codesteer.errors import CodesteerError
from codesteer.local.backends import (
    Backend,
    Completion,
    Delta,
    GenerationOptions,
    Message,
    Usage,
)
from codesteer.local.checks.self_check import SelfCheck, self_check
from codesteer.local.checks.symbolic import SymbolicReport, analyze_code
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
from codesteer.local.extract import final_answer, first_python_block
from codesteer.local.protocol import (
    FORMAT_REMINDER,
    PROTOCOL_VERSION,
    STEERER_SYSTEM,
    Action,
    Decision,
    Method,
    ReviewInput,
    SteeringFormatError,
    decision_grammar,
    execution_summary,
    fallback_decision,
    parse_decision,
    render_decision,
    steerer_first_input,
    steerer_review_input,
    task_first_prompt,
    task_followup_prompt,
)
from codesteer.local.sandbox import IsolationLevel, SandboxResult
from codesteer.local.transcript import (
    ItemRef,
    ParseStatus,
    RoundRecord,
    SteeringTurn,
    StopReason,
    TaskTurn,
    Transcript,
)
from codesteer.symbench import Score

__all__ = ["CodeSandbox", "Grader", "SteeringOptions", "SteeringRun"]


class CodeSandbox(Protocol):
    """What the loop needs of a sandbox (``codesteer.local.sandbox.Sandbox`` is one)."""

    @property
    def level(self) -> IsolationLevel: ...

    async def arun(self, code: str, *, timeout_s: float | None = None) -> SandboxResult: ...


#: Scores one candidate answer text (a SymBench verifier bound to its item).
Grader = Callable[[str], Score]


@dataclass(frozen=True)
class SteeringOptions:
    #: Review rounds after the first answer (the paper's 5). 0: the choice alone.
    rounds: int = 5
    #: Ask the task model to check its own answers (one more call per reviewed answer).
    self_check: bool = True
    self_check_attempts: int = 2
    #: Without a steering model: answer with this method (all-code / all-text baselines).
    fixed_method: Method | None = None
    #: Stream the task model's replies as :class:`TaskDelta` events. A batch run that shows no
    #: text turns it off: remote backends then make one plain request per reply.
    stream: bool = True
    task: GenerationOptions = field(default_factory=lambda: GenerationOptions(max_tokens=1024))
    steer: GenerationOptions = field(default_factory=lambda: GenerationOptions(max_tokens=256))

    def describe(self) -> dict[str, object]:
        data = dataclasses.asdict(self)
        data["fixed_method"] = self.fixed_method.value if self.fixed_method else None
        return data


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class _Answer:
    """The latest task-model answer and what was learnt about it."""

    text: str
    code: str | None = None
    result: SandboxResult | None = None


class SteeringRun:
    """One question steered to an answer. Iterate it (once) for the events."""

    def __init__(
        self,
        question: str,
        *,
        task_model: Backend,
        steerer: Backend | None,
        sandbox: CodeSandbox,
        options: SteeringOptions | None = None,
        grade: Grader | None = None,
        item: ItemRef | None = None,
    ) -> None:
        self.question = question
        self.task_model = task_model
        self.steerer = steerer
        self.sandbox = sandbox
        self.options = options or SteeringOptions()
        self.grade = grade
        self.transcript = Transcript(
            protocol=PROTOCOL_VERSION,
            codesteer_version=__version__,
            question=question,
            task_model=str(task_model.spec),
            steerer=str(steerer.spec) if steerer else None,
            rounds_limit=self.options.rounds if steerer else 0,
            sandbox_level=sandbox.level.value,
            options=self.options.describe(),
            started_at=_now(),
            item=item,
        )
        self._steer_messages: list[Message] = [Message("system", STEERER_SYSTEM)]
        self._task_messages: list[Message] = []
        self._started = False

    def __aiter__(self) -> AsyncIterator[Event]:
        if self._started:
            raise RuntimeError("a SteeringRun can be iterated once")
        self._started = True
        return self._events()

    async def _events(self) -> AsyncIterator[Event]:
        clock = time.perf_counter()
        try:
            async for event in self._steps():
                yield event
        except asyncio.CancelledError:
            self._finish("cancelled", clock)
            raise
        except CodesteerError as exc:
            self.transcript.error = str(exc)
            self._finish("error", clock)
            raise
        # GeneratorExit (the consumer stopped early) is left alone: nothing more can be said.

    def _finish(self, reason: StopReason, clock: float) -> None:
        self.transcript.stop_reason = reason
        self.transcript.seconds = round(time.perf_counter() - clock, 4)
        self.transcript.ended_at = _now()

    async def _steps(self) -> AsyncIterator[Event]:
        clock = time.perf_counter()
        options = self.options
        rounds = options.rounds if self.steerer else 0
        yield RunStarted(
            question=self.question,
            task_model=self.transcript.task_model,
            steerer=self.transcript.steerer,
            rounds=rounds,
            sandbox_level=self.transcript.sandbox_level,
            protocol=PROTOCOL_VERSION,
        )

        # -- round 0: the choice and the first answer
        yield RoundStarted(0)
        steering: SteeringTurn | None = None
        if self.steerer is not None:
            steer_input = steerer_first_input(self.question)
            decision, steering = await self._decide(steer_input, first=True)
            yield self._decided(0, decision, steering)
            method: Method | None = decision.method
            prompt = task_first_prompt(self.question, method, decision.guidance)
        else:
            method = options.fixed_method
            prompt = task_first_prompt(self.question, method)
        answer: _Answer | None = None
        async for event in self._answer(0, prompt, steering, review=rounds > 0):
            if isinstance(event, _Answer):
                answer = event
            else:
                yield event
        assert answer is not None
        stop: StopReason = "single_turn" if self.steerer is None else "rounds_exhausted"

        # -- review rounds
        for index in range(1, rounds + 1):
            yield RoundStarted(index)
            record = self.transcript.rounds[-1]
            review = ReviewInput(
                round=index,
                rounds=rounds,
                answer=answer.text,
                execution=execution_summary(answer.result) if answer.result else None,
                symbolic=record.symbolic.summary() if record.symbolic else None,
                self_check=record.self_check.summary() if record.self_check else None,
            )
            decision, steering = await self._decide(steerer_review_input(review), first=False)
            yield self._decided(index, decision, steering)
            if decision.ends:
                self.transcript.rounds.append(RoundRecord(index, steering=steering))
                stop = "return_answer" if decision.action is Action.RETURN_ANSWER else "terminate"
                break
            method = decision.method
            assert method is not None
            prompt = task_followup_prompt(method, decision.guidance)
            async for event in self._answer(index, prompt, steering, review=index < rounds):
                if isinstance(event, _Answer):
                    answer = event
                else:
                    yield event

        # -- the final answer: the last reply, its code's output and its text both count
        final = final_answer(answer.text, answer.result.stdout if answer.result else None)
        score: Score | None = None
        if self.grade is not None:
            scores = [self.grade(candidate) for candidate in final.candidates]
            score = max(scores, key=lambda s: s.value)
            self.transcript.score = score.to_dict()
        self.transcript.final_answer = final.answer
        self.transcript.final_source = final.source
        yield FinalAnswer(final.answer, final.source, score)
        self._finish(stop, clock)
        yield RunFinished(self.transcript)

    # -- steps ---------------------------------------------------------------------------------

    def _decided(self, index: int, decision: Decision, turn: SteeringTurn) -> SteeringDecided:
        return SteeringDecided(index, decision, turn.parse, turn.usage, turn.seconds)

    async def _decide(self, steer_input: str, *, first: bool) -> tuple[Decision, SteeringTurn]:
        """Ask the steering model; parse strictly; remind it of the format once; else fall back.
        A grammar-capable steering model is constrained to the format while decoding."""
        steerer = self.steerer
        assert steerer is not None
        self._steer_messages.append(Message("user", steer_input))
        grammar = decision_grammar(first=first) if steerer.supports_grammar else None
        options = dataclasses.replace(self.options.steer, grammar=grammar)
        messages = list(self._steer_messages)
        rejected: list[str] = []
        usage = Usage()
        clock = time.perf_counter()
        decision: Decision | None = None
        status: ParseStatus = "ok"
        reply = ""
        for attempt in range(2):
            completion = await steerer.chat(messages, options)
            usage = usage + completion.usage
            reply = completion.text
            try:
                decision = parse_decision(reply, first=first)
                status = "ok" if attempt == 0 else "retried"
                break
            except SteeringFormatError:
                rejected.append(reply)
                messages += [Message("assistant", reply), Message("user", FORMAT_REMINDER)]
        if decision is None:
            decision, status = fallback_decision(first=first), "fallback"
            rejected.pop()  # the last malformed reply is the turn's reply
        usage_total = self.transcript.steerer_usage + usage
        self.transcript.steerer_usage = usage_total
        # The history holds the decision as the protocol writes it: the form a trained model
        # produces, whatever this one produced.
        self._steer_messages.append(Message("assistant", render_decision(decision)))
        turn = SteeringTurn(
            input=steer_input,
            reply=reply,
            decision=decision.action.value,
            guidance=decision.guidance,
            parse=status,
            rejected=tuple(rejected),
            usage=usage,
            seconds=round(time.perf_counter() - clock, 4),
        )
        return decision, turn

    async def _answer(
        self, index: int, prompt: str, steering: SteeringTurn | None, *, review: bool
    ) -> AsyncIterator[Event | _Answer]:
        """One task-model turn: stream the reply, run its first code block, and, when the
        answer will be reviewed, run the checks. Yields events, then the :class:`_Answer`."""
        self._task_messages.append(Message("user", prompt))
        clock = time.perf_counter()
        completion: Completion | None = None
        if self.options.stream:
            async for piece in self.task_model.stream(self._task_messages, self.options.task):
                if isinstance(piece, Delta):
                    if piece.text:
                        yield TaskDelta(index, piece.text)
                else:
                    completion = piece
        else:
            completion = await self.task_model.chat(self._task_messages, self.options.task)
        assert completion is not None
        seconds = round(time.perf_counter() - clock, 4)
        self._task_messages.append(Message("assistant", completion.text))
        self.transcript.task_usage = self.transcript.task_usage + completion.usage
        yield TaskReplied(index, completion.text, completion.usage, seconds)
        task_turn = TaskTurn(
            prompt, completion.text, completion.usage, seconds, completion.finish_reason
        )

        answer = _Answer(completion.text)
        symbolic: SymbolicReport | None = None
        checked: SelfCheck | None = None
        answer.code = first_python_block(completion.text)
        if answer.code is not None:
            yield CodeExtracted(index, answer.code)
            answer.result = await self.sandbox.arun(answer.code)
            yield SandboxFinished(index, answer.result)
            if review:
                symbolic = analyze_code(answer.code)
                yield SymbolicChecked(index, symbolic)
        if review and self.options.self_check:
            checked = await self_check(
                self.question,
                self._answer_for_check(answer),
                backend=self.task_model,
                run_code=self.sandbox.arun,
                options=self.options.task,
                attempts=self.options.self_check_attempts,
            )
            self.transcript.task_usage = self.transcript.task_usage + checked.usage
            yield SelfChecked(index, checked)
        self.transcript.rounds.append(
            RoundRecord(
                index,
                steering=steering,
                task=task_turn,
                code=answer.code,
                sandbox=answer.result,
                symbolic=symbolic,
                self_check=checked,
            )
        )
        yield answer

    @staticmethod
    def _answer_for_check(answer: _Answer) -> str:
        """The answer as the checker sees it: the reply, and what its code printed."""
        if answer.result is None:
            return answer.text
        return f"{answer.text}\n\nThe code printed:\n{answer.result.stdout.strip()}"

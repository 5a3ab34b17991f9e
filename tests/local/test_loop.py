"""The loop's own logic, with scripted models and the real sandbox."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import ClassVar

import pytest

from codesteer.local.backends import Message
from codesteer.local.events import (
    Event,
    FinalAnswer,
    SandboxFinished,
    SelfChecked,
    SteeringDecided,
    TaskDelta,
    TaskReplied,
)
from codesteer.local.loop import SteeringOptions, SteeringRun
from codesteer.local.protocol import (
    CODE_PROMPT,
    FORMAT_REMINDER,
    STEERER_SYSTEM,
    TEXT_PROMPT,
    Action,
    Method,
)
from codesteer.local.sandbox import Limits, Sandbox
from codesteer.local.scripted import ScriptedBackend
from codesteer.local.transcript import load_transcript, transcript_to_json, write_transcript
from codesteer.symbench import get_task
from tests.local.events_order import assert_event_order
from tests.local.scripted_runs import CHECKER, CODE_ANSWER, QUESTION, collect


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(Limits(timeout_s=20)) as box:
        yield box


def test_full_run_events_transcript_and_answer(sandbox: Sandbox) -> None:
    steerer = ScriptedBackend(
        ["Decision: Code\nGuidance: multiply exactly", "Decision: Return Answer\nGuidance: ok"]
    )
    task = ScriptedBackend([CODE_ANSWER, CHECKER])
    run = SteeringRun(QUESTION, task_model=task, steerer=steerer, sandbox=sandbox)
    events = collect(run)
    assert_event_order(events)

    deltas = "".join(e.text for e in events if isinstance(e, TaskDelta))
    assert deltas == CODE_ANSWER
    (ran,) = [e for e in events if isinstance(e, SandboxFinished)]
    assert ran.result.status == "ok" and ran.result.stdout.strip() == "<<<391>>>"
    (checked,) = [e for e in events if isinstance(e, SelfChecked)]
    assert checked.check.verdict == "correct"
    final = events[-2]
    assert isinstance(final, FinalAnswer)
    assert (final.answer, final.source, final.score) == ("391", "code", None)

    transcript = run.transcript
    assert transcript.stop_reason == "return_answer"
    assert [r.index for r in transcript.rounds] == [0, 1]
    first, second = transcript.rounds
    assert first.steering is not None and first.steering.decision == "Code"
    assert first.task is not None and first.task.prompt.startswith(CODE_PROMPT)
    assert "Guidance: multiply exactly" in first.task.prompt
    assert first.code and first.sandbox and first.symbolic and first.self_check
    assert second.steering is not None and second.task is None
    assert transcript.final_answer == "391" and transcript.final_source == "code"
    assert transcript.task_usage.completion_tokens > 0
    assert transcript.steerer_usage.prompt_tokens > 0


def test_the_steering_model_sees_its_history_and_the_review(sandbox: Sandbox) -> None:
    steerer = ScriptedBackend(["Decision: Code\nGuidance: g", "Decision: Terminate\nGuidance: x"])
    task = ScriptedBackend([CODE_ANSWER, CHECKER])
    collect(SteeringRun(QUESTION, task_model=task, steerer=steerer, sandbox=sandbox))
    messages, _ = steerer.requests[1]
    assert [m.role for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[0].content == STEERER_SYSTEM and QUESTION in messages[1].content
    assert messages[2].content == "Decision: Code\nGuidance: g"
    review = messages[3].content
    assert review.startswith("Review 1 of 5") and "<<<391>>>" in review
    assert "status: ok (exit code 0)" in review
    assert "Complexity score" in review and "Correct" in review
    # The task model never sees the sandbox output, as in CodeSteer.
    for task_messages, _ in task.requests:
        assert all("status: ok" not in m.content for m in task_messages)


def test_malformed_steering_is_retried_once(sandbox: Sandbox) -> None:
    steerer = ScriptedBackend(["I'd say code.", "Decision: Text\nGuidance: reason", "junk", "junk"])
    task = ScriptedBackend(["It is <<<391>>>.", "```python\nprint('Correct')\n```"])
    run = SteeringRun(QUESTION, task_model=task, steerer=steerer, sandbox=sandbox)
    events = collect(run)
    decisions = [e for e in events if isinstance(e, SteeringDecided)]
    assert [(d.decision.action, d.parse) for d in decisions] == [
        (Action.TEXT, "retried"),
        (Action.RETURN_ANSWER, "fallback"),
    ]
    retry_messages, _ = steerer.requests[1]
    assert retry_messages[-2] == Message("assistant", "I'd say code.")
    assert retry_messages[-1].content == FORMAT_REMINDER
    first, second = run.transcript.rounds
    assert first.steering is not None and first.steering.rejected == ("I'd say code.",)
    assert first.task is not None and first.task.prompt.startswith(TEXT_PROMPT)
    assert second.steering is not None and second.steering.parse == "fallback"
    assert second.steering.reply == "junk" and second.steering.rejected == ("junk",)
    assert run.transcript.final_answer == "391" and run.transcript.final_source == "text"


def test_first_turn_fallback_is_code(sandbox: Sandbox) -> None:
    steerer = ScriptedBackend(["no", "still no"])
    task = ScriptedBackend([CODE_ANSWER])
    options = SteeringOptions(rounds=0)
    run = SteeringRun(QUESTION, task_model=task, steerer=steerer, sandbox=sandbox, options=options)
    collect(run)
    (record,) = run.transcript.rounds
    assert record.steering is not None and record.steering.parse == "fallback"
    assert record.steering.decision == "Code" and record.task is not None
    assert record.task.prompt.startswith(CODE_PROMPT)
    assert run.transcript.stop_reason == "rounds_exhausted"


def test_rounds_run_out_and_the_last_answer_is_run_not_reviewed(sandbox: Sandbox) -> None:
    steerer = ScriptedBackend(["Decision: Code\nGuidance: a"] * 3)
    task = ScriptedBackend([CODE_ANSWER, CHECKER, CODE_ANSWER, CHECKER, CODE_ANSWER])
    options = SteeringOptions(rounds=2)
    run = SteeringRun(QUESTION, task_model=task, steerer=steerer, sandbox=sandbox, options=options)
    events = collect(run)
    assert_event_order(events)
    assert len([e for e in events if isinstance(e, TaskReplied)]) == 3
    assert len([e for e in events if isinstance(e, SelfChecked)]) == 2
    assert len(task.requests) == 5 and len(steerer.requests) == 3
    last = run.transcript.rounds[-1]
    assert last.sandbox is not None and last.symbolic is None and last.self_check is None
    assert run.transcript.stop_reason == "rounds_exhausted"


@pytest.mark.parametrize(("method", "prompt_start"), [(None, QUESTION), (Method.CODE, CODE_PROMPT)])
def test_without_a_steerer_one_turn(
    sandbox: Sandbox, method: Method | None, prompt_start: str
) -> None:
    task = ScriptedBackend([CODE_ANSWER])
    options = SteeringOptions(fixed_method=method)
    run = SteeringRun(QUESTION, task_model=task, steerer=None, sandbox=sandbox, options=options)
    events = collect(run)
    assert_event_order(events)
    assert task.requests[0][0][0].content.startswith(prompt_start)
    assert run.transcript.stop_reason == "single_turn" and run.transcript.steerer is None
    assert run.transcript.final_answer == "391"


def test_a_symbench_item_is_graded_on_the_best_candidate(sandbox: Sandbox) -> None:
    task_def = get_task("number_multiply")
    item = task_def.generate(seed=0, index=0, complexity=1)
    # the code prints a wrong number, the text holds the right one: the text counts
    reply = f"```python\nprint('<<<0>>>')\n```\nSo the answer is <<<{item.answer}>>>."
    task = ScriptedBackend([reply])
    run = SteeringRun(
        item.question,
        task_model=task,
        steerer=None,
        sandbox=sandbox,
        grade=lambda text: task_def.score(text, item),
    )
    events = collect(run)
    final = events[-2]
    assert isinstance(final, FinalAnswer) and final.score is not None
    assert final.score.correct and final.answer == "0" and final.source == "code"
    assert run.transcript.score is not None and run.transcript.score["value"] == 1.0


class _GrammarScripted(ScriptedBackend):
    supports_grammar: ClassVar[bool] = True


def test_grammar_capable_steerers_get_the_decision_grammar(sandbox: Sandbox) -> None:
    steerer = _GrammarScripted(["Decision: Text\nGuidance: g", "Decision: Terminate\nGuidance: "])
    task = ScriptedBackend(["<<<1>>>", "```python\nprint('Correct')\n```"])
    collect(SteeringRun(QUESTION, task_model=task, steerer=steerer, sandbox=sandbox))
    first, later = (options.grammar for _, options in steerer.requests)
    assert first is not None and '"Code" | "Text"\n' in first
    assert later is not None and '"Terminate"' in later
    assert all(options.grammar is None for _, options in task.requests)


def test_transcript_round_trips_and_hides_secrets(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "sk-test-0123456789abcdef"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    # a model that somehow echoes the key: the transcript still never holds it
    task = ScriptedBackend([f"the key is {secret} <<<1>>>"])
    run = SteeringRun(QUESTION, task_model=task, steerer=None, sandbox=sandbox)
    collect(run)
    text = transcript_to_json(run.transcript)
    assert secret not in text and "[OPENAI_API_KEY redacted]" in text
    path = tmp_path / "t.json"
    write_transcript(run.transcript, path)
    loaded = load_transcript(path)
    assert loaded.question == QUESTION and loaded.rounds[0].task is not None
    assert loaded.final_answer == "1" and loaded.stop_reason == "single_turn"


def test_cancelling_a_run_stops_the_sandboxed_code_and_keeps_the_transcript(
    sandbox: Sandbox,
) -> None:
    slow = "```python\nimport time\nprint('start', flush=True)\ntime.sleep(60)\n```"
    task = ScriptedBackend([slow])
    run = SteeringRun(QUESTION, task_model=task, steerer=None, sandbox=sandbox)

    async def go() -> list[Event]:
        seen: list[Event] = []

        async def consume() -> None:
            async for event in run:
                seen.append(event)

        job = asyncio.create_task(consume())
        while not any(type(e).__name__ == "CodeExtracted" for e in seen):
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.3)
        job.cancel()
        with pytest.raises(asyncio.CancelledError):
            await job
        return seen

    seen = asyncio.run(asyncio.wait_for(go(), timeout=30))
    assert not any(isinstance(e, SandboxFinished) for e in seen)
    assert run.transcript.stop_reason == "cancelled"


def _echo_messages(messages: Sequence[Message]) -> str:
    return f"I saw {len(messages)} messages. <<<{len(messages)}>>>"


def test_task_model_history_grows_round_by_round(sandbox: Sandbox) -> None:
    steerer = ScriptedBackend(["Decision: Text\nGuidance: a", "Decision: Text\nGuidance: b"])
    task = ScriptedBackend([_echo_messages, "```python\nprint('nope')\n```", _echo_messages])
    options = SteeringOptions(rounds=1)
    run = SteeringRun(QUESTION, task_model=task, steerer=steerer, sandbox=sandbox, options=options)
    collect(run)
    assert [len(messages) for messages, _ in task.requests] == [1, 1, 3]
    assert run.transcript.rounds[0].self_check is not None
    assert run.transcript.rounds[0].self_check.verdict == "incorrect"
    assert run.transcript.final_answer == "3"


def test_without_streaming_no_deltas_and_the_same_run(sandbox: Sandbox) -> None:
    """A batch run (the harness) asks for whole replies: no TaskDelta, nothing else changes."""
    replies = ["Decision: Code\nGuidance: multiply", "Decision: Return Answer\nGuidance: ok"]
    runs = []
    for stream in (True, False):
        run = SteeringRun(
            QUESTION,
            task_model=ScriptedBackend([CODE_ANSWER]),
            steerer=ScriptedBackend(replies),
            sandbox=sandbox,
            options=SteeringOptions(self_check=False, stream=stream),
        )
        events = collect(run)
        assert_event_order(events)
        assert any(isinstance(e, TaskDelta) for e in events) == stream
        runs.append(run.transcript)
    streamed, whole = runs
    assert [r.task.reply for r in whole.rounds if r.task] == [
        r.task.reply for r in streamed.rounds if r.task
    ]
    assert whole.final_answer == streamed.final_answer == "391"

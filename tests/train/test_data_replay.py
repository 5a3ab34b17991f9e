"""Replaying a recorded run through the runtime's own loop: exact when replayed whole, live
from round k on when resumed, loud when the conversation diverges."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from typing import ClassVar

import pytest

from codesteer.errors import DatasetError
from codesteer.local.backends import GenerationOptions, Message
from codesteer.local.checks.self_check import CheckTry
from codesteer.local.loop import SteeringOptions, SteeringRun
from codesteer.local.protocol import decision_grammar
from codesteer.local.sandbox import Limits, Sandbox
from codesteer.local.scripted import ScriptedBackend
from codesteer.local.transcript import Transcript, transcript_to_dict
from codesteer.symbench import Score
from codesteer.train.replay import (
    ReplayDivergedError,
    recording,
    replay_backend,
    resume_run,
    same_rounds,
)
from codesteer.train.trajectories import steering_prompt
from tests.train.data_helpers import CHECKER, QUESTION, code_answer, timeless

FAILING_CHECK = "```python\nraise SystemExit('cannot check')\n```"


def grade(text: str) -> Score:
    return Score(1.0 if "<<<391>>>" in text else 0.0, text, "by hand")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(Limits(timeout_s=20)) as box:
        yield box


def drive(run: SteeringRun) -> Transcript:
    async def go() -> Transcript:
        async for _ in run:
            pass
        return run.transcript

    return asyncio.run(go())


@pytest.fixture(scope="module")
def recorded(sandbox: Sandbox) -> Transcript:
    """Three rounds with everything a replay must get right: a steering retry, a fallback, a
    self-check whose first try has no code and whose second program fails, code runs, text."""
    steerer = ScriptedBackend(
        [
            "I would use code",  # malformed: reminded once
            "Decision: Code\nGuidance: multiply exactly",
            "Decision: Text\nGuidance: now in words",
            "junk",
            "more junk",  # malformed twice: the fallback, Return Answer
        ]
    )
    task = ScriptedBackend(
        [
            code_answer("17 * 23"),
            "I checked it in my head.",
            FAILING_CHECK,
            "It is <<<391>>>.",
            CHECKER,
        ]
    )
    run = SteeringRun(
        QUESTION,
        task_model=task,
        steerer=steerer,
        sandbox=sandbox,
        options=SteeringOptions(rounds=3),
        grade=grade,
    )
    transcript = drive(run)
    parses = [r.steering.parse for r in transcript.rounds if r.steering]
    assert parses == ["retried", "ok", "fallback"]
    first_check = transcript.rounds[0].self_check
    assert first_check is not None and first_check.verdict == "inconclusive"
    assert [t.sandbox is None for t in first_check.tries] == [True, False]
    return transcript


def test_replaying_a_whole_run_reproduces_it_exactly(recorded: Transcript) -> None:
    replay = resume_run(
        recorded, len(recorded.rounds), steerer=None, task_model=None, sandbox=None, grade=grade
    )
    again = drive(replay)
    assert timeless(transcript_to_dict(again)) == timeless(transcript_to_dict(recorded))
    assert same_rounds(again.rounds, recorded.rounds)
    assert again.score == recorded.score and again.score is not None
    assert again.task_usage == recorded.task_usage and again.steerer_usage == recorded.steerer_usage
    taken = recording(recorded, len(recorded.rounds))
    # every call and program came from the recording: 5 steering replies, 3 answers and
    # checks of round 0 plus 2 of round 1; the answer's program and two checking programs
    assert (len(taken.steerer), len(taken.task), len(taken.sandbox)) == (5, 5, 3)


def test_a_resumed_run_asks_the_live_steerer_from_the_recorded_prefix(
    recorded: Transcript, sandbox: Sandbox
) -> None:
    live = ScriptedBackend(["Decision: Return Answer\nGuidance: the code computed it"])
    sampled = GenerationOptions(max_tokens=64, temperature=0.95, top_p=0.7, seed=7)
    run = resume_run(
        recorded,
        1,
        steerer=live,
        task_model=ScriptedBackend([]),
        sandbox=sandbox,
        steer_options=sampled,
        grade=grade,
    )
    resumed = drive(run)
    ((messages, options),) = live.requests
    assert messages == [Message(m["role"], m["content"]) for m in steering_prompt(recorded, 1)]
    assert (options.temperature, options.top_p, options.seed) == (0.95, 0.7, 7)
    assert same_rounds(resumed.rounds[:1], recorded.rounds[:1])
    last = resumed.rounds[1].steering
    assert last is not None and last.decision == "Return Answer"
    assert resumed.stop_reason == "return_answer" and resumed.final_answer == "391"
    assert resumed.score is not None and resumed.score["value"] == 1.0


class GrammarScripted(ScriptedBackend):
    supports_grammar: ClassVar[bool] = True


def test_the_live_steerers_grammar_is_kept(recorded: Transcript, sandbox: Sandbox) -> None:
    live = GrammarScripted(["Decision: Terminate\nGuidance: stop"])
    assert replay_backend([], live, role="steering model").supports_grammar
    assert not replay_backend([], None, role="steering model").supports_grammar
    drive(resume_run(recorded, 2, steerer=live, task_model=None, sandbox=sandbox, grade=grade))
    ((_, options),) = live.requests
    assert options.grammar == decision_grammar(first=False)


def tampered_steering(transcript: Transcript, index: int, text: str) -> Transcript:
    rounds = list(transcript.rounds)
    steering = rounds[index].steering
    assert steering is not None
    rounds[index] = dataclasses.replace(
        rounds[index], steering=dataclasses.replace(steering, input=text)
    )
    return dataclasses.replace(transcript, rounds=rounds)


def test_a_diverging_conversation_fails_loudly(recorded: Transcript, sandbox: Sandbox) -> None:
    changed = tampered_steering(recorded, 1, "Review 1 of 3. Something else.")
    replay = resume_run(changed, 3, steerer=None, task_model=None, sandbox=None, grade=grade)
    with pytest.raises(
        ReplayDivergedError, match="steering model conversation diverged at request 3, message 4"
    ):
        drive(replay)
    # the same check guards the first live request
    live = ScriptedBackend(["Decision: Terminate\nGuidance: x"])
    resumed = resume_run(changed, 1, steerer=live, task_model=None, sandbox=sandbox, grade=grade)
    with pytest.raises(ReplayDivergedError, match="at request 3, message 4"):
        drive(resumed)
    assert live.requests == []

    rounds = list(recorded.rounds)
    task = rounds[1].task
    assert task is not None
    rounds[1] = dataclasses.replace(rounds[1], task=dataclasses.replace(task, prompt="Other"))
    other_prompt = dataclasses.replace(recorded, rounds=rounds)
    with pytest.raises(ReplayDivergedError, match="task model conversation diverged"):
        drive(resume_run(other_prompt, 3, steerer=None, task_model=None, sandbox=None))

    rounds = list(recorded.rounds)
    rounds[0] = dataclasses.replace(rounds[0], code="print('<<<1>>>')")
    other_code = dataclasses.replace(recorded, rounds=rounds)
    with pytest.raises(ReplayDivergedError, match="program 1 differs"):
        drive(resume_run(other_code, 3, steerer=None, task_model=None, sandbox=None))


def test_running_past_the_recording_without_live_models_fails(recorded: Transcript) -> None:
    replay = resume_run(recorded, 1, steerer=None, task_model=None, sandbox=None)
    with pytest.raises(ReplayDivergedError, match="the recording holds 2"):
        drive(replay)


def test_runs_recorded_without_self_check_tries_cannot_be_replayed(recorded: Transcript) -> None:
    rounds = list(recorded.rounds)
    check = rounds[0].self_check
    assert check is not None
    rounds[0] = dataclasses.replace(rounds[0], self_check=dataclasses.replace(check, tries=()))
    old = dataclasses.replace(recorded, rounds=rounds)
    with pytest.raises(DatasetError, match="before self-check tries were kept"):
        recording(old, 3)
    assert recording(old, 0).steerer == ()  # nothing before round 0 needs them
    assert isinstance(check.tries[0], CheckTry)

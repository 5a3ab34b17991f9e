"""Trajectories as training text: scores and prompts, in the protocol's exact words."""

from __future__ import annotations

import dataclasses

import pytest

from codesteer.errors import DatasetError
from codesteer.local.protocol import STEERER_SYSTEM, steerer_first_input
from codesteer.local.transcript import transcript_to_dict
from codesteer.train.trajectories import (
    is_correct,
    steering_conversation,
    steering_prompt,
    trajectory_score,
    transcript_from_dict,
)
from tests.train.data_helpers import QUESTION, hand_transcript


def test_scores_follow_15_minus_turns_when_correct_else_minus_turns() -> None:
    two = [("Code", "a"), ("Return Answer", "b")]
    three = [("Text", "a"), ("Code", "b"), ("Terminate", "c")]
    assert trajectory_score(hand_transcript(two, correct=True)) == 13
    assert trajectory_score(hand_transcript(three, correct=True)) == 12
    assert trajectory_score(hand_transcript(two, correct=False)) == -2
    assert trajectory_score(hand_transcript(three, correct=False)) == -3


def test_partial_credit_and_failed_runs_are_not_correct() -> None:
    partial = hand_transcript([("Code", "")], correct=True)
    partial.score = {"value": 0.5, "answer": "x", "reason": "half the boxes"}
    assert not is_correct(partial) and trajectory_score(partial) == -1
    failed = hand_transcript([("Code", "")], correct=True)
    failed.error, failed.stop_reason = "the server kept failing", "error"
    assert not is_correct(failed)


def test_the_prompt_is_the_protocol_text_and_the_decisions_are_rendered() -> None:
    # The first reply was malformed and fell back: training shows the decision the run took.
    transcript = hand_transcript(
        [("Code", ""), ("Text", "reason it out")],
        correct=True,
        raw_replies=["I think code is best", "Decision: Text\nGuidance: reason it out"],
    )
    assert transcript.rounds[0].steering is not None
    assert transcript.rounds[0].steering.parse == "fallback"
    second_input = transcript.rounds[1].steering.input  # type: ignore[union-attr]
    assert steering_prompt(transcript, 1) == [
        {"role": "system", "content": STEERER_SYSTEM},
        {"role": "user", "content": steerer_first_input(QUESTION)},
        {"role": "assistant", "content": "Decision: Code\nGuidance: "},
        {"role": "user", "content": second_input},
    ]
    conversation = steering_conversation(transcript)
    assert conversation[-1] == {
        "role": "assistant",
        "content": "Decision: Text\nGuidance: reason it out",
    }
    assert [m["role"] for m in conversation] == ["system", "user", "assistant", "user", "assistant"]


def test_another_protocol_version_is_refused() -> None:
    transcript = dataclasses.replace(
        hand_transcript([("Code", "")], correct=True), protocol="codesteer-protocol/0"
    )
    with pytest.raises(DatasetError, match="codesteer-protocol/0"):
        steering_conversation(transcript)


def test_transcripts_round_trip_through_json_and_garbage_is_named() -> None:
    transcript = hand_transcript([("Code", "x"), ("Return Answer", "")], correct=True)
    assert transcript_from_dict(transcript_to_dict(transcript)) == transcript
    broken = transcript_to_dict(transcript)
    broken["rounds"][0]["steering"]["parse"] = "sort of"
    with pytest.raises(DatasetError, match=r"record 7 is not a codesteer transcript \(rounds"):
        transcript_from_dict(broken, where="record 7")

"""DPO pairs, CodeSteer's way: a resampled turn whose run scores higher than the original's
is chosen over the original turn."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from codesteer.local.protocol import STEERER_SYSTEM
from codesteer.train.dpo_data import Continuation, dpo_pairs, write_dpo
from codesteer.train.trajectories import steering_prompt
from tests.train.data_helpers import hand_transcript, with_rounds

ORIGINAL = [("Text", "think"), ("Text", "think again"), ("Return Answer", "fine")]  # wrong: -3


def resumed(turn: int, rest: list[tuple[str, str]], *, correct: bool) -> Continuation:
    """The original's first ``turn`` turns, then ``rest``: a continuation from ``turn``."""
    whole = hand_transcript(ORIGINAL[:turn] + rest, correct=correct)
    return Continuation(turn, 0, whole)


def test_a_better_resampled_turn_is_chosen_over_the_original_turn() -> None:
    original = hand_transcript(ORIGINAL, correct=False)
    better = resumed(1, [("Code", "compute it"), ("Return Answer", "ok")], correct=True)  # 12
    (pair,) = dpo_pairs(original, [better])
    assert pair.turn == 1 and (pair.score_chosen, pair.score_rejected) == (12, -3)
    assert pair.chosen == {"role": "assistant", "content": "Decision: Code\nGuidance: compute it"}
    assert pair.rejected == {
        "role": "assistant",
        "content": "Decision: Text\nGuidance: think again",
    }
    assert list(pair.prompt) == steering_prompt(original, 1)
    assert pair.prompt[0] == {"role": "system", "content": STEERER_SYSTEM}
    assert [m["role"] for m in pair.prompt] == ["system", "user", "assistant", "user"]


def test_scores_compare_as_15_minus_t_or_minus_t() -> None:
    original = hand_transcript(ORIGINAL, correct=False)  # -3
    shorter_wrong = resumed(1, [("Terminate", "stop")], correct=False)  # -2: better
    longer_wrong = resumed(1, [("Code", "a"), ("Code", "b"), ("Terminate", "c")], correct=False)
    equal_wrong = resumed(0, [("Code", "x"), ("Code", "y"), ("Terminate", "z")], correct=False)
    pairs = dpo_pairs(original, [shorter_wrong, longer_wrong, equal_wrong])
    assert [(p.turn, p.score_chosen, p.chosen["content"]) for p in pairs] == [
        (1, -2, "Decision: Terminate\nGuidance: stop")
    ]


def test_repeats_errors_and_correct_originals_make_no_pairs() -> None:
    original = hand_transcript(ORIGINAL, correct=False)
    same_turn = resumed(2, [("Return Answer", "fine")], correct=True)  # chosen == rejected
    good = resumed(0, [("Code", "go"), ("Return Answer", "ok")], correct=True)
    again = dataclasses.replace(good, sample=1)
    failed_run = resumed(0, [("Code", "boom")], correct=True)
    failed_run.transcript.error, failed_run.transcript.stop_reason = "server down", "error"
    pairs = dpo_pairs(original, [same_turn, good, again, failed_run])
    assert [(p.turn, p.chosen["content"]) for p in pairs] == [(0, "Decision: Code\nGuidance: go")]
    assert dpo_pairs(hand_transcript(ORIGINAL, correct=True), [good]) == []


def test_a_continuation_from_another_prefix_is_a_bug() -> None:
    original = hand_transcript(ORIGINAL, correct=False)
    other = hand_transcript(
        [("Code", "elsewhere"), ("Code", "x"), ("Return Answer", "")], correct=True
    )
    with pytest.raises(ValueError, match="does not share the original prefix"):
        dpo_pairs(original, [Continuation(1, 0, other)])
    too_short = with_rounds(original, original.rounds[:1])
    with pytest.raises(ValueError, match="does not share"):
        dpo_pairs(original, [Continuation(2, 0, too_short)])


def test_the_file_is_trl_preference_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from datasets import load_dataset

    original = hand_transcript(ORIGINAL, correct=False)
    pairs = dpo_pairs(
        original,
        [
            resumed(0, [("Code", "go"), ("Return Answer", "ok")], correct=True),
            resumed(1, [("Code", "now"), ("Return Answer", "ok")], correct=True),
        ],
    )
    path = tmp_path / "dpo.jsonl"
    assert write_dpo(path, pairs) == 2
    first = json.loads(path.read_text().splitlines()[0])
    assert sorted(first) == ["chosen", "prompt", "rejected"]
    assert first["chosen"] == [{"role": "assistant", "content": "Decision: Code\nGuidance: go"}]
    dataset = load_dataset(
        "json", data_files=str(path), split="train", cache_dir=str(tmp_path / "c")
    )
    assert sorted(dataset.column_names) == ["chosen", "prompt", "rejected"]
    assert dataset[1]["prompt"] == steering_prompt(original, 1)
    assert dataset[1]["rejected"] == [
        {"role": "assistant", "content": "Decision: Text\nGuidance: think again"}
    ]

"""SFT data: correct trajectories only, shortest first, in trl's conversational format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from codesteer.local.protocol import STEERER_SYSTEM
from codesteer.train.sft_data import sft_examples, write_sft
from codesteer.train.trajectories import steering_conversation
from tests.train.data_helpers import hand_transcript

LONG = [("Text", "think"), ("Code", "compute"), ("Return Answer", "ok")]
SHORT = [("Code", "compute"), ("Return Answer", "ok")]


def test_only_correct_trajectories_are_kept() -> None:
    kept = sft_examples(
        [
            hand_transcript(SHORT, correct=False, item="a"),
            hand_transcript(LONG, correct=True, item="b"),
        ]
    )
    assert [example.item for example in kept] == ["number_multiply/b"]
    assert kept[0].turns == 3


def test_several_correct_ones_of_an_item_come_shortest_first() -> None:
    trajectories = [
        hand_transcript(LONG, correct=True, item="a"),
        hand_transcript(
            [("Code", "compute it, carefully"), ("Return Answer", "ok")], correct=True, item="a"
        ),
        hand_transcript(SHORT, correct=True, item="a"),
        hand_transcript(SHORT, correct=True, item="a"),  # the same conversation again: dropped
        hand_transcript(LONG, correct=True, item="b"),
    ]
    everything = sft_examples(trajectories, per_item=None)
    assert [(e.item, e.turns) for e in everything] == [
        ("number_multiply/a", 2),
        ("number_multiply/a", 2),
        ("number_multiply/a", 3),
        ("number_multiply/b", 3),
    ]
    # equal turns: fewer characters first
    assert everything[0].messages == tuple(steering_conversation(trajectories[2]))
    shortest = sft_examples(trajectories)  # one per item by default
    assert [(e.item, e.turns) for e in shortest] == [
        ("number_multiply/a", 2),
        ("number_multiply/b", 3),
    ]
    with pytest.raises(ValueError):
        sft_examples(trajectories, per_item=0)


def test_messages_are_the_exact_protocol_text(tmp_path: Path) -> None:
    transcript = hand_transcript(LONG, correct=True)
    (example,) = sft_examples([transcript])
    turns = [record.steering for record in transcript.rounds]
    expected = [{"role": "system", "content": STEERER_SYSTEM}]
    for turn, (action, guidance) in zip(turns, LONG, strict=True):
        assert turn is not None
        expected.append({"role": "user", "content": turn.input})
        expected.append(
            {"role": "assistant", "content": f"Decision: {action}\nGuidance: {guidance}"}
        )
    assert list(example.messages) == expected
    path = tmp_path / "sft.jsonl"
    assert write_sft(path, [example]) == 1
    assert json.loads(path.read_text()) == {"messages": expected}


def test_the_file_loads_with_datasets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from datasets import load_dataset

    examples = sft_examples(
        [
            hand_transcript(SHORT, correct=True, item="a"),
            hand_transcript(LONG, correct=True, item="b"),
        ]
    )
    path = tmp_path / "sft.jsonl"
    write_sft(path, examples)
    dataset = load_dataset(
        "json", data_files=str(path), split="train", cache_dir=str(tmp_path / "c")
    )
    assert dataset.column_names == ["messages"]
    assert len(dataset) == 2
    assert dataset[1]["messages"] == list(examples[1].messages)

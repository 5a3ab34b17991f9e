"""Reading the SFT and DPO JSONL the trainers consume: the shapes trl expects, and file:line
errors for everything else."""

from __future__ import annotations

from pathlib import Path

import pytest

from codesteer.errors import DatasetError, UserError
from codesteer.train.examples import Message, keep_fitting, read_dpo_file, read_sft_file
from tests.train.trainer_helpers import FIRST, dpo_pair, sft_conversation, write_jsonl


def test_sft_lines_read_as_conversations_with_their_line_numbers(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "sft.jsonl", [sft_conversation(), "", sft_conversation("Q2")])
    examples = read_sft_file(path)
    assert [example.line for example in examples] == [1, 3]
    first = examples[0]
    assert [message.role for message in first.messages] == [
        "system",
        "user",
        "assistant",
        "user",
        "assistant",
    ]
    assert first.messages[2] == Message("assistant", FIRST)
    assert first.to_trl() == sft_conversation()


def test_dpo_lines_read_as_preferences(tmp_path: Path) -> None:
    row = {**dpo_pair(), "score_chosen": 13, "turn": 0}  # extra provenance keys are ignored
    pairs = read_dpo_file(write_jsonl(tmp_path / "dpo.jsonl", [row]))
    assert len(pairs) == 1
    assert pairs[0].to_trl() == dpo_pair()


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("{not json", ["not valid JSON"]),
        ('{"conversation": []}', ["messages", "Field required"]),
        ('{"messages": [{"role": "user", "content": "hi"}]}', ["no assistant"]),
        (
            '{"messages": [{"role": "assistant", "content": "a"}, '
            '{"role": "user", "content": "b"}]}',
            ["must end with an assistant"],
        ),
        ('{"messages": [{"role": "robot", "content": "a"}]}', ["messages.0.role"]),
        ('{"messages": [{"role": "assistant", "content": 3}]}', ["messages.0.content"]),
    ],
)
def test_a_malformed_sft_line_is_named_by_file_and_line(
    tmp_path: Path, line: str, words: list[str]
) -> None:
    path = write_jsonl(tmp_path / "sft.jsonl", [sft_conversation(), line])
    with pytest.raises(DatasetError) as caught:
        read_sft_file(path)
    message = str(caught.value)
    assert isinstance(caught.value, UserError)
    assert message.startswith(f"{path}:2: "), message
    for word in words:
        assert word in message, message


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"prompt": []}, ["prompt must end with a user turn"]),
        ({"chosen": []}, ["chosen must be one or more assistant turns"]),
        ({"rejected": [{"role": "user", "content": "x"}]}, ["rejected must be"]),
    ],
)
def test_a_malformed_dpo_line_is_named(
    tmp_path: Path, change: dict[str, object], words: list[str]
) -> None:
    path = write_jsonl(tmp_path / "dpo.jsonl", [{**dpo_pair(), **change}])
    with pytest.raises(DatasetError, match=rf"^{path}:1: ") as caught:
        read_dpo_file(path)
    for word in words:
        assert word in str(caught.value)


def test_empty_missing_and_folder_data_are_clear_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    with pytest.raises(DatasetError, match="no examples"):
        read_sft_file(empty)
    with pytest.raises(DatasetError, match="no such data file"):
        read_dpo_file(tmp_path / "missing.jsonl")
    with pytest.raises(DatasetError, match="is a folder"):
        read_sft_file(tmp_path)


def test_keep_fitting_drops_whole_examples_and_names_them(tmp_path: Path) -> None:
    rows = [sft_conversation("short"), sft_conversation("long"), sft_conversation("mid")]
    examples = read_sft_file(write_jsonl(tmp_path / "sft.jsonl", rows))
    fitting = keep_fitting(examples, [100, 900, 512], 512, "sft.jsonl")
    assert [example.line for example in fitting.kept] == [1, 3]
    assert fitting.dropped == [{"line": 2, "tokens": 900}]
    assert fitting.longest == 512
    with pytest.raises(DatasetError, match=r"every example is longer than max_length = 64.*100"):
        keep_fitting(examples, [100, 900, 512], 64, "sft.jsonl")

"""The original release's formats (LLaMA-Factory alpaca SFT, sharegpt ranking DPO) in and out,
and clear errors for malformed files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from codesteer.train.dpo_data import Continuation, dpo_line, dpo_pairs
from codesteer.train.importers import (
    ImportFormatError,
    import_file,
    messages_to_alpaca,
    pair_to_sharegpt,
)
from tests.train.data_cli import train_cli
from tests.train.data_helpers import hand_transcript

DATA = Path(__file__).parent / "data"


def entries(path: Path) -> list[dict[str, Any]]:
    text = path.read_text()
    if text.lstrip().startswith("["):
        return list(json.loads(text))
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def alpaca_as_written(entry: dict[str, Any]) -> dict[str, Any]:
    """An alpaca entry as the exporter writes it: input joined to the instruction, history
    always present, unknown keys dropped."""
    instruction = entry["instruction"]
    if entry.get("input"):
        instruction = f"{instruction}\n{entry['input']}"
    kept = {"instruction": instruction, "output": entry["output"]}
    kept["history"] = [list(pair) for pair in entry.get("history") or []]
    if "system" in entry:
        kept["system"] = entry["system"]
    return kept


@pytest.mark.parametrize("name", ["alpaca_sft.json", "alpaca_sft.jsonl"])
def test_alpaca_round_trips(name: str, tmp_path: Path) -> None:
    out = tmp_path / "sft.jsonl"
    result = import_file(DATA / name, "alpaca", out)
    imported = entries(out)
    assert result.entries == len(imported) == 2
    originals = entries(DATA / name)
    for original, record in zip(originals, imported, strict=True):
        assert list(record) == ["messages"]
        assert messages_to_alpaca(record["messages"]) == alpaca_as_written(original)


def test_alpaca_conversations_follow_the_history(tmp_path: Path) -> None:
    out = tmp_path / "sft.jsonl"
    import_file(DATA / "alpaca_sft.json", "alpaca", out, system="default system")
    first, second = (record["messages"] for record in entries(out))
    original = entries(DATA / "alpaca_sft.json")[0]
    assert [m["role"] for m in first] == ["system", *["user", "assistant"] * 3]
    assert first[0]["content"] == original["system"]  # the entry's own system wins
    assert first[1]["content"] == original["history"][0][0]
    assert first[-2:] == [
        {"role": "user", "content": original["instruction"]},
        {"role": "assistant", "content": original["output"]},
    ]
    assert second[0] == {"role": "system", "content": "default system"}


def test_sharegpt_round_trips(tmp_path: Path) -> None:
    out = tmp_path / "dpo.jsonl"
    assert import_file(DATA / "sharegpt_dpo.json", "sharegpt", out).entries == 2
    for original, record in zip(entries(DATA / "sharegpt_dpo.json"), entries(out), strict=True):
        assert sorted(record) == ["chosen", "prompt", "rejected"]
        assert record["prompt"][-1]["role"] == "user"
        exported = pair_to_sharegpt(record["prompt"], record["chosen"][0], record["rejected"][0])
        scores = ("score_chosen", "score_rejected")
        assert exported == {k: v for k, v in original.items() if k not in scores}


def test_our_pairs_survive_the_trip_through_sharegpt(tmp_path: Path) -> None:
    original = hand_transcript([("Text", "think"), ("Return Answer", "ok")], correct=False)
    better = hand_transcript([("Code", "compute"), ("Return Answer", "ok")], correct=True)
    (pair,) = dpo_pairs(original, [Continuation(0, 0, better)])
    shared = tmp_path / "shared.json"
    shared.write_text(json.dumps([pair_to_sharegpt(list(pair.prompt), pair.chosen, pair.rejected)]))
    out = tmp_path / "back.jsonl"
    import_file(shared, "sharegpt", out)
    assert out.read_text() == dpo_line(pair) + "\n"


@pytest.mark.parametrize(
    ("name", "data_format", "message"),
    [
        ("alpaca_missing_output.jsonl", "alpaca", r"alpaca_missing_output.jsonl:2: .*output"),
        (
            "alpaca_bad_history.json",
            "alpaca",
            r"alpaca_bad_history.json: entry 2: not a valid alpaca entry \(history: must be a list",
        ),
        ("sharegpt_ends_with_gpt.jsonl", "sharegpt", r"\.jsonl:1: .*must end with a user turn"),
        ("sharegpt_chosen_from_human.json", "sharegpt", r"entry 2: .*chosen must come from gpt"),
        ("broken.json", "alpaca", r"broken.json:3: not valid JSON"),
        (
            "alpaca_sft.json",
            "sharegpt",
            r"alpaca_sft.json: entry 1: .*conversations: Field required",
        ),
    ],
)
def test_malformed_files_are_named_with_their_place(
    name: str, data_format: Any, message: str, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    with pytest.raises(ImportFormatError, match=message):
        import_file(DATA / name, data_format, out)
    assert not out.exists()  # nothing half-written


def test_empty_and_missing_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.json"
    empty.write_text("[]")
    with pytest.raises(ImportFormatError, match="holds no entries"):
        import_file(empty, "alpaca", tmp_path / "out.jsonl")
    with pytest.raises(ImportFormatError, match="no such file"):
        import_file(tmp_path / "nope.json", "alpaca", tmp_path / "out.jsonl")
    numbers = tmp_path / "numbers.jsonl"
    numbers.write_text("[1, 2]\n")
    with pytest.raises(ImportFormatError, match=r"entry 1: .*must be a JSON object"):
        import_file(numbers, "alpaca", tmp_path / "out.jsonl")


def test_the_command_converts_and_reports_errors_in_one_line(tmp_path: Path) -> None:
    out = tmp_path / "dpo.jsonl"
    done = train_cli(
        "import-data", str(DATA / "sharegpt_dpo.json"), "--format", "sharegpt", "--out", str(out),
        "--json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["entries"] == 2 and len(entries(out)) == 2

    again = train_cli(
        "import-data", str(DATA / "sharegpt_dpo.json"), "-f", "sharegpt", "-o", str(out)
    )
    assert again.returncode == 2 and "exists; give --overwrite" in again.stderr

    bad = train_cli(
        "import-data", str(DATA / "alpaca_bad_history.json"), "--format", "alpaca", "--out",
        str(tmp_path / "x.jsonl"),
    )  # fmt: skip
    assert bad.returncode == 2
    (line,) = bad.stderr.strip().splitlines()
    assert line.startswith("error:") and "entry 2" in line and "Traceback" not in bad.stderr

    unknown = train_cli("import-data", str(out), "--format", "csv", "--out", str(tmp_path / "y"))
    assert unknown.returncode == 2 and "unknown --format 'csv'" in unknown.stderr

"""``codesteer train sft|dpo`` as a user runs them: help with examples, one ``error:`` line and
exit code 2 for every mistake in settings or data, a light import, and one real run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.train.trainer_cli import codesteer_train
from tests.train.trainer_helpers import SHORT_SYSTEM, TINY, dpo_pair, sft_conversation, write_jsonl


def assert_one_error_line(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_importing_the_commands_does_not_import_the_training_stack() -> None:
    code = (
        "import sys, codesteer.cli.train, codesteer.train.sft, codesteer.train.dpo\n"
        "print([m for m in ('torch', 'transformers', 'trl', 'peft', 'datasets', 'yaml') "
        "if m in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("kind", ["sft", "dpo"])
def test_help_teaches_with_examples(kind: str) -> None:
    result = codesteer_train(kind, "--help")
    assert result.returncode == 0, result.stderr
    for words in ("Examples", f"codesteer train {kind} {kind}.toml", "--resume", "--set", "qlora"):
        assert words in result.stdout, words


def test_an_unknown_key_in_the_file(tmp_path: Path) -> None:
    config = tmp_path / "sft.toml"
    config.write_text('data = "d.jsonl"\nout = "o"\nlerning_rate = 1e-4\n')
    assert_one_error_line(
        codesteer_train("sft", str(config)), "lerning_rate", "unknown key", "learning_rate"
    )


def test_a_bad_value_on_the_command_line(tmp_path: Path) -> None:
    result = codesteer_train("dpo", "--data", "d.jsonl", "--out", "o", "--set", "beta=-1")
    assert_one_error_line(result, "beta", "greater than 0")
    result = codesteer_train("sft", "--out", "o")
    assert_one_error_line(result, "data", "--data")


def test_empty_and_malformed_data(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    result = codesteer_train("sft", "--data", str(empty), "--out", str(tmp_path / "run"))
    assert_one_error_line(result, str(empty), "no examples")
    broken = write_jsonl(tmp_path / "dpo.jsonl", [dpo_pair(), '{"prompt": ['])
    result = codesteer_train("dpo", "--data", str(broken), "--out", str(tmp_path / "run"))
    assert_one_error_line(result, f"{broken}:2", "not valid JSON")
    assert not (tmp_path / "run").exists()  # nothing is created for data that cannot train


def test_resume_without_a_checkpoint(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "sft.jsonl", [sft_conversation()])
    result = codesteer_train("sft", "--data", str(data), "--out", str(tmp_path / "run"), "--resume")
    assert_one_error_line(result, "nothing to resume")


@pytest.mark.slow
def test_a_real_run_prints_its_result_as_json(gguf: Path, tmp_path: Path) -> None:
    config = tmp_path / "sft.yaml"
    settings = dict(item.split("=") for item in TINY if not item.startswith("lora."))
    config.write_text(
        f"base: {gguf}\ndata: sft.jsonl\nout: run\nsave_steps: 1\nlora:\n  r: 4\n"
        + "".join(f"{key}: {value}\n" for key, value in settings.items())
    )
    write_jsonl(tmp_path / "sft.jsonl", [sft_conversation(system=SHORT_SYSTEM)])
    result = codesteer_train("sft", str(config), "--max-steps", "1", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["kind"] == "sft" and report["steps"] == 1
    assert report["examples_used"] == 1 and report["examples_dropped"] == 0
    assert Path(report["adapter_dir"]) == tmp_path / "run" / "adapter"
    assert (tmp_path / "run" / "adapter" / "adapter_model.safetensors").is_file()
    assert "training on cpu" in result.stderr and "Traceback" not in result.stderr
    again = codesteer_train("sft", str(config), "--max-steps", "1")
    assert_one_error_line(again, "already holds a training run", "--resume")

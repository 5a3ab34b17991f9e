"""LoRA and QLoRA SFT on the real SmolLM2 (materialised from its GGUF) with trl: the labels, a
few real steps, the saved adapter, dropped examples, resuming. CPU, a few minutes."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import pytest

from codesteer.errors import UserError
from codesteer.train.base import run_prepared
from codesteer.train.config import SFTConfig, load_sft_config
from codesteer.train.progress import (
    CheckpointSaved,
    DataPrepared,
    Logged,
    StepDone,
    TrainEvent,
    TrainingStarted,
    TrainResult,
)
from codesteer.train.sft import prepare_sft, train_sft
from codesteer.train.templates import has_generation_markers
from tests.train.trainer_helpers import (
    FIRST,
    LAST,
    SHORT_SYSTEM,
    TINY,
    long_sft_conversation,
    sft_conversation,
    smollm2_hf,
    write_jsonl,
)

pytestmark = pytest.mark.slow
os.environ.setdefault("HF_HUB_OFFLINE", "1")

SHORT = sft_conversation(system=SHORT_SYSTEM)


def _config(gguf: Path, data: Path, out: Path, *extra: str) -> SFTConfig:
    return load_sft_config(
        None, [*TINY, *extra], values={"data": data, "out": out, "base": str(gguf)}
    )


class Trained:
    def __init__(self, result: TrainResult, events: list[TrainEvent], hf_dir: Path) -> None:
        self.result = result
        self.events = events
        self.hf_dir = hf_dir


@pytest.fixture(scope="module")
def trained(gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Trained:
    """Four steps on one short trajectory (the long one is left out): one repeated batch."""
    tmp = tmp_path_factory.mktemp("sft")
    data = write_jsonl(tmp / "sft.jsonl", [SHORT, long_sft_conversation()])
    events: list[TrainEvent] = []
    config = _config(gguf, data, tmp / "run", "max_steps=4", "save_steps=4")
    result = train_sft(config, events.append)
    return Trained(result, events, smollm2_hf(gguf))


def _runs(labels: list[int]) -> list[tuple[int, int]]:
    """Start and end of each stretch of positions that count for the loss."""
    runs: list[tuple[int, int]] = []
    for index, label in enumerate(labels):
        if label == -100:
            continue
        if runs and runs[-1][1] == index:
            runs[-1] = (runs[-1][0], index + 1)
        else:
            runs.append((index, index + 1))
    return runs


def test_the_labels_mask_everything_but_the_steering_turns(gguf: Path, tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "sft.jsonl", [sft_conversation()])
    prepared = prepare_sft(_config(gguf, data, tmp_path / "run"))
    example = prepared.trainer.train_dataset[0]
    ids: list[int] = example["input_ids"]
    labels: list[int] = example["labels"]
    assert all(label in (-100, token) for token, label in zip(ids, labels, strict=True))
    decode = prepared.tokenizer.decode
    spans = [decode(ids[start:end]) for start, end in _runs(labels)]
    assert spans == [f"{FIRST}<|im_end|>", f"{LAST}<|im_end|>"]
    masked = decode([token for token, label in zip(ids, labels, strict=True) if label == -100])
    assert "You steer another language model" in masked  # the system prompt: not trained
    assert "Review 1 of 5" in masked  # the review input: not trained
    # The tokenizer that checkpoints and the adapter save keeps the inference template.
    assert not has_generation_markers(prepared.tokenizer.chat_template)


def test_loss_is_finite_and_falls_on_one_repeated_batch(trained: Trained) -> None:
    result = trained.result
    assert result.steps == 4
    steps = [step for step, _ in result.losses]
    losses = [loss for _, loss in result.losses]
    assert steps == [1, 2, 3, 4]
    assert all(math.isfinite(loss) for loss in losses)
    assert losses[-1] < losses[0] * 0.9, losses
    assert result.final_loss == losses[-1]
    assert result.tokens_per_second > 0 and result.seconds > 0


def test_the_long_example_is_dropped_and_counted(trained: Trained) -> None:
    result = trained.result
    assert (result.examples_used, result.examples_dropped) == (1, 1)
    prepared = [event for event in trained.events if isinstance(event, DataPrepared)]
    assert len(prepared) == 1 and prepared[0].dropped == 1 and prepared[0].longest <= 512
    summary = json.loads((result.out_dir / "train_summary.json").read_text())
    assert [entry["line"] for entry in summary["dropped"]] == [2]
    assert summary["dropped"][0]["tokens"] > 512
    assert summary["result"]["examples_dropped"] == 1
    assert summary["protocol_version"].startswith("codesteer-protocol/")
    assert summary["config"]["max_length"] == 512


def test_progress_events_follow_the_steps(trained: Trained) -> None:
    events = trained.events
    started = [event for event in events if isinstance(event, TrainingStarted)]
    assert len(started) == 1
    assert (started[0].total_steps, started[0].start_step, started[0].device) == (4, 0, "cpu")
    assert started[0].trainable_parameters > 0
    assert [e.step for e in events if isinstance(e, StepDone)] == [1, 2, 3, 4]
    logged = [event for event in events if isinstance(event, Logged)]
    assert [event.step for event in logged] == [1, 2, 3, 4]
    assert all("loss" in event.metrics and "learning_rate" in event.metrics for event in logged)
    saved = [event for event in events if isinstance(event, CheckpointSaved)]
    assert [event.step for event in saved] == [4] and saved[0].path.is_dir()


def test_the_adapter_loads_with_peft_and_changes_the_model(trained: Trained) -> None:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    adapter = trained.result.adapter_dir
    config = json.loads((adapter / "adapter_config.json").read_text())
    assert config["r"] == 8 and config["peft_type"] == "LORA"
    tokenizer = AutoTokenizer.from_pretrained(adapter)
    base_tokenizer = AutoTokenizer.from_pretrained(trained.hf_dir)
    assert tokenizer.chat_template == base_tokenizer.chat_template  # the inference template

    base = AutoModelForCausalLM.from_pretrained(trained.hf_dir)
    model: Any = PeftModel.from_pretrained(base, adapter)
    model.eval()
    messages = SHORT["messages"][:2]
    prompt = tokenizer.apply_chat_template(
        messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
    )
    with torch.no_grad():
        tuned = model(**prompt).logits[0, -1]
        with model.disable_adapter():
            plain = model(**prompt).logits[0, -1]
    assert torch.isfinite(tuned).all()
    assert (tuned - plain).abs().max().item() > 1e-2
    # What it learned: the steering reply's first token is likelier with the adapter.
    first = tokenizer(FIRST, add_special_tokens=False)["input_ids"][0]
    assert tuned.log_softmax(-1)[first] > plain.log_softmax(-1)[first]


def test_qlora_trains_on_a_4bit_base(gguf: Path, tmp_path: Path) -> None:
    import bitsandbytes as bnb

    data = write_jsonl(tmp_path / "sft.jsonl", [SHORT])
    config = _config(gguf, data, tmp_path / "run", "qlora=true", "max_steps=1", "save_steps=1")
    prepared = prepare_sft(config)
    quantized = [m for m in prepared.trainer.model.modules() if isinstance(m, bnb.nn.Linear4bit)]
    assert len(quantized) >= 7 * 30  # every projection of SmolLM2's 30 layers is 4-bit
    assert quantized[0].weight.quant_type == "nf4"
    result = run_prepared(prepared)
    assert result.steps == 1
    assert result.final_loss is not None and math.isfinite(result.final_loss)
    assert (result.adapter_dir / "adapter_model.safetensors").is_file()
    summary = json.loads((result.out_dir / "train_summary.json").read_text())
    assert summary["config"]["qlora"] is True


def test_resume_continues_from_the_last_checkpoint(gguf: Path, tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "sft.jsonl", [SHORT])
    out = tmp_path / "run"
    first = train_sft(_config(gguf, data, out, "max_steps=1", "save_steps=1"))
    assert first.steps == 1 and (out / "checkpoints" / "checkpoint-1").is_dir()
    with pytest.raises(UserError, match="--resume"):
        train_sft(_config(gguf, data, out, "max_steps=2", "save_steps=1"))

    events: list[TrainEvent] = []
    second = train_sft(
        _config(gguf, data, out, "max_steps=2", "save_steps=1"), events.append, resume=True
    )
    started = next(event for event in events if isinstance(event, TrainingStarted))
    assert started.start_step == 1 and started.resumed_from == out / "checkpoints" / "checkpoint-1"
    assert [event.step for event in events if isinstance(event, StepDone)] == [2]
    assert second.steps == 2 and second.resumed_from_step == 1
    assert [step for step, _ in second.losses] == [2]
    assert (out / "checkpoints" / "checkpoint-2").is_dir()
    assert (out / "adapter" / "adapter_model.safetensors").is_file()
    assert sorted(p.name for p in out.iterdir()) == ["adapter", "checkpoints", "train_summary.json"]

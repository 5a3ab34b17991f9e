"""DPO on the real SmolLM2 with trl, starting from an SFT adapter trained here: the SFT model is
the reference, rewards and margins are logged, the trained adapter alone is saved."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest

from codesteer.errors import ConfigError, ModelNotFoundError
from codesteer.train.config import load_dpo_config, load_sft_config
from codesteer.train.dpo import resolve_start, train_dpo
from codesteer.train.progress import Logged, TrainEvent, TrainResult
from codesteer.train.sft import train_sft
from tests.train.trainer_helpers import (
    QUESTION,
    SHORT_SYSTEM,
    TINY,
    dpo_pair,
    sft_conversation,
    smollm2_hf,
    write_jsonl,
)

pytestmark = pytest.mark.slow
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="module")
def sft_adapter(gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("sft")
    data = write_jsonl(tmp / "sft.jsonl", [sft_conversation(system=SHORT_SYSTEM)])
    config = load_sft_config(
        None,
        [*TINY, "max_steps=1", "save_steps=1"],
        values={"data": data, "out": tmp / "run", "base": str(gguf)},
    )
    return train_sft(config).adapter_dir


class Trained:
    def __init__(self, result: TrainResult, events: list[TrainEvent]) -> None:
        self.result = result
        self.logged = [event for event in events if isinstance(event, Logged)]


@pytest.fixture(scope="module")
def dpo_run(sft_adapter: Path, tmp_path_factory: pytest.TempPathFactory) -> Trained:
    """Two steps from the SFT adapter; the base comes from the adapter's own record."""
    tmp = tmp_path_factory.mktemp("dpo")
    long_pair = dpo_pair(question=QUESTION + " " + "steer " * 800, system=SHORT_SYSTEM)
    data = write_jsonl(tmp / "dpo.jsonl", [dpo_pair(system=SHORT_SYSTEM), long_pair])
    config = load_dpo_config(
        None,
        [*TINY, "max_steps=2", "save_steps=2", "beta=0.1"],
        values={"data": data, "out": tmp / "run", "sft_adapter": sft_adapter},
    )
    events: list[TrainEvent] = []
    return Trained(train_dpo(config, events.append), events)


def test_the_sft_model_is_the_reference(dpo_run: Trained) -> None:
    # At the first step the policy is the SFT adapter itself: every reward is exactly zero
    # only if the reference is that same SFT model (not the bare base).
    first = dpo_run.logged[0].metrics
    assert first["rewards/chosen"] == 0.0 and first["rewards/rejected"] == 0.0
    assert first["rewards/margins"] == 0.0
    assert first["loss"] == pytest.approx(math.log(2), rel=1e-4)


def test_rewards_and_margins_are_logged_and_move(dpo_run: Trained) -> None:
    result = dpo_run.result
    assert result.kind == "dpo" and result.steps == 2
    assert [event.step for event in dpo_run.logged] == [1, 2]
    for key in ("rewards/chosen", "rewards/rejected", "rewards/margins", "rewards/accuracies"):
        assert key in result.metrics and math.isfinite(result.metrics[key])
    assert result.metrics["rewards/margins"] > 0  # one step on the pair prefers "chosen"
    assert result.final_loss is not None and result.final_loss < math.log(2)


def test_an_overlong_pair_is_dropped_and_counted(dpo_run: Trained) -> None:
    result = dpo_run.result
    assert (result.examples_used, result.examples_dropped) == (1, 1)
    summary = json.loads((result.out_dir / "train_summary.json").read_text())
    assert [entry["line"] for entry in summary["dropped"]] == [2]
    assert summary["kind"] == "dpo" and summary["sft_adapter"]


def test_the_trained_adapter_alone_is_saved(dpo_run: Trained, sft_adapter: Path) -> None:
    from safetensors.torch import load_file

    adapter = dpo_run.result.adapter_dir
    assert (adapter / "adapter_model.safetensors").is_file()
    assert not (adapter / "ref").exists()  # trl's frozen reference copy is not the result
    trained = load_file(adapter / "adapter_model.safetensors")
    start = load_file(sft_adapter / "adapter_model.safetensors")
    assert trained.keys() == start.keys()
    assert any(not trained[key].float().equal(start[key].float()) for key in trained)


def test_dpo_on_a_merged_model_trains_a_new_lora(gguf: Path, tmp_path: Path) -> None:
    hf_dir = smollm2_hf(gguf)  # a full model folder stands for a merged SFT model
    data = write_jsonl(tmp_path / "dpo.jsonl", [dpo_pair(system=SHORT_SYSTEM)])
    config = load_dpo_config(
        None,
        [*TINY, "max_steps=1", "save_steps=1"],
        values={"data": data, "out": tmp_path / "run", "sft_adapter": hf_dir},
    )
    events: list[TrainEvent] = []
    result = train_dpo(config, events.append)
    first = next(event for event in events if isinstance(event, Logged))
    assert first.metrics["rewards/margins"] == 0.0  # a new LoRA starts as the model itself
    assert (result.adapter_dir / "adapter_config.json").is_file()


def test_where_dpo_starts_and_the_mistakes_it_names(gguf: Path, tmp_path: Path) -> None:
    hf_dir = smollm2_hf(gguf)

    def config(**values: object) -> object:
        return load_dpo_config(None, values={"data": "d.jsonl", "out": "o", **values})

    merged = resolve_start(config(sft_adapter=hf_dir))  # type: ignore[arg-type]
    assert merged.base.hf_dir == hf_dir and merged.adapter is None
    with pytest.raises(ConfigError, match="drop base"):
        resolve_start(config(sft_adapter=hf_dir, base=str(hf_dir)))  # type: ignore[arg-type]
    with pytest.raises(ModelNotFoundError, match="neither a LoRA adapter"):
        resolve_start(config(sft_adapter=tmp_path))  # type: ignore[arg-type]
    orphan = tmp_path / "orphan"
    orphan.mkdir()
    (orphan / "adapter_config.json").write_text(
        json.dumps({"base_model_name_or_path": str(tmp_path / "gone")})
    )
    with pytest.raises(ConfigError, match="set base"):
        resolve_start(config(sft_adapter=orphan))  # type: ignore[arg-type]
    named = resolve_start(config(sft_adapter=orphan, base=str(hf_dir)))  # type: ignore[arg-type]
    assert named.base.hf_dir == hf_dir and named.adapter == orphan

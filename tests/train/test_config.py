"""Training settings: TOML and YAML files, --set overrides, CLI values, and one clear error naming
the key for everything a user can get wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from codesteer.errors import ConfigError, UserError
from codesteer.train.config import (
    DPOConfig,
    LoraSettings,
    SFTConfig,
    load_dpo_config,
    load_sft_config,
    parse_override,
)

TOML = """
base = "default"
data = "data/sft.jsonl"
out = "runs/sft"
learning_rate = 1e-4
max_steps = 40
qlora = true
bf16 = "auto"
gradient_checkpointing = false

[lora]
r = 8
alpha = 16
target_modules = ["q_proj", "v_proj"]
"""

YAML = """
data: data/dpo.jsonl
out: runs/dpo
sft_adapter: runs/sft/adapter
beta: 0.2
epochs: 2
lora:
  r: 4
  dropout: 0.1
"""


def test_a_toml_file_loads_with_paths_relative_to_it(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "sft.toml"
    path.parent.mkdir()
    path.write_text(TOML)
    config = load_sft_config(path)
    assert isinstance(config, SFTConfig)
    assert config.data == tmp_path / "conf" / "data" / "sft.jsonl"
    assert config.out == tmp_path / "conf" / "runs" / "sft"
    assert config.base == "default"
    assert config.learning_rate == 1e-4 and config.max_steps == 40 and config.qlora is True
    assert config.bf16 == "auto" and config.gradient_checkpointing is False
    assert config.lora == LoraSettings(r=8, alpha=16, target_modules=("q_proj", "v_proj"))
    assert config.max_length == 8192  # the default fits CodeSteer's ~7k-token trajectories


def test_a_yaml_file_loads_with_the_dpo_keys(tmp_path: Path) -> None:
    path = tmp_path / "dpo.yaml"
    path.write_text(YAML)
    config = load_dpo_config(path)
    assert isinstance(config, DPOConfig)
    assert config.sft_adapter == tmp_path / "runs" / "sft" / "adapter"
    assert config.beta == 0.2 and config.epochs == 2
    assert config.lora.r == 4 and config.lora.dropout == 0.1 and config.lora.alpha == 32


def test_overrides_then_flags_win_over_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "sft.toml"
    path.write_text(TOML)
    monkeypatch.chdir(tmp_path)
    config = load_sft_config(
        path,
        ["lora.r=32", "learning_rate=3e-5", "qlora=false", 'lora.target_modules="all-linear"'],
        values={"out": "elsewhere", "max_steps": 7, "base": None},
    )
    assert config.lora.r == 32 and config.lora.alpha == 16  # the table is merged, not replaced
    assert config.lora.target_modules == "all-linear"
    assert config.learning_rate == 3e-5 and config.qlora is False and config.max_steps == 7
    assert config.out == tmp_path / "elsewhere"  # a CLI path is relative to the current folder
    assert config.base == "default"  # a None flag leaves the file's value


def test_settings_without_a_file_need_data_and_out() -> None:
    config = load_sft_config(None, ["data=/d.jsonl"], values={"out": "/o"})
    assert config.data == Path("/d.jsonl") and config.out == Path("/o")
    with pytest.raises(ConfigError, match=r"data: missing.*--data"):
        load_sft_config(None, values={"out": "/o"})


def test_parse_override_reads_toml_values_and_keeps_other_text() -> None:
    assert parse_override("lora.r=8") == (("lora", "r"), 8)
    assert parse_override("bf16 = true") == (("bf16",), True)
    assert parse_override("base=/models/steer.gguf") == (("base",), "/models/steer.gguf")
    assert parse_override('x=["a", "b"]') == (("x",), ["a", "b"])
    with pytest.raises(ConfigError, match="KEY=VALUE"):
        parse_override("learning_rate")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("lerning_rate = 1e-4", ["lerning_rate", "unknown key", "learning_rate"]),
        ("[lora]\nrank = 8", ["lora.rank", "unknown key"]),
        ('"lora.r" = 8', ["lora.r", "unknown key", "inside the lora table"]),
        ("learning_rate = -1", ["learning_rate", "greater than 0"]),
        ("max_length = 'long'", ["max_length", "integer"]),
        ("bf16 = 'yes'", ["bf16", "'auto'"]),
        ("lr_scheduler = 'cosinus'", ["lr_scheduler", "cosine"]),
        ("lora = 3", ["lora"]),
        ("learning_rate = ", ["not valid TOML"]),
    ],
)
def test_a_bad_file_is_a_config_error_naming_the_key(
    tmp_path: Path, text: str, words: list[str]
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('data = "d.jsonl"\nout = "o"\n' + text + "\n")
    with pytest.raises(ConfigError) as caught:
        load_sft_config(path)
    message = str(caught.value)
    assert isinstance(caught.value, UserError) and "\n" not in message
    assert str(path) in message
    for word in words:
        assert word in message, message


def test_a_bad_override_names_its_key() -> None:
    with pytest.raises(ConfigError, match=r"lora\.r: Input should be greater than 0"):
        load_sft_config(None, ["lora.r=0"], values={"data": "d", "out": "o"})
    with pytest.raises(ConfigError, match=r"beta: unknown key"):
        load_sft_config(None, ["beta=0.2"], values={"data": "d", "out": "o"})


def test_yaml_errors_and_unknown_formats(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("data: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_dpo_config(broken)
    listed = tmp_path / "list.yml"
    listed.write_text("- data\n- out\n")
    with pytest.raises(ConfigError, match="mapping"):
        load_dpo_config(listed)
    other = tmp_path / "conf.json"
    other.write_text("{}")
    with pytest.raises(ConfigError, match=r"\.toml or \.yaml"):
        load_sft_config(other)
    with pytest.raises(ConfigError, match="no such config file"):
        load_sft_config(tmp_path / "missing.toml")


def test_to_dict_is_json_ready(tmp_path: Path) -> None:
    path = tmp_path / "sft.toml"
    path.write_text(TOML)
    data = load_sft_config(path).to_dict()
    assert data["data"] == str(tmp_path / "data" / "sft.jsonl")
    assert data["lora"]["target_modules"] == ["q_proj", "v_proj"]
    assert data["max_steps"] == 40 and data["qlora"] is True

"""User mistakes get one clear UserError (one ``error:`` line and exit code 2 in the CLI)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from codesteer.convert.errors import ConversionError
from codesteer.convert.fidelity import check_fidelity
from codesteer.convert.gguf_export import convert_to_gguf, lora_to_gguf
from codesteer.convert.merge import merge_adapter
from codesteer.convert.ollama import write_modelfile
from codesteer.convert.quantize import quantize
from codesteer.errors import ModelNotFoundError, UserError


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tests.convert.cli", *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )


def assert_one_error_line(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    for word in words:
        assert word in lines[0], lines[0]


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="no such Hugging Face model folder"):
        convert_to_gguf(tmp_path / "nope", tmp_path / "x.gguf")
    with pytest.raises(ModelNotFoundError, match="no such LoRA adapter folder"):
        lora_to_gguf(tmp_path / "nope", tmp_path, tmp_path / "x.gguf")


def test_folder_that_is_not_a_model(tmp_path: Path) -> None:
    with pytest.raises(ConversionError, match=r"no config\.json"):
        convert_to_gguf(tmp_path, tmp_path / "x.gguf")
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ConversionError, match="holds no weights"):
        convert_to_gguf(tmp_path, tmp_path / "x.gguf")
    (tmp_path / "adapter_config.json").write_text("{}")
    with pytest.raises(ConversionError, match="is a LoRA adapter"):
        convert_to_gguf(tmp_path, tmp_path / "x.gguf")
    with pytest.raises(ConversionError, match="holds no adapter_model"):
        lora_to_gguf(tmp_path, tmp_path, tmp_path / "x.gguf")


def test_unknown_output_and_quant_types(hf_ref: Path, f16_or_source: Path, tmp_path: Path) -> None:
    with pytest.raises(ConversionError, match="unknown output type 'q4_k_m'"):
        convert_to_gguf(hf_ref, tmp_path / "x.gguf", "q4_k_m")
    with pytest.raises(ConversionError, match=r"unknown quantisation type 'Q9_9'.*Q4_K_M"):
        quantize(f16_or_source, tmp_path / "x.gguf", "Q9_9")
    assert not list(tmp_path.iterdir())


@pytest.fixture
def f16_or_source(gguf: Path) -> Path:
    """Any real GGUF: the type is rejected before the file is read."""
    return gguf


def test_not_a_gguf(not_a_gguf: Path, tmp_path: Path, hf_ref: Path) -> None:
    for call in (
        lambda: quantize(not_a_gguf, tmp_path / "q.gguf", "Q8_0"),
        lambda: write_modelfile(not_a_gguf, tmp_path / "Modelfile"),
        lambda: check_fidelity(not_a_gguf, hf_ref, prompts=()),
    ):
        with pytest.raises(ConversionError, match="is not a GGUF file"):
            call()
    with pytest.raises(ConversionError, match="is a folder"):
        quantize(tmp_path, tmp_path / "q.gguf")
    with pytest.raises(ModelNotFoundError, match="no such GGUF file"):
        quantize(tmp_path / "missing.gguf", tmp_path / "q.gguf")


def test_already_quantised_input(gguf: Path, tmp_path: Path) -> None:
    with pytest.raises(ConversionError, match=r"already quantised \(file type Q4_1\)"):
        quantize(gguf, tmp_path / "q.gguf", "Q8_0")


def test_truncated_gguf(truncated_gguf: Path, hf_ref: Path, tmp_path: Path) -> None:
    with pytest.raises(ConversionError, match="truncated or corrupt"):
        check_fidelity(truncated_gguf, hf_ref, prompts=())
    with pytest.raises(ConversionError, match="truncated or corrupt"):
        write_modelfile(truncated_gguf, tmp_path / "Modelfile")


def test_merge_refuses_a_quantised_base(hf_ref: Path, tmp_path: Path) -> None:
    """A 4-bit base (as QLoRA trains on) is refused before anything is loaded."""
    base = tmp_path / "base-4bit"
    base.mkdir()
    config = json.loads((hf_ref / "config.json").read_text())
    config["quantization_config"] = {"quant_method": "bitsandbytes", "load_in_4bit": True}
    (base / "config.json").write_text(json.dumps(config))
    (base / "model.safetensors").symlink_to(hf_ref / "model.safetensors")
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    (adapter / "adapter_config.json").write_text("{}")
    (adapter / "adapter_model.safetensors").write_bytes(b"")
    with pytest.raises(ConversionError, match="bitsandbytes model; merge the adapter into the"):
        merge_adapter(base, adapter, tmp_path / "merged")
    with pytest.raises(ModelNotFoundError):
        merge_adapter(tmp_path / "nope", adapter, tmp_path / "merged")
    with pytest.raises(ConversionError, match="would replace an input"):
        merge_adapter(hf_ref, adapter, adapter)


def test_user_errors_are_user_errors() -> None:
    assert issubclass(ConversionError, UserError)


def test_cli_errors_are_one_line(not_a_gguf: Path, tmp_path: Path) -> None:
    assert_one_error_line(run_cli("quantize", str(not_a_gguf)), "is not a GGUF file")
    assert_one_error_line(
        run_cli("gguf", str(tmp_path / "nope"), "--out", str(tmp_path / "x.gguf")),
        "no such Hugging Face model folder",
    )
    assert_one_error_line(
        run_cli("check", str(tmp_path / "nope.gguf"), "--reference", str(tmp_path)),
        "no such GGUF file",
    )


def test_cli_imports_no_heavy_library() -> None:
    """``codesteer --help`` must not pay for torch: the convert commands import it lazily."""
    code = (
        "import sys, codesteer.cli.convert, codesteer.convert.quantize\n"
        "heavy = {'torch', 'transformers', 'peft', 'trl', 'gguf', 'llama_cpp', 'numpy'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("command", ["merge", "gguf", "quantize", "lora", "ollama", "check"])
def test_cli_help_teaches_with_an_example(command: str) -> None:
    result = run_cli(command, "--help")
    assert result.returncode == 0, result.stderr
    assert f"codesteer convert {command}" in result.stdout
    assert "Example" in result.stdout


def test_merge_of_an_adapter_for_another_model(hf_ref: Path, tmp_path: Path) -> None:
    """A real adapter, trained-shape for a small Llama, does not fit SmolLM2's layers."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    small = LlamaForCausalLM(
        LlamaConfig(
            vocab_size=49152,
            hidden_size=64,
            intermediate_size=128,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=2,
        )
    )
    adapter = get_peft_model(small, LoraConfig(r=4, target_modules=["q_proj", "v_proj"]))
    adapter.save_pretrained(tmp_path / "adapter")
    with pytest.raises(ConversionError, match="does not fit the base model"):
        merge_adapter(hf_ref, tmp_path / "adapter", tmp_path / "merged")
    assert not (tmp_path / "merged").exists()

"""A real LoRA adapter (peft, random non-zero B so it changes the model) through both export
paths: merged into the base, and converted to a GGUF adapter that llama.cpp applies at load."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from codesteer.convert.gguf_export import convert_to_gguf, lora_to_gguf
from codesteer.convert.gguf_meta import require_gguf
from codesteer.convert.merge import inference_template, merge_adapter
from tests.convert.conftest import THREADS
from tests.convert.test_chat_format import GENERATION_TEMPLATE

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("convert-smollm2")]

PROMPT = "<|im_start|>user\nWhat is 17 * 23?<|im_end|>\n<|im_start|>assistant\n17 * 23 ="


@pytest.fixture(scope="module")
def torch_threads() -> Iterator[None]:
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(THREADS)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def base_with_training_template(hf_ref: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference folder (weights linked, not copied) with a training chat template that
    carries {% generation %} markers, as a trainer using assistant-only loss leaves it."""
    folder = tmp_path_factory.mktemp("base")
    for entry in hf_ref.iterdir():
        if entry.name != "chat_template.jinja":
            (folder / entry.name).symlink_to(entry)
    (folder / "chat_template.jinja").write_text(GENERATION_TEMPLATE)
    return folder


@pytest.fixture(scope="module")
def adapter(hf_ref: Path, tmp_path_factory: pytest.TempPathFactory, torch_threads: None) -> Path:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(hf_ref, dtype=torch.float32)
    config = LoraConfig(
        r=8,
        lora_alpha=16,
        lora_dropout=0.0,
        target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj"],
        init_lora_weights=False,  # random A and B: a trained-looking adapter, not a no-op
    )
    peft_model = get_peft_model(model, config)
    with torch.no_grad():  # modest updates, so the model still talks
        for name, weight in peft_model.named_parameters():
            if "lora_B" in name:
                weight.mul_(0.05)
    folder = tmp_path_factory.mktemp("adapter")
    peft_model.save_pretrained(folder)
    return folder


@pytest.fixture(scope="module")
def merged(base_with_training_template: Path, adapter: Path, exports: Path) -> Path:
    return merge_adapter(base_with_training_template, adapter, exports / "merged")


def hf_logits(model: Any, ids: Sequence[int]) -> np.ndarray[Any, Any]:
    import torch

    with torch.no_grad():
        return model(torch.tensor([list(ids)])).logits[0].double().numpy()


def test_merge_equals_the_peft_model(
    merged: Path, hf_ref: Path, adapter: Path, torch_threads: None
) -> None:
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(merged)
    ids = tokenizer(PROMPT, add_special_tokens=False)["input_ids"]
    load = lambda folder: AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32)  # noqa: E731
    base = hf_logits(load(hf_ref), ids)
    with_adapter = hf_logits(PeftModel.from_pretrained(load(hf_ref), adapter).eval(), ids)
    merged_logits = hf_logits(load(merged), ids)
    assert np.abs(merged_logits - with_adapter).max() < 1e-3
    assert np.abs(merged_logits - base).max() > 0.1  # the adapter does change the model (0.74)


def test_merged_folder_has_the_inference_template(merged: Path, hf_ref: Path) -> None:
    from transformers import AutoTokenizer

    assert json.loads((merged / "config.json").read_text())["dtype"] == "float32"
    assert any(merged.glob("*.safetensors")) and not any(merged.glob("*.bin"))
    assert not list(merged.parent.glob(".merged*"))  # the temporary folder was renamed
    template = (merged / "chat_template.jinja").read_text()
    assert template == inference_template(GENERATION_TEMPLATE)
    assert "{% generation" not in template
    tokenizer = AutoTokenizer.from_pretrained(merged)
    reference = AutoTokenizer.from_pretrained(hf_ref)
    assert tokenizer("a b  c\n")["input_ids"] == reference("a b  c\n")["input_ids"]


@contextmanager
def llama(path: Path, lora: Path | None = None) -> Iterator[Any]:
    import llama_cpp

    model = llama_cpp.Llama(
        model_path=str(path),
        lora_path=str(lora) if lora else None,
        n_ctx=256,
        n_threads=THREADS,
        n_threads_batch=THREADS,
        logits_all=True,
        type_k=llama_cpp.GGML_TYPE_F32,
        type_v=llama_cpp.GGML_TYPE_F32,
        verbose=False,
    )
    try:
        yield model
    finally:
        model.close()


def llama_logits(model: Any, ids: Sequence[int]) -> np.ndarray[Any, Any]:
    model.reset()
    model.eval(list(ids))
    return np.array(model.scores[: len(ids)], dtype=np.float64)


def test_gguf_adapter_matches_the_merged_gguf(
    merged: Path, adapter: Path, hf_ref: Path, f32_gguf: Path, exports: Path
) -> None:
    """llama.cpp applying the adapter at load time computes what the merged model computes
    (both F32, F32 KV cache; measured 4e-5 here, 4e-6 in the field notes)."""
    adapter_gguf = lora_to_gguf(adapter, hf_ref, exports / "adapter-f32.gguf")
    require_gguf(adapter_gguf)
    merged_gguf = convert_to_gguf(merged, exports / "merged-f32.gguf", "f32")
    with llama(f32_gguf) as base_model:
        ids = base_model.tokenize(PROMPT.encode(), add_bos=False, special=True)
        base = llama_logits(base_model, ids)
    with llama(f32_gguf, adapter_gguf) as model:
        with_adapter = llama_logits(model, ids)
    with llama(merged_gguf) as model:
        merged_logits = llama_logits(model, ids)
    assert np.abs(with_adapter - merged_logits).max() < 1e-3
    assert np.abs(with_adapter - base).max() > 0.1

"""Training chat templates: generation markers around the steering turns, rendering exactly what
the base's own template renders, on SmolLM2's real tokenizer; and a clear error, saying what to
do, for a template codesteer cannot mark."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from codesteer.errors import ConfigError
from codesteer.train.base import training_chat_template
from codesteer.train.examples import Message
from codesteer.train.templates import (
    PROBE_CONVERSATIONS,
    TemplateFamily,
    chatml_default_system,
    chatml_training_template,
    detect_family,
    first_difference,
    has_generation_markers,
)
from tests.train.trainer_helpers import FIRST, LAST, sft_conversation, smollm2_hf

os.environ.setdefault("HF_HUB_OFFLINE", "1")

SMOL_SYSTEM = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"


def _trl_template(name: str) -> str:
    import trl

    return (Path(trl.__file__).parent / "chat_templates" / f"{name}.jinja").read_text()


@pytest.fixture(scope="module")
def hf_dir(gguf: Path) -> Path:
    return smollm2_hf(gguf)


@pytest.fixture
def tokenizer(hf_dir: Path) -> Any:
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(hf_dir)


def _render(tokenizer: Any, messages: list[dict[str, str]], template: str) -> str:
    return str(tokenizer.apply_chat_template(messages, tokenize=False, chat_template=template))


def test_pure_helpers() -> None:
    assert detect_family("{{ '<|im_start|>' + m + '<|im_end|>' }}") is TemplateFamily.CHATML
    assert detect_family("<|start_header_id|> ... <|eot_id|>") is TemplateFamily.LLAMA3
    assert detect_family("[INST] {{ m }} [/INST]") is None
    assert has_generation_markers("{%- generation -%}x{% endgeneration %}")
    assert has_generation_markers("{% generation %}")
    assert not has_generation_markers("{{ 'generation' }}")
    rendered = "<|im_start|>system\nBe kind.<|im_end|>\n<|im_start|>user\nprobe<|im_end|>\n"
    assert chatml_default_system(rendered) == "Be kind."
    assert chatml_default_system("<|im_start|>user\nprobe<|im_end|>\n") is None
    assert "at character 3" in first_difference("abcX", "abcY")


def test_smollm2_gets_a_chatml_template_that_renders_like_its_own(tokenizer: Any) -> None:
    inference = tokenizer.chat_template
    assert not has_generation_markers(inference)
    template = training_chat_template(tokenizer, base="smollm2")
    assert has_generation_markers(template)
    assert tokenizer.chat_template == inference  # the tokenizer itself is left alone
    for probe in PROBE_CONVERSATIONS:
        messages = [{"role": role, "content": content} for role, content in probe]
        assert _render(tokenizer, messages, template) == _render(tokenizer, messages, inference)
    # without a system message SmolLM2's template adds its own, and so must the training one
    alone = _render(tokenizer, [{"role": "user", "content": "hi"}], template)
    assert alone.startswith(f"<|im_start|>system\n{SMOL_SYSTEM}<|im_end|>\n")


def test_the_assistant_mask_covers_exactly_the_steering_replies(tokenizer: Any) -> None:
    template = training_chat_template(tokenizer, base="smollm2")
    encoded = tokenizer.apply_chat_template(
        sft_conversation()["messages"],
        chat_template=template,
        tokenize=True,
        return_dict=True,
        return_assistant_tokens_mask=True,
    )
    ids, mask = encoded["input_ids"], encoded["assistant_masks"]
    marked = tokenizer.decode([token for token, bit in zip(ids, mask, strict=True) if bit])
    assert marked == f"{FIRST}<|im_end|>{LAST}<|im_end|>"


def test_a_llama3_template_gets_marked_and_checked(tokenizer: Any) -> None:
    # The exact Llama-3 template: trl knows it and supplies its training version.
    tokenizer.chat_template = _trl_template("llama3")
    known = training_chat_template(tokenizer, base="llama3")
    assert has_generation_markers(known)
    # A copy trl does not recognise byte for byte: codesteer's own Llama-3 template, checked
    # to render the same.
    tokenizer.chat_template = "{#- a local copy -#}" + _trl_template("llama3")
    ours = training_chat_template(tokenizer, base="llama3-copy")
    assert has_generation_markers(ours) and ours != known
    messages = sft_conversation()["messages"]
    assert _render(tokenizer, messages, ours) == _render(
        tokenizer, messages, tokenizer.chat_template
    )


def test_a_template_that_renders_differently_is_refused_with_what_to_do(tokenizer: Any) -> None:
    # Llama-3.1 writes a date header into the system turn: a plain Llama-3 template would
    # train on text the model never sees at run time.
    tokenizer.chat_template = _trl_template("llama3_1")
    with pytest.raises(ConfigError) as caught:
        training_chat_template(tokenizer, base="llama3.1")
    message = str(caught.value)
    assert "does not render conversations the way" in message
    assert "{% generation %}" in message and "chat_template" in message


def test_an_unknown_template_is_a_clear_error(tokenizer: Any) -> None:
    tokenizer.chat_template = "{% for m in messages %}[INST] {{ m['content'] }} [/INST]{% endfor %}"
    with pytest.raises(ConfigError, match=r"neither ChatML nor Llama-3.*chat_template"):
        training_chat_template(tokenizer, base="mistral-like")
    tokenizer.chat_template = None
    with pytest.raises(ConfigError, match="has no chat template"):
        training_chat_template(tokenizer, base="bare")


def test_a_template_file_from_the_config(tokenizer: Any, tmp_path: Path) -> None:
    good = tmp_path / "train.jinja"
    good.write_text(chatml_training_template(SMOL_SYSTEM))
    sample = tuple(Message(m["role"], m["content"]) for m in sft_conversation()["messages"])
    assert training_chat_template(tokenizer, base="s", override=good, sample=sample) == (
        good.read_text()
    )
    unmarked = tmp_path / "plain.jinja"
    unmarked.write_text(tokenizer.chat_template)
    with pytest.raises(ConfigError, match=r"no .*generation.* markers"):
        training_chat_template(tokenizer, base="s", override=unmarked)
    different = tmp_path / "other.jinja"
    different.write_text(chatml_training_template(None))  # drops SmolLM2's default system
    with pytest.raises(ConfigError, match="does not render"):
        training_chat_template(tokenizer, base="s", override=different)
    with pytest.raises(ConfigError, match="cannot read"):
        training_chat_template(tokenizer, base="s", override=tmp_path / "missing.jinja")


def test_quotes_and_backslashes_in_a_default_system_survive(tokenizer: Any) -> None:
    system = "It's a \\path\\ and a 'quote'\non two lines"
    template = chatml_training_template(system)
    rendered = _render(tokenizer, [{"role": "user", "content": "hi"}], template)
    assert rendered.startswith(f"<|im_start|>system\n{system}<|im_end|>\n<|im_start|>user\n")

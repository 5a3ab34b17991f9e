"""Recognising chat templates and the Go templates written for them (pure logic, plus the
real SmolLM2 tokenizer as the reference for ChatML)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from codesteer.convert.chat_format import (
    CHATML,
    LLAMA3,
    ChatFormat,
    Message,
    go_template,
    recognise,
    render_continuation,
    render_jinja,
    render_turns,
)
from codesteer.convert.merge import inference_template
from tests.convert.gotemplate import render as render_go

# Meta-Llama-3-8B-Instruct's template, verbatim.
LLAMA3_TEMPLATE = (
    "{% set loop_messages = messages %}{% for message in loop_messages %}"
    "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'"
    "+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}"
    "{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}"
    "{% endif %}"
)
# Qwen2.5-Instruct's template without its tool-calling branches: ChatML with a default system
# prompt, written with whitespace control on every tag.
QWEN_TEMPLATE = "\n".join(
    [
        "{%- if messages[0]['role'] == 'system' %}",
        "    {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}",
        "{%- else %}",
        "    {{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. "
        "You are a helpful assistant.<|im_end|>\\n' }}",
        "{%- endif %}",
        "{%- for message in messages %}",
        '    {%- if (message.role == "user") or (message.role == "system" and not loop.first)'
        ' or (message.role == "assistant") %}',
        "        {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>'"
        " + '\\n' }}",
        "    {%- endif %}",
        "{%- endfor %}",
        "{%- if add_generation_prompt %}",
        "    {{- '<|im_start|>assistant\\n' }}",
        "{%- endif %}",
    ]
)
# Gemma's template: its own turn markers, no system role.
GEMMA_TEMPLATE = (
    "{{ bos_token }}{% if messages[0]['role'] == 'system' %}"
    "{{ raise_exception('System role not supported') }}{% endif %}"
    "{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}"
    "{% endif %}{% if (message['role'] == 'assistant') %}{% set role = 'model' %}"
    "{% else %}{% set role = message['role'] %}{% endif %}"
    "{{ '<start_of_turn>' + role + '\n' + message['content'] | trim + '<end_of_turn>\n' }}"
    "{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\n'}}{% endif %}"
)
# ChatML except that the generation prompt lacks its newline: close enough to fool a reading
# of the source, not a rendering.
NEAR_CHATML_TEMPLATE = (
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content']"
    " + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}"
    "{{ '<|im_start|>assistant' }}{% endif %}"
)

CONVERSATIONS: tuple[tuple[Message, ...], ...] = (
    ({"role": "user", "content": "What is 17 * 23?"},),
    ({"role": "system", "content": "Be terse."}, {"role": "user", "content": "Hi"}),
    (
        {"role": "user", "content": "Write code"},
        {"role": "assistant", "content": "```python\nprint(1)\n```"},
        {"role": "user", "content": 'Now in C, with "quotes" and {{ braces }}'},
    ),
)
ENDING_WITH_ASSISTANT: tuple[tuple[Message, ...], ...] = (
    ({"role": "user", "content": "Count to three"}, {"role": "assistant", "content": "1, 2,"}),
    (
        {"role": "system", "content": "You are a steering model."},
        {"role": "user", "content": "Task?"},
        {"role": "assistant", "content": "Use code"},
    ),
)


def jinja(template: str, bos: str = "", eos: str = "") -> Callable[[Sequence[Message], bool], str]:
    def render(messages: Sequence[Message], generation: bool) -> str:
        return render_jinja(
            template, messages, bos_token=bos, eos_token=eos, add_generation_prompt=generation
        )

    return render


def test_smollm2_template_is_chatml_with_its_default_system_prompt(hf_ref: Path) -> None:
    template = (hf_ref / "chat_template.jinja").read_text()
    chat = recognise(jinja(template, "<|im_start|>", "<|im_end|>"), bos_text="<|im_start|>")
    assert chat is not None
    assert chat.turns == CHATML
    assert chat.default_system == (
        "You are a helpful AI assistant named SmolLM, trained by Hugging Face"
    )
    assert chat.bos == ""  # SmolLM2's BOS text is <|im_start|>: a turn marker, not a prefix


def test_qwen_template_is_chatml_with_its_own_default_system_prompt() -> None:
    chat = recognise(jinja(QWEN_TEMPLATE, "", "<|im_end|>"))
    assert chat == ChatFormat(
        CHATML, "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."
    )


def test_llama3_template_with_bos_added_by_the_runtime() -> None:
    render = jinja(LLAMA3_TEMPLATE, "<|begin_of_text|>", "<|eot_id|>")
    assert recognise(render, bos_text="<|begin_of_text|>", add_bos=True) == ChatFormat(LLAMA3)
    # A runtime that does not add BOS needs the template to write it.
    written = recognise(render, bos_text="<|begin_of_text|>", add_bos=False)
    assert written == ChatFormat(LLAMA3, None, "<|begin_of_text|>")


@pytest.mark.parametrize("template", [GEMMA_TEMPLATE, NEAR_CHATML_TEMPLATE, "{{ 'plain' }}"])
def test_other_templates_are_not_recognised(template: str) -> None:
    assert recognise(jinja(template, "<bos>", "<eos>"), bos_text="<bos>") is None


@pytest.mark.parametrize(
    ("template", "bos", "add_bos"),
    [(QWEN_TEMPLATE, "", False), (LLAMA3_TEMPLATE, "<|begin_of_text|>", True)],
    ids=["qwen", "llama3"],
)
def test_go_template_prints_what_the_jinja_template_prints(
    template: str, bos: str, add_bos: bool
) -> None:
    render = jinja(template, bos)
    chat = recognise(render, bos_text=bos, add_bos=add_bos)
    assert chat is not None
    runtime_bos = bos if add_bos else ""
    go = go_template(chat)
    for messages in CONVERSATIONS:
        assert runtime_bos + render_go(go, [dict(m) for m in messages]) == render(messages, True)
    for messages in ENDING_WITH_ASSISTANT:
        expected = render_continuation(render, messages)
        assert runtime_bos + render_go(go, [dict(m) for m in messages]) == expected


def test_go_template_matches_transformers_for_smollm2(hf_ref: Path) -> None:
    """The Ollama template against the reference itself: transformers' apply_chat_template
    (add_generation_prompt for a reply, continue_final_message for a prefilled reply)."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(hf_ref)
    chat = recognise(jinja(tokenizer.chat_template, "<|im_start|>"), bos_text="<|im_start|>")
    assert chat is not None
    go = go_template(chat)
    for messages in CONVERSATIONS:
        expected = tokenizer.apply_chat_template(
            [dict(m) for m in messages], tokenize=False, add_generation_prompt=True
        )
        assert render_go(go, [dict(m) for m in messages]) == expected
    for messages in ENDING_WITH_ASSISTANT:
        expected = tokenizer.apply_chat_template(
            [dict(m) for m in messages], tokenize=False, continue_final_message=True
        )
        assert render_go(go, [dict(m) for m in messages]) == expected


def test_render_turns_reference_renderer() -> None:
    chat = ChatFormat(CHATML, "Default.")
    assert render_turns(chat, [{"role": "user", "content": "Hi"}]) == (
        "<|im_start|>system\nDefault.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
        "<|im_start|>assistant\n"
    )
    assert render_turns(chat, [{"role": "system", "content": "S"}]) == (
        "<|im_start|>system\nS<|im_end|>\n<|im_start|>assistant\n"
    )


def test_go_template_literals_survive_trim_markers() -> None:
    """A turn suffix of newlines (Llama-3's) sits next to {{- markers; quoted constants keep
    it."""
    go = go_template(ChatFormat(LLAMA3))
    text = render_go(go, [{"role": "user", "content": "x"}])
    assert text == (
        "<|start_header_id|>user<|end_header_id|>\n\nx<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\n"
    )


GENERATION_TEMPLATE = (
    "{% for message in messages %}{% if message['role'] == 'assistant' %}"
    "{{ '<|im_start|>assistant\n' }}{% generation %}\n{{ message['content'] + '<|im_end|>' }}"
    "{%- endgeneration %}\n{{ '\n' }}{% else %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}"
    "{% endif %}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}"
    "{% endif %}"
)


def test_inference_template_drops_generation_markers_and_renders_the_same(hf_ref: Path) -> None:
    """transformers renders {% generation %} (for assistant-only loss); the stripped template
    must print exactly the same text, whitespace control included."""
    from transformers import AutoTokenizer

    stripped = inference_template(GENERATION_TEMPLATE)
    assert "{% generation" not in stripped and "endgeneration" not in stripped
    tokenizer = AutoTokenizer.from_pretrained(hf_ref)
    for messages in (*CONVERSATIONS, *ENDING_WITH_ASSISTANT):
        expected = tokenizer.apply_chat_template(
            [dict(m) for m in messages], chat_template=GENERATION_TEMPLATE, tokenize=False
        )
        assert jinja(stripped)(messages, False) == expected

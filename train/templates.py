"""Training chat templates: the base model's chat format with ``{% generation %}`` markers around
each assistant reply, so trl's ``assistant_only_loss`` trains the steering turns and nothing else.

Only the loss mask differs: a training template must render every conversation to exactly the
text the base's own (inference) template renders, which :mod:`codesteer.train.base` checks
before training. The saved adapter keeps the inference template.

Pure string work: no tokenizer here.
"""

from __future__ import annotations

import enum
import re

__all__ = [
    "PROBE_CONVERSATIONS",
    "TemplateFamily",
    "chatml_default_system",
    "chatml_training_template",
    "detect_family",
    "first_difference",
    "has_generation_markers",
    "llama3_training_template",
    "training_template_for",
]


class TemplateFamily(str, enum.Enum):
    CHATML = "ChatML"
    LLAMA3 = "Llama-3"


_GENERATION = re.compile(r"\{%-?\s*generation\s*-?%\}")


def has_generation_markers(template: str) -> bool:
    return bool(_GENERATION.search(template))


def detect_family(template: str) -> TemplateFamily | None:
    """Which chat format ``template`` writes, from the special tokens it emits."""
    if "<|im_start|>" in template and "<|im_end|>" in template:
        return TemplateFamily.CHATML
    if "<|start_header_id|>" in template and "<|eot_id|>" in template:
        return TemplateFamily.LLAMA3
    return None


def _jinja_string(text: str) -> str:
    """``text`` as a single-quoted Jinja string literal (Jinja unescapes like Python)."""
    escaped = text.replace("\\", "\\\\").replace("'", "\\'")
    return "'" + escaped.replace("\n", "\\n").replace("\r", "\\r") + "'"


def chatml_training_template(default_system: str | None = None) -> str:
    """ChatML (SmolLM2, Qwen, ...). The end-of-turn token is inside the generation span, so the
    model learns to stop; the newline after it is not (the model never writes it).

    ``default_system``: the system message the base's template inserts when a conversation has
    none (SmolLM2: "You are a helpful AI assistant named SmolLM, ..."), kept so both render
    alike.
    """
    default = ""
    if default_system is not None:
        block = _jinja_string(f"<|im_start|>system\n{default_system}<|im_end|>\n")
        default = (
            "{%- if loop.first and message['role'] != 'system' %}{{- " + block + " }}{%- endif %}"
        )
    return (
        "{%- for message in messages %}" + default + "{%- if message['role'] == 'assistant' %}"
        "{{- '<|im_start|>assistant\\n' }}"
        "{%- generation %}{{- message['content'] + '<|im_end|>' }}{%- endgeneration %}"
        "{{- '\\n' }}"
        "{%- else %}"
        "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
        "{%- endif %}"
        "{%- endfor %}"
        "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
    )


def llama3_training_template() -> str:
    """Llama-3 (-Instruct 8B/70B): header, content trimmed, ``<|eot_id|>`` inside the span."""
    return (
        "{%- for message in messages %}"
        "{%- if loop.index0 == 0 %}{{- bos_token }}{%- endif %}"
        "{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' }}"
        "{%- if message['role'] == 'assistant' %}"
        "{%- generation %}{{- message['content'] | trim + '<|eot_id|>' }}{%- endgeneration %}"
        "{%- else %}"
        "{{- message['content'] | trim + '<|eot_id|>' }}"
        "{%- endif %}"
        "{%- endfor %}"
        "{%- if add_generation_prompt %}"
        "{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}"
        "{%- endif %}"
    )


_CHATML_DEFAULT_SYSTEM = re.compile(
    r"\A<\|im_start\|>system\n(?P<system>.*?)<\|im_end\|>\n<\|im_start\|>user\n", re.DOTALL
)


def chatml_default_system(rendered_user_only: str) -> str | None:
    """The system message a ChatML template added to a conversation of one user message."""
    match = _CHATML_DEFAULT_SYSTEM.match(rendered_user_only)
    return match.group("system") if match else None


def training_template_for(family: TemplateFamily, default_system: str | None = None) -> str:
    if family is TemplateFamily.CHATML:
        return chatml_training_template(default_system)
    return llama3_training_template()


#: Conversations rendered with both templates to check that they agree: with and without a
#: system message, several turns, multi-line replies.
PROBE_CONVERSATIONS: tuple[tuple[tuple[str, str], ...], ...] = (
    (
        ("system", "You steer another model.\nReply in two lines."),
        ("user", "Question:\nWhat is 17 * 23?\n\nDecide."),
        ("assistant", "Decision: Code\nGuidance: Multiply with Python."),
        ("user", "Review 1 of 5. The task model answered:\n<answer>\n391\n</answer>"),
        ("assistant", "Decision: Return Answer\nGuidance: The answer is checked."),
    ),
    (
        ("user", "Question:\nHow many letters are in 'steer'?"),
        ("assistant", "Decision: Text\nGuidance: Count them one by one."),
    ),
)


def first_difference(expected: str, got: str, context: int = 30) -> str:
    """Where two renderings part, for an error message: ``...expected... vs ...got...``."""
    index = next(
        (i for i, (a, b) in enumerate(zip(expected, got, strict=False)) if a != b),
        min(len(expected), len(got)),
    )
    start = max(0, index - context)
    return (
        f"at character {index}: the base renders {expected[start : index + context]!r}, "
        f"the training template {got[start : index + context]!r}"
    )

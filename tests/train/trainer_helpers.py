"""Small SFT and DPO data files written with the protocol's own text, the settings the trainer
tests share (tiny, so a handful of real steps on SmolLM2 fit a few minutes on two cores), and
the real SmolLM2 HF folder (materialised from the GGUF once, then cached)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from codesteer.local.protocol import (
    STEERER_SYSTEM,
    Action,
    Decision,
    ReviewInput,
    render_decision,
    steerer_first_input,
    steerer_review_input,
)

__all__ = [
    "FIRST",
    "LAST",
    "QUESTION",
    "SHORT_SYSTEM",
    "TINY",
    "dpo_pair",
    "long_sft_conversation",
    "sft_conversation",
    "smollm2_hf",
    "write_jsonl",
]

QUESTION = "What is 17 * 23? Answer as <<<N>>>."
#: A short system message for the tests that take real steps: CPU time grows with length, and
#: the label test keeps the protocol's full STEERER_SYSTEM.
SHORT_SYSTEM = "You steer the task model. Reply with a Decision line and a Guidance line."
FIRST = render_decision(Decision(Action.CODE, "Multiply the two numbers with Python."))
LAST = render_decision(Decision(Action.RETURN_ANSWER, "The code computed it; keep it."))

#: Settings for a few real steps: one example a step, short sequences, a log every step.
TINY: tuple[str, ...] = (
    "max_length=512",
    "batch_size=1",
    "grad_accumulation=1",
    "logging_steps=1",
    "warmup=0",
    "lr_scheduler=constant",
    "learning_rate=1e-3",
    "lora.r=8",
    "lora.alpha=16",
    "lora.dropout=0.0",
    # Two projections, not every linear layer: the steps stay real and cost half as much.
    'lora.target_modules=["q_proj", "v_proj"]',
)


def _message(role: str, content: str) -> dict[str, str]:
    return {"role": role, "content": content}


def sft_conversation(question: str = QUESTION, system: str = STEERER_SYSTEM) -> dict[str, Any]:
    """One steered trajectory: decide Code, review the answer, return it."""
    review = ReviewInput(
        round=1,
        rounds=5,
        answer="```python\nprint('<<<' + str(17 * 23) + '>>>')\n```",
        execution="<<<391>>>",
        symbolic="The code multiplies two integers.",
        self_check=None,
    )
    return {
        "messages": [
            _message("system", system),
            _message("user", steerer_first_input(question)),
            _message("assistant", FIRST),
            _message("user", steerer_review_input(review)),
            _message("assistant", LAST),
        ]
    }


def long_sft_conversation(words: int = 800) -> dict[str, Any]:
    """A trajectory far over 512 tokens: it must be left out whole."""
    return sft_conversation("Count the words: " + "steer " * words)


def dpo_pair(question: str = QUESTION, system: str = STEERER_SYSTEM) -> dict[str, Any]:
    """The first steering turn: Code (chosen) against Text (rejected)."""
    return {
        "prompt": [
            _message("system", system),
            _message("user", steerer_first_input(question)),
        ],
        "chosen": [_message("assistant", FIRST)],
        "rejected": [
            _message("assistant", render_decision(Decision(Action.TEXT, "Work it out in words.")))
        ],
    }


def write_jsonl(path: Path, rows: Sequence[dict[str, Any] | str]) -> Path:
    """``rows`` as JSONL; a string row is written as it is (for malformed lines)."""
    lines = [row if isinstance(row, str) else json.dumps(row) for row in rows]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def smollm2_hf(gguf: Path) -> Path:
    """The HF folder of the SmolLM2 GGUF (materialised once, then read from the cache)."""
    from codesteer.convert.hf import materialize_hf

    return materialize_hf(gguf)

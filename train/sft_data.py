"""SFT data: trajectories that end correct, as multi-turn conversations in trl's conversational
format, one JSON object per line::

    {"messages": [{"role": "system", ...}, {"role": "user", ...}, {"role": "assistant", ...}, ...]}

Every assistant turn is a steering decision, so training on every assistant turn (trl's
``assistant_only_loss``) teaches exactly the steering replies, as CodeSteer's SFT did.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from codesteer._files import write_lines_atomic
from codesteer.local.transcript import Transcript
from codesteer.train.trajectories import (
    ChatMessage,
    is_correct,
    steering_conversation,
    steering_turns,
)

__all__ = ["SftExample", "sft_examples", "sft_line", "write_sft"]


@dataclass(frozen=True)
class SftExample:
    messages: tuple[ChatMessage, ...]
    #: ``task/item id`` of the SymBench item (or ``None`` for a free question).
    item: str | None
    turns: int


def _item_key(transcript: Transcript, position: int) -> str:
    if transcript.item is not None:
        return f"{transcript.item.task}/{transcript.item.id}"
    return f"question {position}"


def _length(example: SftExample) -> tuple[int, int]:
    return example.turns, sum(len(message["content"]) for message in example.messages)


def sft_examples(
    trajectories: Iterable[Transcript], *, per_item: int | None = 1
) -> list[SftExample]:
    """The correct trajectories, item by item in first-seen order; several correct ones of one
    item shortest first (fewest steering turns, then fewest characters), at most ``per_item``
    of them (``None``: all). Conversations that repeat one already kept are dropped."""
    if per_item is not None and per_item < 1:
        raise ValueError("per_item must be at least 1")
    groups: dict[str, list[SftExample]] = {}
    for position, transcript in enumerate(trajectories):
        key = _item_key(transcript, position)
        group = groups.setdefault(key, [])
        if not is_correct(transcript):
            continue
        messages = tuple(steering_conversation(transcript))
        example = SftExample(
            messages, key if transcript.item else None, len(steering_turns(transcript))
        )
        if all(kept.messages != messages for kept in group):
            group.append(example)
    chosen: list[SftExample] = []
    for group in groups.values():
        ordered = sorted(group, key=_length)  # stable: equal lengths keep their order
        chosen.extend(ordered if per_item is None else ordered[:per_item])
    return chosen


def sft_line(example: SftExample) -> str:
    return json.dumps({"messages": list(example.messages)}, ensure_ascii=False)


def write_sft(path: Path, examples: Iterable[SftExample]) -> int:
    """Write the examples as JSONL, atomically; return how many."""
    return write_lines_atomic(Path(path), (sft_line(example) for example in examples))

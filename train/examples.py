"""Reading the training data: SFT conversations and DPO preference pairs, one JSON object a line.

SFT (trl's conversational format; the assistant turns are the steering replies)::

    {"messages": [{"role": "system", "content": ...}, {"role": "user", ...},
                  {"role": "assistant", ...}, ...]}

DPO (trl's conversational preference format; the prompt ends with a user turn)::

    {"prompt": [messages...], "chosen": [{"role": "assistant", ...}],
     "rejected": [{"role": "assistant", ...}]}

Other keys on a line (provenance, scores) are ignored. A line that is not valid JSON or does not
have this shape is a :class:`~codesteer.errors.DatasetError` naming ``file:line``; so is a file
with no examples.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from codesteer.errors import DatasetError

__all__ = [
    "Fitting",
    "Message",
    "Preference",
    "SFTExample",
    "keep_fitting",
    "parse_dpo_lines",
    "parse_sft_lines",
    "read_dpo_file",
    "read_sft_file",
]

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class Message:
    role: Role
    content: str

    def to_dict(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True)
class SFTExample:
    #: The line in the data file (1-based), for reports of dropped examples.
    line: int
    messages: tuple[Message, ...]

    def to_trl(self) -> dict[str, list[dict[str, str]]]:
        return {"messages": [message.to_dict() for message in self.messages]}


@dataclass(frozen=True)
class Preference:
    line: int
    prompt: tuple[Message, ...]
    chosen: tuple[Message, ...]
    rejected: tuple[Message, ...]

    def to_trl(self) -> dict[str, list[dict[str, str]]]:
        return {
            "prompt": [message.to_dict() for message in self.prompt],
            "chosen": [message.to_dict() for message in self.chosen],
            "rejected": [message.to_dict() for message in self.rejected],
        }


class _Message(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Role
    content: str


class _SFTLine(BaseModel):
    model_config = ConfigDict(extra="ignore")
    messages: list[_Message]

    @field_validator("messages")
    @classmethod
    def _has_steering_turn(cls, messages: list[_Message]) -> list[_Message]:
        if not any(message.role == "assistant" for message in messages):
            raise ValueError("no assistant (steering) turn to train on")
        if messages[-1].role != "assistant":
            raise ValueError("the conversation must end with an assistant (steering) turn")
        return messages


class _DPOLine(BaseModel):
    model_config = ConfigDict(extra="ignore")
    prompt: list[_Message]
    chosen: list[_Message]
    rejected: list[_Message]

    @model_validator(mode="after")
    def _shape(self) -> _DPOLine:
        if not self.prompt or self.prompt[-1].role != "user":
            raise ValueError("prompt must end with a user turn")
        for name in ("chosen", "rejected"):
            turns: list[_Message] = getattr(self, name)
            if not turns or any(turn.role != "assistant" for turn in turns):
                raise ValueError(f"{name} must be one or more assistant turns")
        return self


_Line = TypeVar("_Line", _SFTLine, _DPOLine)


def _messages(items: list[_Message]) -> tuple[Message, ...]:
    return tuple(Message(item.role, item.content) for item in items)


def parse_sft_lines(lines: Iterable[str], source: str) -> list[SFTExample]:
    """Parse SFT JSONL ``lines``; ``source`` names the file in errors."""
    return [
        SFTExample(number, _messages(parsed.messages))
        for number, parsed in _parse(lines, source, _SFTLine)
    ]


def parse_dpo_lines(lines: Iterable[str], source: str) -> list[Preference]:
    """Parse DPO JSONL ``lines``; ``source`` names the file in errors."""
    return [
        Preference(
            number, _messages(parsed.prompt), _messages(parsed.chosen), _messages(parsed.rejected)
        )
        for number, parsed in _parse(lines, source, _DPOLine)
    ]


def _parse(lines: Iterable[str], source: str, model: type[_Line]) -> list[tuple[int, _Line]]:
    parsed: list[tuple[int, _Line]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DatasetError(f"{source}:{number}: not valid JSON ({exc.msg})") from None
        try:
            parsed.append((number, model.model_validate(value)))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            message = first["msg"].removeprefix("Value error, ")
            raise DatasetError(
                f"{source}:{number}: {where + ': ' if where else ''}{message}"
            ) from None
    if not parsed:
        raise DatasetError(f"{source}: no examples (the file is empty)")
    return parsed


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise DatasetError(f"no such data file: {path}") from None
    except IsADirectoryError:
        raise DatasetError(f"{path} is a folder, not a JSONL data file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"cannot read data file {path}: {exc}") from None


def read_sft_file(path: Path) -> list[SFTExample]:
    return parse_sft_lines(_read_lines(path), str(path))


def read_dpo_file(path: Path) -> list[Preference]:
    return parse_dpo_lines(_read_lines(path), str(path))


_Example = TypeVar("_Example", SFTExample, Preference)


@dataclass(frozen=True)
class Fitting(Generic[_Example]):
    kept: list[_Example]
    #: ``{"line": ..., "tokens": ...}`` of each example left out.
    dropped: list[dict[str, int]]
    #: The longest kept example, in tokens.
    longest: int


def keep_fitting(
    examples: list[_Example], lengths: list[int], max_length: int, source: str
) -> Fitting[_Example]:
    """The examples of at most ``max_length`` tokens; the others are dropped whole, never cut
    (a cut trajectory loses its last steering turns). None left is a DatasetError."""
    kept = [example for example, n in zip(examples, lengths, strict=True) if n <= max_length]
    dropped = [
        {"line": example.line, "tokens": n}
        for example, n in zip(examples, lengths, strict=True)
        if n > max_length
    ]
    if not kept:
        raise DatasetError(
            f"{source}: every example is longer than max_length = {max_length} tokens (the "
            f"shortest has {min(lengths)}); raise max_length"
        )
    return Fitting(kept, dropped, max(n for n in lengths if n <= max_length))

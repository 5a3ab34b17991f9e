"""Importers for the original CodeSteer release's data formats (LLaMA-Factory's), so that data
in those formats trains here too, and exporters back to them:

- SFT, **alpaca with history**: ``{"instruction", "input"?, "output", "history"?: [[q, a], ...],
  "system"?}`` becomes ``{"messages": [...]}`` (the history's turns, then the instruction, and
  ``input`` joined to it with a newline as LLaMA-Factory does, then the output);
- DPO, **sharegpt ranking**: ``{"conversations": [{"from": "human"|"gpt", "value"}, ...],
  "chosen": {"from": "gpt", "value"}, "rejected": {...}, "system"?}`` becomes
  ``{"prompt": [...], "chosen": [...], "rejected": [...]}``.

A file is a JSON array (LLaMA-Factory's ``.json``) or JSON lines. Every malformed entry is
reported with its place: ``FILE:LINE`` in JSON lines, ``FILE: entry N`` in an array.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from codesteer._files import write_lines_atomic
from codesteer.errors import DatasetError
from codesteer.train.trajectories import ChatMessage

__all__ = [
    "FORMATS",
    "DataFormat",
    "ImportFormatError",
    "ImportResult",
    "alpaca_to_messages",
    "import_file",
    "messages_to_alpaca",
    "pair_to_sharegpt",
    "read_entries",
    "sharegpt_to_pair",
]

DataFormat = Literal["alpaca", "sharegpt"]
FORMATS: tuple[DataFormat, ...] = ("alpaca", "sharegpt")


class ImportFormatError(DatasetError):
    """A file in an original format that cannot be read, or an entry that breaks the format."""


# -- the formats, at the JSON edge -------------------------------------------------------------


class _Entry(BaseModel):
    # Unknown keys (LLaMA-Factory's scores, ids) are carried by many files: ignored.
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class AlpacaEntry(_Entry):
    instruction: str
    input: str = ""
    output: str
    history: list[tuple[str, str]] = []
    system: str | None = None

    @field_validator("history", mode="before")
    @classmethod
    def _pairs(cls, value: Any) -> Any:
        if value is None:
            return []
        if not isinstance(value, list) or not all(
            isinstance(pair, list | tuple) and len(pair) == 2 for pair in value
        ):
            raise ValueError("must be a list of [question, answer] pairs")
        return [tuple(pair) for pair in value]


_USER = {"human", "user"}
_ASSISTANT = {"gpt", "assistant"}


class ShareGptTurn(_Entry):
    from_: str = Field(alias="from")
    value: str


class ShareGptEntry(_Entry):
    conversations: list[ShareGptTurn]
    chosen: ShareGptTurn
    rejected: ShareGptTurn
    system: str | None = None


# -- conversions (pure) ------------------------------------------------------------------------


def alpaca_to_messages(entry: AlpacaEntry, *, system: str | None = None) -> list[ChatMessage]:
    """The conversation of one alpaca entry; ``system`` stands in where the entry has none."""
    messages: list[ChatMessage] = []
    prompt = entry.system if entry.system is not None else system
    if prompt:
        messages.append({"role": "system", "content": prompt})
    for question, answer in entry.history:
        messages.append({"role": "user", "content": question})
        messages.append({"role": "assistant", "content": answer})
    query = f"{entry.instruction}\n{entry.input}" if entry.input else entry.instruction
    messages.append({"role": "user", "content": query})
    messages.append({"role": "assistant", "content": entry.output})
    return messages


def _alternating(messages: list[ChatMessage], *, last: str) -> None:
    body = messages[1:] if messages and messages[0]["role"] == "system" else messages
    if not body:
        raise ValueError("the conversation is empty")
    for position, message in enumerate(body):
        want = "user" if position % 2 == 0 else "assistant"
        if message["role"] != want:
            raise ValueError(f"turn {position + 1} is {message['role']}, expected {want}")
    if body[-1]["role"] != last:
        raise ValueError(f"the conversation must end with a {last} turn")


def messages_to_alpaca(messages: list[ChatMessage]) -> dict[str, Any]:
    """The alpaca entry of a conversation (``{"messages"}`` SFT data), for LLaMA-Factory."""
    _alternating(messages, last="assistant")
    entry: dict[str, Any] = {}
    body = messages
    if messages[0]["role"] == "system":
        entry["system"] = messages[0]["content"]
        body = messages[1:]
    turns = [(body[i]["content"], body[i + 1]["content"]) for i in range(0, len(body), 2)]
    *history, (instruction, output) = turns
    entry.update(instruction=instruction, output=output, history=[list(t) for t in history])
    return entry


def _role(turn: ShareGptTurn) -> Literal["user", "assistant", "system"]:
    tag = turn.from_.casefold()
    if tag in _USER:
        return "user"
    if tag in _ASSISTANT:
        return "assistant"
    if tag == "system":
        return "system"
    raise ValueError(f"unknown speaker {turn.from_!r} (use human or gpt)")


def sharegpt_to_pair(
    entry: ShareGptEntry, *, system: str | None = None
) -> tuple[list[ChatMessage], ChatMessage, ChatMessage]:
    """``(prompt, chosen, rejected)`` of one sharegpt ranking entry."""
    prompt: list[ChatMessage] = []
    first_system = entry.system if entry.system is not None else system
    turns = list(entry.conversations)
    if turns and _role(turns[0]) == "system":
        first_system = turns.pop(0).value
    if first_system:
        prompt.append({"role": "system", "content": first_system})
    for turn in turns:
        role = _role(turn)
        if role == "system":
            raise ValueError("a system turn may only come first")
        prompt.append({"role": role, "content": turn.value})
    _alternating(prompt, last="user")
    answers: list[ChatMessage] = []
    for name, turn in (("chosen", entry.chosen), ("rejected", entry.rejected)):
        if _role(turn) != "assistant":
            raise ValueError(f"{name} must come from gpt, not {turn.from_!r}")
        answers.append({"role": "assistant", "content": turn.value})
    return prompt, answers[0], answers[1]


def pair_to_sharegpt(
    prompt: list[ChatMessage], chosen: ChatMessage, rejected: ChatMessage
) -> dict[str, Any]:
    """The sharegpt ranking entry of a preference pair (``{"prompt", "chosen", "rejected"}``)."""
    _alternating(prompt, last="user")
    tags = {"user": "human", "assistant": "gpt"}
    entry: dict[str, Any] = {}
    body = prompt
    if prompt[0]["role"] == "system":
        entry["system"] = prompt[0]["content"]
        body = prompt[1:]
    entry["conversations"] = [{"from": tags[m["role"]], "value": m["content"]} for m in body]
    entry["chosen"] = {"from": "gpt", "value": chosen["content"]}
    entry["rejected"] = {"from": "gpt", "value": rejected["content"]}
    return entry


# -- files -------------------------------------------------------------------------------------


def read_entries(path: Path) -> Iterator[tuple[str, Any]]:
    """``(place, value)`` of every entry of a JSON array or JSON-lines file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ImportFormatError(f"no such file: {path}") from None
    except UnicodeDecodeError:
        raise ImportFormatError(f"{path} is not UTF-8 text") from None
    except OSError as exc:
        raise ImportFormatError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if text.lstrip().startswith("["):
        try:
            values = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportFormatError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
        for number, value in enumerate(values, start=1):
            yield f"{path}: entry {number}", value
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ImportFormatError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
        yield f"{path}:{number}", value


def _explain(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ())).replace("from_", "from")
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


@dataclass(frozen=True)
class ImportResult:
    format: DataFormat
    source: Path
    out: Path
    entries: int


def _convert(value: Any, data_format: DataFormat, system: str | None) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"an entry must be a JSON object, not {type(value).__name__}")
    if data_format == "alpaca":
        return {"messages": alpaca_to_messages(AlpacaEntry.model_validate(value), system=system)}
    prompt, chosen, rejected = sharegpt_to_pair(ShareGptEntry.model_validate(value), system=system)
    return {"prompt": prompt, "chosen": [chosen], "rejected": [rejected]}


def import_file(
    path: Path, data_format: DataFormat, out: Path, *, system: str | None = None
) -> ImportResult:
    """Convert ``path`` (``alpaca`` SFT or ``sharegpt`` ranking DPO data) to our JSONL at
    ``out``, written atomically: the first malformed entry stops it with nothing written."""
    if data_format not in FORMATS:
        raise ImportFormatError(f"unknown format {data_format!r}: use alpaca or sharegpt")
    lines: list[str] = []
    for place, value in read_entries(path):
        try:
            record = _convert(value, data_format, system)
        except ValueError as exc:  # pydantic's ValidationError included
            reason = _explain(exc) if isinstance(exc, ValidationError) else str(exc)
            problem = f"{place}: not a valid {data_format} entry ({reason})"
            raise ImportFormatError(problem) from None
        lines.append(json.dumps(record, ensure_ascii=False))
    if not lines:
        raise ImportFormatError(f"{path} holds no entries")
    try:
        write_lines_atomic(Path(out), lines)
    except OSError as exc:
        raise ImportFormatError(f"cannot write {out}: {exc.strerror or exc}") from exc
    return ImportResult(data_format, Path(path), Path(out), len(lines))

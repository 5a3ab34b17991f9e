"""Deterministic extraction from task-model replies: the first Python block, the final answer.

Pure; nothing here runs or evaluates the text.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Literal

from codesteer.symbench import extract_answer

__all__ = ["FinalAnswer", "final_answer", "first_python_block"]

_PYTHON_TAGS = frozenset({"", "python", "python3", "py"})


def _fenced_blocks(text: str) -> list[tuple[str, str]]:
    """``(info string, code)`` of each fenced block, read line by line so that a closing fence
    is never mistaken for an opening one. A reply cut off by max_tokens leaves the last fence
    open: the code up to the end is still the model's code, so it is kept (and most likely
    fails to parse, which the checks report)."""
    blocks: list[tuple[str, str]] = []
    info: str | None = None
    lines: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if info is None:
            if stripped.startswith("```"):
                info, lines = stripped[3:].strip().casefold(), []
        elif stripped == "```":
            blocks.append((info, "\n".join(lines)))
            info = None
        else:
            lines.append(line)
    if info is not None:
        blocks.append((info, "\n".join(lines)))
    return blocks


def first_python_block(text: str) -> str | None:
    """The first fenced code block tagged Python (or untagged), as CodeSteer takes only the
    first; ``None`` when there is none. Empty blocks are skipped."""
    for info, code in _fenced_blocks(text):
        if info.split(" ")[0] in _PYTHON_TAGS and code.strip():
            return textwrap.dedent(code).rstrip() + "\n"
    return None


Source = Literal["code", "text"]


@dataclass(frozen=True)
class FinalAnswer:
    """The answer of a run. ``answer`` is the content of the last ``<<<...>>>`` of the code's
    output, else of the text, else ``None``; ``source`` says which. ``candidates`` are the texts
    a grader should try (the code's output first, then the reply), as the paper counted a run
    correct when either was."""

    answer: str | None
    source: Source | None
    candidates: tuple[str, ...]


def final_answer(text: str, code_output: str | None) -> FinalAnswer:
    sources: list[tuple[Source, str]] = []
    if code_output and code_output.strip():
        sources.append(("code", code_output))
    sources.append(("text", text))
    candidates = tuple(candidate for _, candidate in sources)
    for source, candidate in sources:
        answer, wrapped = extract_answer(candidate)
        if wrapped:
            return FinalAnswer(answer, source, candidates)
    return FinalAnswer(None, None, candidates)

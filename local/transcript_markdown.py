"""A steering run's transcript as a Markdown document, for people to read (the JSON export is
for programs).

Everything a model wrote is untrusted Markdown. Text that is not Markdown (the question,
guidance, code, program output) goes into fences longer than any backtick run inside it, so
nothing in it can end the fence early. Task replies are Markdown and are kept as they are, but a
fence left open at the end of a reply is closed, or it would swallow the rest of the document.
Every piece of text is redacted before it is escaped (an escaped secret would no longer match)
and the whole document once more at the end.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from codesteer._files import atomic_write
from codesteer._secrets import redact
from codesteer.errors import UserError
from codesteer.local.backends import Usage
from codesteer.local.checks.self_check import SelfCheck
from codesteer.local.checks.symbolic import SymbolicReport
from codesteer.local.sandbox import SandboxResult
from codesteer.local.transcript import RoundRecord, SteeringTurn, TaskTurn, Transcript

__all__ = ["transcript_to_markdown", "write_transcript_markdown"]

_BACKTICKS = re.compile(r"`+")
# A CommonMark fence opener or closer at the top level: up to three spaces, then three or more
# backticks or tildes. Deeper indentation is an indented code block, not a fence.
_FENCE_LINE = re.compile(r"^( {0,3})(`{3,}|~{3,})(.*)$")
# Characters that start inline Markdown (emphasis, code, links, raw HTML, entities, tables).
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&#!])")
_ORDERED_MARKER = re.compile(r"^(\d{1,9})([.)])")


def transcript_to_markdown(transcript: Transcript) -> str:
    """The whole run: settings, question, each round in order, the outcome and the costs."""
    parts = ["# codesteer transcript", _settings(transcript), "## Question"]
    parts.append(_fenced(transcript.question, "text"))
    for record in transcript.rounds:
        parts.extend(_round(record))
    parts.extend(_outcome(transcript))
    return redact("\n\n".join(parts) + "\n")


def write_transcript_markdown(transcript: Transcript, path: Path) -> None:
    """Write atomically: a crash never leaves half a document."""
    try:
        with atomic_write(Path(path)) as handle:
            handle.write(transcript_to_markdown(transcript))
    except OSError as exc:
        raise UserError(f"cannot write transcript {path}: {exc.strerror or exc}") from exc


def _settings(transcript: Transcript) -> str:
    lines = [
        f"- Task model: {_code(transcript.task_model)}",
        f"- Steerer: {_code(transcript.steerer) if transcript.steerer else 'none'}",
        f"- Rounds limit: {transcript.rounds_limit}",
        f"- Sandbox level: {_code(transcript.sandbox_level)}",
        f"- Protocol: {_code(transcript.protocol)}",
        f"- codesteer version: {_code(transcript.codesteer_version)}",
        f"- Started at: {_code(transcript.started_at)}",
    ]
    if transcript.ended_at:
        lines.append(f"- Ended at: {_code(transcript.ended_at)}")
    if transcript.item is not None:
        item = transcript.item
        lines.append(
            f"- SymBench item: {_code(item.id)} (task {_code(item.task)}, "
            f"source {_code(item.source)})"
        )
    if transcript.options:
        options = json.dumps(transcript.options, sort_keys=True, default=str)
        lines.append(f"- Options: {_code(options)}")
    return "\n".join(lines)


def _round(record: RoundRecord) -> list[str]:
    parts = [f"## Round {record.index}"]
    if record.steering is not None:
        parts.extend(_steering(record.steering))
    if record.task is None:
        parts.append("No task turn: the steering decision ended the run.")
    else:
        parts.extend(_task(record.task))
    if record.code is not None:
        parts.extend(["### Code", _fenced(record.code, "python")])
    if record.sandbox is not None:
        parts.extend(["### Sandbox", *_sandbox(record.sandbox)])
    if record.symbolic is not None:
        parts.extend(["### Symbolic check", _symbolic(record.symbolic)])
    if record.self_check is not None:
        parts.extend(["### Self-check", *_self_check(record.self_check)])
    return parts


def _steering(turn: SteeringTurn) -> list[str]:
    parse = {
        "ok": "well formed",
        "retried": "well formed after a reminder",
        "fallback": "never well formed: the protocol's fallback decision was used",
    }[turn.parse]
    lines = [
        f"- Decision: **{_escape(turn.decision)}**",
        f"- Parse: {turn.parse} ({parse})",
        f"- Tokens: {_usage(turn.usage)}, {turn.seconds:.2f} s",
    ]
    parts = ["### Steering", "\n".join(lines)]
    if turn.guidance.strip():
        parts.extend(["Guidance:", _fenced(turn.guidance, "text")])
    for number, rejected in enumerate(turn.rejected, 1):
        parts.extend([f"Rejected reply {number}:", _fenced(rejected, "text")])
    return parts


def _task(turn: TaskTurn) -> list[str]:
    finish = f", finished: {_code(turn.finish_reason)}" if turn.finish_reason else ""
    head = f"Tokens: {_usage(turn.usage)}, {turn.seconds:.2f} s{finish}"
    reply = redact(turn.reply).rstrip()
    return ["### Task reply", head, _close_fences(reply) if reply else "*(empty reply)*"]


def _sandbox(result: SandboxResult) -> list[str]:
    exit_code = "none" if result.exit_code is None else str(result.exit_code)
    limits = ", ".join(_code(limit) for limit in result.limits_hit) or "none"
    lines = [
        f"- Status: **{result.status}**, exit code {exit_code}, {result.wall_s:.2f} s",
        f"- Isolation: {_code(result.level.value)}",
        f"- Limits hit: {limits}",
    ]
    if result.truncated:
        lines.append("- Output truncated: the middle of a stream was dropped")
    parts = ["\n".join(lines)]
    for name, text in (("stdout", result.stdout), ("stderr", result.stderr)):
        if text:
            parts.extend([f"{name}:", _fenced(text, "text")])
        else:
            parts.append(f"{name}: *(empty)*")
    return parts


def _symbolic(report: SymbolicReport) -> str:
    return "\n".join(f"- {_escape(line)}" for line in report.summary().splitlines())


def _self_check(check: SelfCheck) -> list[str]:
    lines = [
        f"- Verdict: **{check.verdict}**",
        f"- Attempts: {check.attempts}",
        f"- Tokens: {_usage(check.usage)}",
    ]
    parts = ["\n".join(lines)]
    if check.code is not None:
        parts.extend(["Checking program:", _fenced(check.code, "python")])
    if check.output.strip():
        parts.extend(["Output:", _fenced(check.output, "text")])
    return parts


def _outcome(transcript: Transcript) -> list[str]:
    parts = ["## Outcome"]
    lines = []
    if transcript.final_answer is None:
        lines.append("- Final answer: none")
    elif "\n" in transcript.final_answer:
        lines.append("- Final answer: see below")
    else:
        lines.append(f"- Final answer: {_code(transcript.final_answer)}")
    if transcript.final_source:
        lines.append(f"- Answer taken from: {_escape(transcript.final_source)}")
    if transcript.score is not None:
        lines.append(_score(transcript.score))
    lines.append(f"- Stop reason: {transcript.stop_reason or 'unknown (the run did not finish)'}")
    lines.append(f"- Seconds: {transcript.seconds:.2f}")
    parts.append("\n".join(lines))
    if transcript.final_answer is not None and "\n" in transcript.final_answer:
        parts.extend(["Final answer:", _fenced(transcript.final_answer, "text")])
    if transcript.error:
        parts.extend(["Error:", _fenced(transcript.error, "text")])
    parts.extend(["## Token usage", _usage_table(transcript)])
    return parts


def _score(score: dict[str, object]) -> str:
    value = score.get("value")
    shown = f"{value:g}" if isinstance(value, (int, float)) else _escape(str(value))
    text = f"- Score: **{shown}**"
    answer = score.get("answer")
    if answer is not None:
        text += f", graded answer {_code(str(answer))}"
    reason = score.get("reason")
    if reason:
        text += f" ({_escape(str(reason))})"
    return text


def _usage_table(transcript: Transcript) -> str:
    rows = ["| Model | Prompt tokens | Completion tokens |", "| --- | ---: | ---: |"]
    for name, usage in (("task", transcript.task_usage), ("steerer", transcript.steerer_usage)):
        rows.append(f"| {name} | {usage.prompt_tokens} | {usage.completion_tokens} |")
    return "\n".join(rows)


def _usage(usage: Usage) -> str:
    return f"{usage.prompt_tokens} prompt / {usage.completion_tokens} completion"


def _fenced(text: str, info: str) -> str:
    """``text`` verbatim in a backtick fence that no backtick run inside it can close."""
    text = redact(text)
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    body = text if not text or text.endswith("\n") else text + "\n"
    return f"{fence}{info}\n{body}{fence}"


def _code(text: str) -> str:
    """``text`` on one line as an inline code span that its own backticks cannot end."""
    text = " ".join(redact(text).split())
    if not text:
        return "*(empty)*"
    ticks = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _escape(text: str) -> str:
    """Plain text on one line, with nothing in it read as Markdown."""
    text = _INLINE_SPECIAL.sub(r"\\\1", " ".join(redact(text).split()))
    if text[:1] in {"-", "+", "="}:
        return "\\" + text
    return _ORDERED_MARKER.sub(r"\1\\\2", text)


def _close_fences(reply: str) -> str:
    """``reply`` with a closing fence added if it ends inside a fenced code block.

    Only top-level fences count: one opened inside a block quote or a list item ends with its
    container, which the next heading closes. The closer copies the opener's indentation, so it
    also closes a fence in a list item whose opener this reads as top level.
    """
    opener: tuple[str, str] | None = None
    for line in reply.splitlines():
        match = _FENCE_LINE.match(line)
        if match is None:
            continue
        indent, fence, rest = match.groups()
        if opener is None:
            # a backtick "fence" whose info string holds a backtick is inline code
            if not (fence[0] == "`" and "`" in rest):
                opener = (indent, fence)
        elif fence[0] == opener[1][0] and len(fence) >= len(opener[1]) and not rest.strip():
            opener = None
    if opener is None:
        return reply
    indent, fence = opener
    return f"{reply}\n{indent}{fence}"

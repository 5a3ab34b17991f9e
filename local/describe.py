"""Short human descriptions of a run's parts (a model spec, a round, a sandbox result, a check),
shared by every renderer (the CLI, the TUI, the Markdown export) so they say the same thing.
Pure: strings in, strings out."""

from __future__ import annotations

from pathlib import Path

from codesteer.local.checks.symbolic import SymbolicReport
from codesteer.local.sandbox import SandboxResult
from codesteer.symbench import Score

__all__ = [
    "round_title",
    "sandbox_summary",
    "score_summary",
    "short_spec",
    "symbolic_summary",
    "tail",
]


def short_spec(spec: str) -> str:
    """A GGUF spec by its file name: the full path is in the transcript."""
    kind, _, model = spec.partition(":")
    return f"{kind}:{Path(model).name}" if kind == "llamacpp" else spec


def round_title(index: int) -> str:
    """Round 0 chooses code or text and answers; round k reviews answer k-1."""
    return f"round {index}: " + ("choice" if index == 0 else f"review {index}")


def sandbox_summary(result: SandboxResult) -> str:
    """``ok, exit 0, limits hit: output (0.12 s, bubblewrap)``; output itself not included."""
    code = f", exit {result.exit_code}" if result.exit_code is not None else ""
    limits = f", limits hit: {', '.join(result.limits_hit)}" if result.limits_hit else ""
    cut = ", output truncated" if result.truncated else ""
    return f"{result.status}{code}{limits}{cut} ({result.wall_s:.2f} s, {result.level.value})"


def symbolic_summary(report: SymbolicReport) -> str:
    if not report.valid:
        return f"code does not parse: {report.error}"
    flags = [
        name
        for name, found in (
            ("searching", report.searching),
            ("symbolic", report.symbolic),
            ("numeric", report.numeric),
        )
        if found
    ]
    verdict = "too simple" if report.too_simple else "ok"
    return f"{', '.join(flags) or 'nothing computed'}; score {report.score:g} ({verdict})"


def score_summary(score: Score) -> str:
    """The verifier's verdict: ``correct: ...`` or ``score 0.5: ...``."""
    mark = "correct" if score.correct else f"score {score.value:g}"
    return f"{mark}: {score.reason}"


def tail(text: str, limit: int = 400) -> str:
    """The last ``limit`` characters, marked with an ellipsis when cut."""
    text = text.strip()
    return text if len(text) <= limit else "…" + text[-limit:]

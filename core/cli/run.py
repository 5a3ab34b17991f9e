"""``codesteer run``: steer a task model through one question, and show each round as it happens.

This module only renders :mod:`codesteer.local.events`; the loop lives in
:mod:`codesteer.local.loop`.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

import typer
from rich.panel import Panel
from rich.text import Text

from codesteer.cli._console import err, out
from codesteer.errors import UserError
from codesteer.local.config import load_config
from codesteer.local.describe import (
    round_title,
    sandbox_summary,
    score_summary,
    short_spec,
    symbolic_summary,
    tail,
)
from codesteer.local.events import (
    Event,
    FinalAnswer,
    RoundStarted,
    RunStarted,
    SandboxFinished,
    SelfChecked,
    SteeringDecided,
    SymbolicChecked,
    TaskDelta,
    TaskReplied,
)
from codesteer.local.session import RunRequest, Session
from codesteer.local.transcript import transcript_to_json, write_transcript

__all__ = ["run"]

_EXAMPLES = """
Examples:

  codesteer run "What is 17 * 23?"

  codesteer run --task game24 --seed 0 --index 3 --rounds 3

  codesteer run "..." --task-model ollama:qwen2.5:7b --steerer default

  codesteer run "..." --task-model openai:gpt-4o --steerer none --json

Model specs: default (SmolLM2-135M, offline), llamacpp:PATH.gguf, ollama:MODEL,
openai:MODEL[@BASE_URL], anthropic:MODEL. See `codesteer models`.
"""


def run(
    question: str | None = typer.Argument(
        None,
        help="The question; '-' reads it from standard input. Or use --task.",
        show_default=False,
    ),
    task_model: str | None = typer.Option(
        None,
        "--task-model",
        "-m",
        metavar="SPEC",
        help="The model that answers (default: config, else the offline SmolLM2).",
    ),
    steerer: str | None = typer.Option(
        None,
        "--steerer",
        "-s",
        metavar="SPEC|none",
        help="The steering model; 'none' asks the task model alone (a baseline).",
    ),
    rounds: int | None = typer.Option(
        None,
        "--rounds",
        "-r",
        min=0,
        max=50,
        help="Review rounds after the first answer (default 5; 0: choose code/text once).",
    ),
    task: str | None = typer.Option(
        None, "--task", metavar="NAME", help="Ask a SymBench item instead, and score the answer."
    ),
    seed: int = typer.Option(0, "--seed", help="With --task: the item stream."),
    index: int = typer.Option(0, "--index", min=0, help="With --task: the item's index."),
    complexity: int | None = typer.Option(
        None, "--complexity", "-c", help="With --task: the complexity level."
    ),
    self_check: bool = typer.Option(
        True,
        "--self-check/--no-self-check",
        help="Have the task model check its own answers (one more call per round).",
    ),
    max_tokens: int = typer.Option(
        1024, "--max-tokens", min=16, help="Longest task-model reply, in tokens."
    ),
    sandbox_level: str | None = typer.Option(
        None,
        "--sandbox-level",
        metavar="LEVEL",
        help="best, bubblewrap, namespaces or rlimits (default: config, else best).",
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print the transcript as JSON on stdout, nothing else."
    ),
    transcript: Path | None = typer.Option(
        None, "--transcript", "-o", metavar="FILE", help="Also write the transcript (JSON)."
    ),
) -> None:
    """Steer a task model through one question: the steering model picks code or text,
    reviews each answer with its code's output and two checks, and says when to stop.
    """
    config = load_config()
    if (question is None) == (task is None):
        raise UserError("give a QUESTION or --task NAME (not both)")
    if question == "-":
        question = sys.stdin.read()
    if question is not None and not question.strip():
        raise UserError("the question is empty")
    request = RunRequest(
        question=question,
        task=task,
        seed=seed,
        index=index,
        complexity=complexity,
        task_model=task_model or config.models.task,
        steerer=steerer or config.models.steerer,
        rounds=config.rounds if rounds is None else rounds,
        self_check=self_check,
        max_tokens=max_tokens,
        sandbox_level=sandbox_level or config.sandbox.level,
    )
    render = None if as_json else _Renderer()
    session = Session(request, config)
    try:
        result = asyncio.run(session.run(render))
    except KeyboardInterrupt:
        if render is not None:
            render.close()
        # What happened so far is kept: the transcript says the run was cancelled.
        if transcript is not None and session.transcript is not None:
            write_transcript(session.transcript, transcript)
            err.print(f"interrupted; partial transcript written to {transcript}", style="yellow")
        else:
            err.print("interrupted", style="yellow")
        raise typer.Exit(130) from None
    if render is not None:
        render.close()
    if transcript is not None:
        write_transcript(result, transcript)
    if as_json:
        sys.stdout.write(transcript_to_json(result) + "\n")
    elif transcript is not None:
        err.print(f"transcript written to {transcript}", style="dim")


run.__doc__ = (run.__doc__ or "") + _EXAMPLES


class _Renderer:
    """Prints events as they come: decisions, the streamed reply, sandbox and check results."""

    def __init__(self) -> None:
        self._streaming = False
        self._handlers: dict[type, Callable[[Event], None]] = {
            RunStarted: self._run_started,  # type: ignore[dict-item]
            RoundStarted: self._round_started,  # type: ignore[dict-item]
            SteeringDecided: self._steering,  # type: ignore[dict-item]
            TaskDelta: self._delta,  # type: ignore[dict-item]
            TaskReplied: self._replied,  # type: ignore[dict-item]
            SandboxFinished: self._sandbox,  # type: ignore[dict-item]
            SymbolicChecked: self._symbolic,  # type: ignore[dict-item]
            SelfChecked: self._self_check,  # type: ignore[dict-item]
            FinalAnswer: self._final,  # type: ignore[dict-item]
        }

    def __call__(self, event: Event) -> None:
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(event)

    def close(self) -> None:
        self._end_stream()

    def _end_stream(self) -> None:
        if self._streaming:
            out.file.write("\n")
            out.file.flush()
            self._streaming = False

    def _run_started(self, event: RunStarted) -> None:
        task_model, steerer = short_spec(event.task_model), short_spec(event.steerer or "none")
        out.print(
            f"task model [bold]{task_model}[/] · steerer [bold]{steerer}[/] · "
            f"rounds {event.rounds} · sandbox [bold]{event.sandbox_level}[/]",
            highlight=False,
        )

    def _round_started(self, event: RoundStarted) -> None:
        self._end_stream()
        out.rule(round_title(event.round), style="cyan")

    def _steering(self, event: SteeringDecided) -> None:
        note = "" if event.parse == "ok" else f" [yellow]({event.parse})[/]"
        line = Text.assemble(("steer → ", "cyan"), (event.decision.action.value, "bold cyan"))
        if event.decision.guidance:
            line.append(f": {event.decision.guidance}")
        out.print(line, end="")
        out.print(note)

    def _delta(self, event: TaskDelta) -> None:
        # Written raw: rich markup in a model's reply must not be interpreted.
        out.file.write(event.text)
        out.file.flush()
        self._streaming = True

    def _replied(self, event: TaskReplied) -> None:
        self._end_stream()
        usage = event.usage
        out.print(
            f"[dim]{usage.prompt_tokens} tokens in, {usage.completion_tokens} out, "
            f"{event.seconds:.1f} s[/]"
        )

    def _sandbox(self, event: SandboxFinished) -> None:
        result = event.result
        style = "green" if result.status == "ok" else "red"
        out.print(Text(f"sandbox: {sandbox_summary(result)}", style=style))
        for name, text in (("stdout", result.stdout), ("stderr", result.stderr)):
            if text.strip():
                out.print(Text(f"{name}: {tail(text)}", style="dim"))

    def _symbolic(self, event: SymbolicChecked) -> None:
        out.print(Text(f"symbolic check: {symbolic_summary(event.report)}", style="dim"))

    def _self_check(self, event: SelfChecked) -> None:
        style = {"correct": "green", "incorrect": "red"}.get(event.check.verdict, "yellow")
        out.print(f"[{style}]self-check: {event.check.verdict}[/]")

    def _final(self, event: FinalAnswer) -> None:
        self._end_stream()
        body = Text(event.answer if event.answer is not None else "(no <<<answer>>> given)")
        subtitle = f"from the {event.source}" if event.source else None
        if event.score is not None:
            body.append(
                f"\n{score_summary(event.score)}", style="bold" if event.score.correct else ""
            )
        out.print(Panel(body, title="final answer", subtitle=subtitle, expand=False))

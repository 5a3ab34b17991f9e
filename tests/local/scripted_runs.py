"""Real steering runs with scripted models, for the tests of what consumes them (transcripts,
their Markdown, the history, replay)."""

from __future__ import annotations

import asyncio

from codesteer.local.events import Event
from codesteer.local.loop import SteeringRun
from codesteer.local.sandbox import Sandbox
from codesteer.local.scripted import ScriptedBackend
from codesteer.local.transcript import Transcript

__all__ = ["CHECKER", "CODE_ANSWER", "QUESTION", "collect", "steered_transcript"]

CODE_ANSWER = "I will compute it.\n```python\nprint(f'<<<{17 * 23}>>>')\n```\n"
CHECKER = "```python\nprint('Correct' if 17 * 23 == 391 else 'wrong product')\n```"
QUESTION = "What is 17 * 23? Answer as <<<N>>>."


def collect(run: SteeringRun) -> list[Event]:
    """Every event of ``run``, run to its end."""

    async def go() -> list[Event]:
        return [event async for event in run]

    return asyncio.run(go())


def steered_transcript(sandbox: Sandbox, question: str = QUESTION) -> Transcript:
    """A real two-round run: code, sandbox, checks, then Return Answer."""
    steerer = ScriptedBackend(
        ["Decision: Code\nGuidance: multiply exactly", "Decision: Return Answer\nGuidance: ok"]
    )
    task = ScriptedBackend([CODE_ANSWER, CHECKER])
    run = SteeringRun(question, task_model=task, steerer=steerer, sandbox=sandbox)
    collect(run)
    return run.transcript

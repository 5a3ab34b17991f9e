"""One steering run from plain settings: resolve the model specs, open the backends and the
sandbox, pose the question (or a SymBench item, graded at the end), run the loop, close
everything. The CLI, the harness and the TUI share this instead of wiring the parts each.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from codesteer.errors import UserError
from codesteer.local.backends import Backend, GenerationOptions, open_backend
from codesteer.local.config import Config
from codesteer.local.events import Event
from codesteer.local.loop import CodeSandbox, Grader, SteeringOptions, SteeringRun
from codesteer.local.sandbox import IsolationLevel, Limits, Sandbox
from codesteer.local.transcript import ItemRef, Transcript
from codesteer.symbench import Score, get_task

__all__ = [
    "BackendOpener",
    "ClosableSandbox",
    "RunRequest",
    "SandboxOpener",
    "Session",
    "open_sandbox",
]

#: The steerer spec that means "no steering model": the task model alone.
NO_STEERER = "none"


@dataclass(frozen=True)
class RunRequest:
    """A question (or a SymBench item: ``task``, ``seed``, ``index``) and how to steer it."""

    question: str | None = None
    task: str | None = None
    seed: int = 0
    index: int = 0
    complexity: int | None = None
    task_model: str = "default"
    steerer: str = "default"
    rounds: int = 5
    self_check: bool = True
    max_tokens: int = 1024
    sandbox_level: str = "best"


class ClosableSandbox(CodeSandbox, Protocol):
    """A sandbox a session owns: it closes it when the run ends."""

    def close(self) -> None: ...


#: How a session turns a model spec into a backend, and a level into a sandbox. The defaults
#: are :func:`~codesteer.local.backends.open_backend` and :func:`open_sandbox`; front ends
#: and their tests inject others (a scripted model, a fake sandbox), as httpx injects transports.
BackendOpener = Callable[[str, Config], Backend]
SandboxOpener = Callable[[str, Config], ClosableSandbox]


def open_sandbox(level: str, config: Config) -> Sandbox:
    """The sandbox at ``level`` (``best`` or an :class:`IsolationLevel` value)."""
    try:
        wanted = None if level == "best" else IsolationLevel(level)
    except ValueError:
        names = ", ".join(["best", *(lv.value for lv in IsolationLevel)])
        raise UserError(f"unknown sandbox level {level!r}: use one of {names}") from None
    limits = Limits(timeout_s=config.sandbox.timeout_s, memory_mb=config.sandbox.memory_mb)
    return Sandbox(limits, level=wanted)


def _question(request: RunRequest) -> tuple[str, Grader | None, ItemRef | None]:
    if request.task is None:
        assert request.question is not None
        return request.question, None, None
    task = get_task(request.task)
    item = task.generate(request.seed, request.index, request.complexity)

    def grade(text: str) -> Score:
        return task.score(text, item)

    return item.question, grade, ItemRef(item.task, item.id, item.source)


class Session:
    """One run of a :class:`RunRequest`. :attr:`transcript` is set once the run has started
    and fills in as it goes, so a caller interrupted mid-run still holds what happened."""

    def __init__(
        self,
        request: RunRequest,
        config: Config,
        *,
        backends: BackendOpener = open_backend,
        sandboxes: SandboxOpener = open_sandbox,
    ) -> None:
        self.request = request
        self.config = config
        self.transcript: Transcript | None = None
        self._open_backend = backends
        self._open_sandbox = sandboxes

    async def run(self, on_event: Callable[[Event], object] | None = None) -> Transcript:
        """Run to the end and return the transcript; ``on_event`` sees every event."""
        request, config = self.request, self.config
        question, grade, item = _question(request)
        task_backend = self._open_backend(request.task_model, config)
        steer_backend: Backend | None = None
        if request.steerer.strip().lower() != NO_STEERER:
            try:
                steer_backend = self._open_backend(request.steerer, config)
            except BaseException:
                await task_backend.aclose()
                raise
        options = SteeringOptions(
            rounds=request.rounds,
            self_check=request.self_check,
            task=dataclasses.replace(GenerationOptions(), max_tokens=request.max_tokens),
        )
        try:
            sandbox = self._open_sandbox(request.sandbox_level, config)
        except BaseException:
            await task_backend.aclose()
            if steer_backend is not None:
                await steer_backend.aclose()
            raise
        try:
            run = SteeringRun(
                question,
                task_model=task_backend,
                steerer=steer_backend,
                sandbox=sandbox,
                options=options,
                grade=grade,
                item=item,
            )
            self.transcript = run.transcript
            async for event in run:
                if on_event is not None:
                    on_event(event)
            return run.transcript
        finally:
            sandbox.close()
            await task_backend.aclose()
            if steer_backend is not None:
                await steer_backend.aclose()

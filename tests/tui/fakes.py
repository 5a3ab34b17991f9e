"""Scripted models and a fake sandbox for the TUI's pilot tests, wired through
:class:`~codesteer.tui.services.Services` the way a real app gets real ones."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from codesteer.errors import BackendUnavailableError
from codesteer.local.backends import (
    Backend,
    Completion,
    Delta,
    GenerationOptions,
    Message,
    ModelEntry,
)
from codesteer.local.config import Config
from codesteer.local.sandbox import IsolationLevel, SandboxResult
from codesteer.local.scripted import Reply, ScriptedBackend
from codesteer.tui.services import Services

STEER_CODE = "Decision: Code\nGuidance: compute the product exactly"
STEER_TEXT = "Decision: Text\nGuidance: explain the result in words"
STEER_RETURN = "Decision: Return Answer\nGuidance: the answer is checked"
CODE_REPLY = "I will compute it.\n```python\nprint(f'<<<{17 * 23}>>>')\n```\n"
TEXT_REPLY = "17 times 23 is **391**.\n\n<<<391>>>"
CHECK_REPLY = "```python\nprint('Correct')\n```"
QUESTION = "What is 17 * 23? Answer as <<<N>>>."
#: The wall clock of every test app: history entries stamped alike snapshot alike.
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc)


class GatedBackend(ScriptedBackend):
    """A scripted model that, before its reply number ``at``, waits for :attr:`gate`: a test
    can cancel a run while the model is "generating"."""

    def __init__(self, replies: Sequence[Reply], *, at: int, name: str = "gated") -> None:
        super().__init__(replies, name=name)
        self.at = at
        self.gate = asyncio.Event()
        self.waiting = asyncio.Event()
        self.cancelled = False

    async def stream(
        self, messages: Sequence[Message], options: GenerationOptions
    ) -> AsyncIterator[Delta | Completion]:
        if len(self.requests) == self.at:
            self.waiting.set()
            try:
                await self.gate.wait()
            except asyncio.CancelledError:
                self.cancelled = True
                raise
        async for piece in super().stream(messages, options):
            yield piece


@dataclass
class FakeSandbox:
    """Runs nothing: a checking program (one that prints ``Correct``) "prints" ``Correct``, any
    other ``stdout``. ``block`` makes a run wait until it is cancelled, which is recorded, as a
    real sandbox kills its process then."""

    stdout: str = "<<<391>>>\n"
    block: bool = False
    codes: list[str] = field(default_factory=list)
    started: asyncio.Event = field(default_factory=asyncio.Event)
    cancelled: bool = False
    closed: bool = False

    @property
    def level(self) -> IsolationLevel:
        return IsolationLevel.BUBBLEWRAP

    async def arun(self, code: str, *, timeout_s: float | None = None) -> SandboxResult:
        self.codes.append(code)
        self.started.set()
        if self.block:
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                self.cancelled = True
                raise
        stdout = "Correct\n" if "print('Correct')" in code else self.stdout
        return SandboxResult("ok", 0, stdout, "", False, (), 0.25, self.level)

    def close(self) -> None:
        self.closed = True


@dataclass
class Models:
    """What each spec opens as: a fresh scripted backend per run, from a factory."""

    factories: dict[str, Callable[[], Backend]]
    opened: list[Backend] = field(default_factory=list)

    def open(self, spec: str, config: Config) -> Backend:
        factory = self.factories.get(spec)
        if factory is None:
            raise BackendUnavailableError(f"cannot reach the server for {spec}")
        backend = factory()
        self.opened.append(backend)
        return backend

    def listing(self, config: Config) -> list[ModelEntry]:
        return [ModelEntry(spec, "scripted") for spec in self.factories]


def make_services(
    tmp_path: Path,
    models: Models,
    sandbox: FakeSandbox | None = None,
    *,
    config_text: str = 'rounds = 2\n[models]\ntask = "task"\nsteerer = "steer"\n',
) -> Services:
    config_file = tmp_path / "config" / "config.toml"
    config_file.parent.mkdir(parents=True, exist_ok=True)
    config_file.write_text(config_text, encoding="utf-8")
    from codesteer.local.config import load_config

    box = sandbox or FakeSandbox()
    return Services(
        config=load_config(config_file),
        config_file=config_file,
        history_file=tmp_path / "data" / "history.sqlite3",
        runs_dir=tmp_path / "runs",
        backends=models.open,
        sandboxes=lambda level, config: box,
        models=models.listing,
        clock=lambda: 0.0,
        now=lambda: NOW,
    )


def full_run_models() -> Models:
    """Code first, then text, then the steerer returns the answer: every kind of card."""
    return Models(
        {
            "task": lambda: ScriptedBackend([CODE_REPLY, CHECK_REPLY, TEXT_REPLY, CHECK_REPLY]),
            "steer": lambda: ScriptedBackend([STEER_CODE, STEER_TEXT, STEER_RETURN]),
        }
    )

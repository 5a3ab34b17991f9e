"""What every model backend speaks: messages in, a stream of text deltas and one completion out.

Pure data and one small abstract class; no I/O. Adapters live beside this module, one per
backend kind, and are chosen by a spec string (see :mod:`codesteer.local.backends._spec`).
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

__all__ = [
    "Backend",
    "BackendKind",
    "Completion",
    "Delta",
    "GenerationOptions",
    "Message",
    "ModelSpec",
    "Role",
    "Usage",
]

Role = Literal["system", "user", "assistant"]
#: ``scripted`` is the in-library test double (:mod:`codesteer.local.scripted`), never parsed.
BackendKind = Literal["llamacpp", "ollama", "openai", "anthropic", "scripted"]


@dataclass(frozen=True)
class Message:
    role: Role
    content: str


@dataclass(frozen=True)
class GenerationOptions:
    """Sampling settings. ``grammar`` is a GBNF grammar: backends whose ``supports_grammar`` is
    true constrain their output with it; the others ignore it (callers parse strictly anyway)."""

    max_tokens: int = 1024
    temperature: float = 0.0
    top_p: float = 1.0
    seed: int | None = 0
    stop: tuple[str, ...] = ()
    grammar: str | None = None


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.prompt_tokens + other.prompt_tokens,
            self.completion_tokens + other.completion_tokens,
        )


@dataclass(frozen=True)
class Delta:
    """A piece of streamed text."""

    text: str


@dataclass(frozen=True)
class Completion:
    """The whole reply: always the last item of :meth:`Backend.stream`."""

    text: str
    usage: Usage
    finish_reason: str | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class ModelSpec:
    """A backend and a model: ``llamacpp:/path/model.gguf``, ``ollama:qwen2.5:7b``,
    ``openai:gpt-4o@http://127.0.0.1:8080/v1``, ``anthropic:claude-sonnet-4``.

    Never holds a secret: API keys are read from the environment or the config by the adapter,
    so a spec can be printed, logged and written to transcripts as it is.
    """

    kind: BackendKind
    model: str
    base_url: str | None = None

    def __str__(self) -> str:
        text = f"{self.kind}:{self.model}"
        return f"{text}@{self.base_url}" if self.base_url else text


class Backend(abc.ABC):
    """One model behind one interface: chat, streaming, token usage, cancellation.

    Cancellation is the caller's: cancelling the task that iterates :meth:`stream` (or closing
    the iterator) stops generation promptly and frees the model for the next request.
    """

    #: True where ``GenerationOptions.grammar`` is enforced while decoding.
    supports_grammar: ClassVar[bool] = False

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec

    @abc.abstractmethod
    def stream(
        self, messages: Sequence[Message], options: GenerationOptions
    ) -> AsyncIterator[Delta | Completion]:
        """Yield :class:`Delta` pieces as they arrive, then exactly one :class:`Completion`."""

    async def chat(self, messages: Sequence[Message], options: GenerationOptions) -> Completion:
        """The whole reply, without the deltas."""
        async for piece in self.stream(messages, options):
            if isinstance(piece, Completion):
                return piece
        raise RuntimeError(f"{self.spec}: the stream ended without a completion")  # a bug

    async def aclose(self) -> None:  # noqa: B027 - most backends hold nothing to close
        """Release connections; models kept in memory for reuse stay cached."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.spec}>"

"""A backend that replies from a script, instantly: for tests of the loop's own logic, for the
round-overhead benchmark, and for trying a front end without a model.

Like httpx's ``MockTransport``, it ships with the library because users test their own code
against the loop too. It is never chosen by a spec string.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from typing import ClassVar

from codesteer.local.backends import (
    Backend,
    Completion,
    Delta,
    GenerationOptions,
    Message,
    ModelSpec,
    Usage,
)

__all__ = ["Reply", "ScriptedBackend"]

Reply = str | Callable[[Sequence[Message]], str]
_PIECES = re.compile(r"\S+\s*|\s+")


class ScriptedBackend(Backend):
    """Replies with ``replies`` in turn (a string, or a function of the messages). Records every
    request in :attr:`requests`. Token counts are whitespace-separated words."""

    supports_grammar: ClassVar[bool] = False

    def __init__(self, replies: Iterable[Reply], *, name: str = "scripted") -> None:
        super().__init__(ModelSpec("scripted", name))
        self._replies = list(replies)
        self.requests: list[tuple[list[Message], GenerationOptions]] = []

    async def stream(
        self, messages: Sequence[Message], options: GenerationOptions
    ) -> AsyncIterator[Delta | Completion]:
        if len(self.requests) >= len(self._replies):
            raise RuntimeError(f"{self.spec.model}: the script has no reply left")
        reply = self._replies[len(self.requests)]
        self.requests.append((list(messages), options))
        text = reply(messages) if callable(reply) else reply
        for piece in _PIECES.findall(text):
            yield Delta(piece)
        prompt = sum(len(message.content.split()) for message in messages)
        yield Completion(text, Usage(prompt, len(text.split())), "stop")

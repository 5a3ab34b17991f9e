"""``anthropic:MODEL[@BASE_URL]``: the Messages API through the official ``anthropic`` SDK.

Retries are the SDK's own (``max_retries``: backoff on connection errors, 408, 409, 429, 5xx
and 529, honouring ``Retry-After``); for a stream they cover opening it only, before any delta.
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

import anthropic

from codesteer.errors import BackendUnavailableError
from codesteer.local.backends._common import LOCAL_PLACEHOLDER_KEY, is_loopback, sdk_error
from codesteer.local.backends._types import (
    Backend,
    Completion,
    Delta,
    GenerationOptions,
    Message,
    ModelSpec,
    Usage,
)
from codesteer.local.config import Config

__all__ = ["AnthropicBackend"]

ANTHROPIC_URL = "https://api.anthropic.com"


def split_system(messages: Sequence[Message]) -> tuple[str, list[dict[str, str]]]:
    """The system prompt apart, and the turns with consecutive same-role messages merged: the
    Messages API takes ``system=`` separately and wants user and assistant to alternate."""
    system = "\n\n".join(m.content for m in messages if m.role == "system")
    turns: list[dict[str, str]] = []
    for m in messages:
        if m.role == "system":
            continue
        if turns and turns[-1]["role"] == m.role:
            turns[-1]["content"] += "\n\n" + m.content
        else:
            turns.append({"role": m.role, "content": m.content})
    return system, turns


class AnthropicBackend(Backend):
    def __init__(self, spec: ModelSpec, config: Config) -> None:
        super().__init__(spec)
        self.base_url = (
            spec.base_url or os.environ.get("ANTHROPIC_BASE_URL") or ANTHROPIC_URL
        ).rstrip("/")
        key = os.environ.get("ANTHROPIC_API_KEY")
        if not key:
            if not is_loopback(self.base_url):
                raise BackendUnavailableError(
                    f"ANTHROPIC_API_KEY is not set (needed for {self.base_url}); export it"
                )
            key = LOCAL_PLACEHOLDER_KEY
        self._key = key
        self._client = anthropic.AsyncAnthropic(
            api_key=key,
            base_url=self.base_url,
            timeout=config.backends.timeout_s,
            max_retries=config.backends.retries,
            # Some compatible servers (llm-katan 0.22) read only ``x-api-key``; sending it
            # explicitly makes every server and SDK version agree.
            default_headers={"x-api-key": key},
        )

    def _request(self, messages: Sequence[Message], options: GenerationOptions) -> dict[str, Any]:
        system, turns = split_system(messages)
        request: dict[str, Any] = {
            "model": self.spec.model,
            "messages": turns,
            "max_tokens": options.max_tokens,
        }
        # No temperature, top_p or seed: the Messages API of SDK 2.x takes none of them
        # (recent models choose their own sampling), so those options do not apply here.
        if system:
            request["system"] = system
        if options.stop:
            request["stop_sequences"] = list(options.stop)
        return request

    async def stream(
        self, messages: Sequence[Message], options: GenerationOptions
    ) -> AsyncIterator[Delta | Completion]:
        start = time.perf_counter()
        pieces: list[str] = []
        try:
            async with self._client.messages.stream(**self._request(messages, options)) as events:
                async for text in events.text_stream:
                    if text:
                        pieces.append(text)
                        yield Delta(text)
                final = await events.get_final_message()
        except anthropic.APIError as exc:
            raise self._error(exc) from None
        usage = Usage(final.usage.input_tokens, final.usage.output_tokens)
        yield Completion("".join(pieces), usage, final.stop_reason, time.perf_counter() - start)

    def _error(self, exc: anthropic.APIError) -> Exception:
        return sdk_error(
            exc,
            anthropic,
            where=f"the Anthropic API at {self.base_url}",
            spec=self.spec,
            secret=self._key,
            key_variable="ANTHROPIC_API_KEY",
            reach_hint="check the URL (ANTHROPIC_BASE_URL or anthropic:MODEL@https://HOST) "
            "and the network",
        )

    async def aclose(self) -> None:
        await self._client.close()

"""``openai:MODEL[@BASE_URL]``: OpenAI and every server that speaks its chat completions API
(vLLM, LM Studio, llama.cpp's server, Ollama's ``/v1``), through the official ``openai`` SDK.

Retries are the SDK's own (``max_retries``: exponential backoff on connection errors, 408,
409, 429 and 5xx, honouring ``Retry-After``). For a stream they cover opening it only, so a
request is never repeated after a delta was yielded.
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

import openai

from codesteer.errors import BackendUnavailableError
from codesteer.local.backends._common import (
    LOCAL_PLACEHOLDER_KEY,
    is_loopback,
    role_content,
    sdk_error,
)
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

__all__ = ["OpenAIBackend"]

OPENAI_URL = "https://api.openai.com/v1"


def resolve_base_url(spec_url: str | None) -> str:
    return (spec_url or os.environ.get("OPENAI_BASE_URL") or OPENAI_URL).rstrip("/")


def resolve_key(base_url: str) -> str:
    key = os.environ.get("OPENAI_API_KEY")
    if key:
        return key
    if is_loopback(base_url):
        return LOCAL_PLACEHOLDER_KEY
    raise BackendUnavailableError(
        f"OPENAI_API_KEY is not set (needed for {base_url}); export it, or point the spec "
        "at a local server: openai:MODEL@http://127.0.0.1:8080/v1"
    )


class OpenAIBackend(Backend):
    def __init__(self, spec: ModelSpec, config: Config) -> None:
        super().__init__(spec)
        self.base_url = resolve_base_url(spec.base_url)
        self._key = resolve_key(self.base_url)
        self._client = openai.AsyncOpenAI(
            api_key=self._key,
            base_url=self.base_url,
            timeout=config.backends.timeout_s,
            max_retries=config.backends.retries,
        )

    def _request(self, messages: Sequence[Message], options: GenerationOptions) -> dict[str, Any]:
        request: dict[str, Any] = {
            "model": self.spec.model,
            "messages": role_content(messages),
            "temperature": options.temperature,
            "top_p": options.top_p,
        }
        # OpenAI's own reasoning models reject ``max_tokens``; most compatible servers know
        # only ``max_tokens``.
        limit_key = "max_completion_tokens" if self.base_url == OPENAI_URL else "max_tokens"
        request[limit_key] = options.max_tokens
        if options.seed is not None:
            request["seed"] = options.seed
        if options.stop:
            request["stop"] = list(options.stop)
        return request

    async def stream(
        self, messages: Sequence[Message], options: GenerationOptions
    ) -> AsyncIterator[Delta | Completion]:
        start = time.perf_counter()
        pieces: list[str] = []
        usage: Usage | None = None
        finish: str | None = None
        try:
            chunks = await self._client.chat.completions.create(
                **self._request(messages, options),
                stream=True,
                stream_options={"include_usage": True},
            )
            async with chunks:
                async for chunk in chunks:
                    if chunk.usage is not None:
                        usage = Usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
                    for choice in chunk.choices:
                        finish = choice.finish_reason or finish
                        text = choice.delta.content if choice.delta else None
                        if text:
                            pieces.append(text)
                            yield Delta(text)
        except openai.APIError as exc:
            raise self._error(exc) from None
        text = "".join(pieces)
        if usage is None:
            # Servers that ignore ``stream_options`` send no usage: estimate it (about four
            # characters a token for the prompt; streamed chunks are usually one token each).
            prompt_chars = sum(len(m.content) for m in messages)
            usage = Usage(max(1, prompt_chars // 4), len(pieces))
        yield Completion(text, usage, finish, time.perf_counter() - start)

    async def chat(self, messages: Sequence[Message], options: GenerationOptions) -> Completion:
        """One non-streamed request: where nobody watches the deltas, parsing one SDK object
        per streamed token costs the client ~0.5 ms each (most of a benchmark's CPU time), and
        the SDK can retry a whole request where it cannot resume a broken stream."""
        start = time.perf_counter()
        try:
            response = await self._client.chat.completions.create(
                **self._request(messages, options)
            )
        except openai.APIError as exc:
            raise self._error(exc) from None
        choice = response.choices[0] if response.choices else None
        text = (choice.message.content if choice and choice.message else None) or ""
        if response.usage is not None:
            usage = Usage(response.usage.prompt_tokens, response.usage.completion_tokens)
        else:
            prompt_chars = sum(len(m.content) for m in messages)
            usage = Usage(max(1, prompt_chars // 4), max(1, len(text) // 4))
        finish = choice.finish_reason if choice else None
        return Completion(text, usage, finish, time.perf_counter() - start)

    def _error(self, exc: openai.APIError) -> Exception:
        return sdk_error(
            exc,
            openai,
            where=f"the OpenAI-compatible server at {self.base_url}",
            spec=self.spec,
            secret=self._key,
            key_variable="OPENAI_API_KEY",
            reach_hint="start the server, or fix the URL "
            "(OPENAI_BASE_URL or openai:MODEL@http://HOST:PORT/v1)",
            missing_hint="; `codesteer models` lists what it serves",
        )

    async def aclose(self) -> None:
        await self._client.close()

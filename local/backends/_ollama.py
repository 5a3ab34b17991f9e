"""``ollama:MODEL[@BASE_URL]``: a local Ollama server through the official ``ollama`` client.

The host is the spec's ``@BASE_URL``, else ``OLLAMA_HOST`` (read by the client), else
``http://127.0.0.1:11434``. The client has no retries of its own, so tenacity retries opening
the stream (up to the first chunk, before any delta is yielded) on connection errors, 429 and
5xx, with exponential backoff and jitter.
"""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
import ollama
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from codesteer.errors import BackendError, BackendUnavailableError, ModelNotFoundError
from codesteer.local.backends._common import role_content
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

__all__ = ["OllamaBackend", "ollama_host"]

DEFAULT_HOST = "http://127.0.0.1:11434"


def ollama_host(spec_url: str | None = None) -> str:
    """Where the client will connect, for messages (the client parses the same values)."""
    host = spec_url or os.environ.get("OLLAMA_HOST") or DEFAULT_HOST
    return host if "://" in host else f"http://{host}"


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, ollama.ResponseError):
        return exc.status_code == 429 or exc.status_code >= 500
    return isinstance(exc, (ConnectionError, httpx.TransportError))


class OllamaBackend(Backend):
    def __init__(self, spec: ModelSpec, config: Config) -> None:
        super().__init__(spec)
        self.host = ollama_host(spec.base_url)
        self._retries = config.backends.retries
        self._n_ctx = config.backends.n_ctx
        self._client = ollama.AsyncClient(host=spec.base_url, timeout=config.backends.timeout_s)

    def _options(self, options: GenerationOptions) -> dict[str, Any]:
        values: dict[str, Any] = {
            "num_predict": options.max_tokens,
            "temperature": options.temperature,
            "top_p": options.top_p,
            # Ollama's default context (2048-4096 tokens) silently drops the start of a long
            # steering conversation; ask for the configured size instead.
            "num_ctx": self._n_ctx,
        }
        if options.seed is not None:
            values["seed"] = options.seed
        if options.stop:
            values["stop"] = list(options.stop)
        return values

    async def stream(
        self, messages: Sequence[Message], options: GenerationOptions
    ) -> AsyncIterator[Delta | Completion]:
        start = time.perf_counter()
        turns, settings = role_content(messages), self._options(options)
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._retries + 1),
            # (wait_exponential_jitter renamed its arguments in tenacity 9: this sum is the
            # same backoff in every version the project allows.)
            wait=wait_exponential(multiplier=0.5, max=8.0) + wait_random(0, 0.5),
            retry=retry_if_exception(_transient),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    chunks = await self._client.chat(
                        self.spec.model, turns, stream=True, options=settings
                    )
                    # The request is sent on the first read: retry up to here, never later.
                    chunk = await anext(chunks)
            pieces: list[str] = []
            while True:
                text = chunk.message.content if chunk.message else None
                if text:
                    pieces.append(text)
                    yield Delta(text)
                if chunk.done:
                    break
                chunk = await anext(chunks)
        except StopAsyncIteration:
            raise BackendError(
                f"Ollama at {self.host} ended the reply early ({self.spec})"
            ) from None
        except (ollama.ResponseError, ConnectionError, httpx.TransportError) as exc:
            raise self._error(exc) from None
        usage = Usage(chunk.prompt_eval_count or 0, chunk.eval_count or 0)
        yield Completion("".join(pieces), usage, chunk.done_reason, time.perf_counter() - start)

    def _error(self, exc: Exception) -> Exception:
        model = self.spec.model
        if isinstance(exc, ollama.ResponseError):
            if exc.status_code == 404:
                return ModelNotFoundError(
                    f"Ollama at {self.host} has no model {model!r}: run `ollama pull {model}`"
                )
            return BackendError(
                f"Ollama at {self.host} failed ({exc.status_code}) for {self.spec}: {exc.error}"
            )
        if isinstance(exc, httpx.TimeoutException):
            return BackendError(f"Ollama at {self.host} did not answer in time ({self.spec})")
        return BackendUnavailableError(
            f"cannot reach Ollama at {self.host}: start it with `ollama serve` "
            "(or set OLLAMA_HOST / use ollama:MODEL@http://HOST:11434)"
        )

    async def aclose(self) -> None:
        # The async client exposes no close(); its httpx client holds the connections.
        await self._client._client.aclose()

"""The OpenAI adapter against a real OpenAI-compatible server: llama-cpp-python's
``python -m llama_cpp.server`` on the SmolLM2 GGUF, on loopback."""

from __future__ import annotations

import asyncio

import pytest

from codesteer.errors import BackendUnavailableError
from codesteer.local.backends import Completion, Delta, GenerationOptions, Message, open_backend
from codesteer.local.backends._openai import OpenAIBackend
from tests.servers import closed_port, make_config

pytestmark = [pytest.mark.server, pytest.mark.slow]

SHORT = GenerationOptions(max_tokens=16)
QUESTION = [Message("system", "Be brief."), Message("user", "What is the capital of France?")]


@pytest.fixture(autouse=True)
def _no_cloud_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


async def collect(backend: OpenAIBackend) -> list[Delta | Completion]:
    try:
        return [piece async for piece in backend.stream(QUESTION, SHORT)]
    finally:
        await backend.aclose()


def test_streaming(llama_server: str) -> None:
    backend = open_backend(f"openai:smollm2@{llama_server}", make_config())
    assert isinstance(backend, OpenAIBackend)
    *deltas, last = asyncio.run(collect(backend))
    assert deltas and all(isinstance(d, Delta) for d in deltas)
    assert isinstance(last, Completion)
    assert last.text == "".join(d.text for d in deltas)  # type: ignore[union-attr]
    assert last.text.strip()
    assert last.usage.prompt_tokens > 0
    assert 0 < last.usage.completion_tokens <= SHORT.max_tokens


def test_chat_and_base_url_from_environment(
    llama_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", llama_server)
    backend = open_backend("openai:smollm2", make_config())

    async def run() -> Completion:
        try:
            return await backend.chat(QUESTION, SHORT)
        finally:
            await backend.aclose()

    reply = asyncio.run(run())  # one plain request, not a stream
    assert reply.text.strip()
    assert reply.finish_reason in {"stop", "length"}
    assert reply.usage.prompt_tokens > 0
    assert 0 < reply.usage.completion_tokens <= SHORT.max_tokens


def test_unknown_model_name_is_served_by_the_single_model(llama_server: str) -> None:
    """llama.cpp's server hosts one model and answers whatever name is asked for (real OpenAI
    answers 404, which the adapter turns into ModelNotFoundError)."""
    backend = open_backend(f"openai:no-such-model@{llama_server}", make_config())

    async def run() -> Completion:
        try:
            return await backend.chat(QUESTION, SHORT)
        finally:
            await backend.aclose()

    assert asyncio.run(run()).text.strip()


def test_connection_refused_is_unavailable() -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"
    backend = open_backend(f"openai:smollm2@{url}", make_config(retries=1))
    with pytest.raises(BackendUnavailableError) as info:
        asyncio.run(collect(backend))  # type: ignore[arg-type]
    message = str(info.value)
    assert url in message and "start the server" in message
    assert "\n" not in message

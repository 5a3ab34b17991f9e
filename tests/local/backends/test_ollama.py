"""The Ollama adapter, through the official ``ollama`` client, against the loopback double of
``ollama_double.py`` (real REST shapes, replies from the real SmolLM2 GGUF)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from codesteer.errors import BackendError, BackendUnavailableError, ModelNotFoundError
from codesteer.local.backends import (
    Completion,
    Delta,
    GenerationOptions,
    Message,
    list_models,
    open_backend,
)
from codesteer.local.backends._ollama import OllamaBackend
from tests.local.backends.ollama_double import OllamaDouble
from tests.servers import closed_port, make_config

pytestmark = [pytest.mark.server, pytest.mark.slow]

SHORT = GenerationOptions(max_tokens=16)
QUESTION = [Message("system", "Be brief."), Message("user", "What is the capital of France?")]


@pytest.fixture(scope="session")
def double_server(gguf: Path) -> Iterator[OllamaDouble]:
    double = OllamaDouble({"smollm2:135m": gguf}).start()
    yield double
    double.stop()


@pytest.fixture
def double(double_server: OllamaDouble) -> Iterator[OllamaDouble]:
    yield double_server
    double_server.fail_next(0)


def run_stream(
    backend: OllamaBackend, options: GenerationOptions = SHORT
) -> list[Delta | Completion]:
    async def go() -> list[Delta | Completion]:
        try:
            return [piece async for piece in backend.stream(QUESTION, options)]
        finally:
            await backend.aclose()

    return asyncio.run(go())


def test_double_speaks_the_rest_api(double: OllamaDouble) -> None:
    """The double's own shapes, checked raw (the adapter tests below go through the client)."""
    assert httpx.get(double.url).text == "Ollama is running"
    assert "version" in httpx.get(f"{double.url}/api/version").json()
    tags = httpx.get(f"{double.url}/api/tags").json()
    assert tags["models"][0]["name"] == "smollm2:135m"
    assert tags["models"][0]["details"]["format"] == "gguf"
    show = httpx.post(f"{double.url}/api/show", json={"model": "smollm2:135m"}).json()
    assert "template" in show and "details" in show
    body = {"model": "smollm2:135m", "messages": [{"role": "user", "content": "Hi"}]}
    body["options"] = {"num_predict": 4, "temperature": 0}
    with httpx.stream("POST", f"{double.url}/api/chat", json=body) as response:
        assert response.headers["content-type"] == "application/x-ndjson"
        lines = [json.loads(line) for line in response.iter_lines() if line]
    assert all(not line["done"] for line in lines[:-1])
    final = lines[-1]
    assert final["done"] is True and final["done_reason"] in {"stop", "length"}
    for key in ("model", "created_at", "total_duration", "prompt_eval_count", "eval_count"):
        assert key in final
    missing = httpx.post(f"{double.url}/api/chat", json={**body, "model": "nope"})
    assert missing.status_code == 404
    assert missing.json() == {"error": "model 'nope' not found"}


def test_streaming_with_usage(double: OllamaDouble) -> None:
    backend = open_backend(f"ollama:smollm2:135m@{double.url}", make_config())
    assert isinstance(backend, OllamaBackend)
    *deltas, last = run_stream(backend)
    assert deltas and all(isinstance(d, Delta) for d in deltas)
    assert isinstance(last, Completion)
    assert last.text == "".join(d.text for d in deltas)  # type: ignore[union-attr]
    assert last.text.strip()
    assert last.usage.prompt_tokens > 0 and last.usage.completion_tokens > 0
    assert last.finish_reason in {"stop", "length"}


def test_host_from_ollama_host(double: OllamaDouble, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OLLAMA_HOST", double.url)
    backend = open_backend("ollama:smollm2:135m", make_config())
    assert isinstance(backend, OllamaBackend) and backend.host == double.url
    assert isinstance(run_stream(backend)[-1], Completion)


def test_options_reach_the_server(double: OllamaDouble) -> None:
    backend = open_backend(f"ollama:smollm2:135m@{double.url}", make_config())
    last = run_stream(backend, GenerationOptions(max_tokens=3))[-1]
    assert isinstance(last, Completion)
    assert last.usage.completion_tokens <= 3
    assert last.finish_reason == "length"


def test_missing_model_says_pull(double: OllamaDouble) -> None:
    backend = open_backend(f"ollama:qwen2.5:7b@{double.url}", make_config())
    with pytest.raises(ModelNotFoundError, match=r"ollama pull qwen2\.5:7b"):
        run_stream(backend)


def test_retries_recover_from_server_errors(double: OllamaDouble) -> None:
    double.fail_next(2)
    before = double.chat_requests
    backend = open_backend(f"ollama:smollm2:135m@{double.url}", make_config(retries=3))
    assert isinstance(run_stream(backend)[-1], Completion)
    assert double.chat_requests - before == 3


def test_persistent_errors_end_in_backend_error(double: OllamaDouble) -> None:
    double.fail_next(10)
    backend = open_backend(f"ollama:smollm2:135m@{double.url}", make_config(retries=2))
    with pytest.raises(BackendError, match="500") as info:
        run_stream(backend)
    assert not isinstance(info.value, BackendUnavailableError)


def test_server_down_names_host_and_fix() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    backend = open_backend(f"ollama:smollm2:135m@{url}", make_config(retries=1))
    with pytest.raises(BackendUnavailableError) as info:
        run_stream(backend)
    assert url in str(info.value) and "ollama serve" in str(info.value)


def test_listing_shows_the_server_models(
    double: OllamaDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OLLAMA_HOST", double.url)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    specs = [entry.spec for entry in list_models(make_config())]
    assert "ollama:smollm2:135m" in specs

"""The Anthropic adapter against llm-katan (a third-party loopback server speaking the
Messages API, echo backend), including its fault injection."""

from __future__ import annotations

import asyncio

import pytest

from codesteer.errors import BackendError, BackendUnavailableError
from codesteer.local.backends import Completion, Delta, GenerationOptions, Message, open_backend
from codesteer.local.backends._anthropic import AnthropicBackend, split_system
from tests.servers import KatanFactory, closed_port, make_config

SHORT = GenerationOptions(max_tokens=64)
QUESTION = [
    Message("system", "Be brief."),
    Message("user", "What is the capital of France?"),
]


@pytest.fixture(autouse=True)
def _no_cloud_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)


def run_stream(backend: AnthropicBackend) -> list[Delta | Completion]:
    async def go() -> list[Delta | Completion]:
        try:
            return [piece async for piece in backend.stream(QUESTION, SHORT)]
        finally:
            await backend.aclose()

    return asyncio.run(go())


def test_system_messages_go_apart_and_turns_alternate() -> None:
    system, turns = split_system(
        [
            Message("system", "A."),
            Message("user", "1"),
            Message("user", "2"),
            Message("system", "B."),
            Message("assistant", "3"),
        ]
    )
    assert system == "A.\n\nB."
    assert turns == [
        {"role": "user", "content": "1\n\n2"},
        {"role": "assistant", "content": "3"},
    ]


@pytest.mark.server
def test_streaming_with_usage(katan: KatanFactory) -> None:
    backend = open_backend(f"anthropic:katan-echo@{katan()}", make_config())
    assert isinstance(backend, AnthropicBackend)
    *deltas, last = run_stream(backend)
    assert deltas and all(isinstance(d, Delta) for d in deltas)
    assert isinstance(last, Completion)
    assert last.text == "".join(d.text for d in deltas)  # type: ignore[union-attr]
    assert last.text.strip()
    assert last.usage.prompt_tokens > 0 and last.usage.completion_tokens > 0


@pytest.mark.server
def test_key_from_environment_is_sent_not_shown(
    katan: KatanFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "sk-ant-test-0123456789abcdef"
    monkeypatch.setenv("ANTHROPIC_API_KEY", secret)
    backend = open_backend(f"anthropic:katan-echo@{katan()}", make_config())
    assert secret not in repr(backend)
    assert isinstance(run_stream(backend)[-1], Completion)


@pytest.mark.server
def test_retries_ride_out_injected_faults(katan: KatanFactory) -> None:
    url = katan("--error-rate", "0.4")  # a 500 for 40% of requests, at random
    for _ in range(3):
        backend = open_backend(f"anthropic:katan-echo@{url}", make_config(retries=10))
        assert isinstance(run_stream(backend)[-1], Completion)


@pytest.mark.server
def test_persistent_faults_end_in_backend_error(katan: KatanFactory) -> None:
    url = katan("--error-rate", "1.0")
    backend = open_backend(f"anthropic:katan-echo@{url}", make_config(retries=1))
    with pytest.raises(BackendError) as info:
        run_stream(backend)
    message = str(info.value)
    assert url in message and "failed" in message
    assert not isinstance(info.value, BackendUnavailableError)


@pytest.mark.server
def test_rate_limit_after_retries_is_a_backend_error(katan: KatanFactory) -> None:
    url = katan("--rate-limit-after", "1")
    backend = open_backend(f"anthropic:katan-echo@{url}", make_config(retries=1))
    run_stream(backend)
    with pytest.raises(BackendError, match="429"):
        run_stream(open_backend(f"anthropic:katan-echo@{url}", make_config(retries=1)))


def test_connection_refused_is_unavailable() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    backend = open_backend(f"anthropic:katan-echo@{url}", make_config(retries=1))
    with pytest.raises(BackendUnavailableError, match="cannot reach"):
        run_stream(backend)

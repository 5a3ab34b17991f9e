"""Session fixtures shared by every test folder: the real SmolLM2 GGUF and real loopback
servers (once per xdist worker, killed at the end)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from codesteer.errors import ModelNotFoundError
from codesteer.local.backends import default_gguf
from codesteer.local.config import Config
from tests.servers import KatanFactory, free_port, make_config, start_server, stop_server


@pytest.fixture(scope="session")
def gguf() -> Path:
    try:
        return default_gguf()
    except ModelNotFoundError as exc:
        if os.environ.get("CI"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))


@pytest.fixture
def config() -> Config:
    return make_config()


@pytest.fixture(scope="session")
def llama_server(gguf: Path) -> Iterator[str]:
    """llama-cpp-python's OpenAI-compatible server on the SmolLM2 GGUF; yields its /v1 URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}/v1"
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf)]
    command += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048"]
    command += ["--n_threads", "1", "--model_alias", "smollm2"]
    process = start_server(command, f"{base}/models")
    yield base
    stop_server(process)


@pytest.fixture(scope="session")
def katan(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KatanFactory]:
    """Starts llm-katan (echo backend, OpenAI + Anthropic APIs) with the given fault flags;
    returns its base URL. Servers with the same flags are shared within the session."""
    servers: dict[tuple[str, ...], tuple[subprocess.Popen[bytes], str]] = {}
    executable = Path(sys.executable).with_name("llm-katan")
    stats = tmp_path_factory.mktemp("katan")  # not its default, ~/.llm-katan

    def start(*flags: str) -> str:
        if flags not in servers:
            port = free_port()
            command = [str(executable), "--model", "katan-echo", "--backend", "echo"]
            command += ["--providers", "openai,anthropic", "--host", "127.0.0.1"]
            command += ["--port", str(port), "--stats-file", str(stats / f"{port}.json"), *flags]
            process = start_server(command, f"http://127.0.0.1:{port}/health")
            servers[flags] = (process, f"http://127.0.0.1:{port}")
        return servers[flags][1]

    yield start
    for process, _ in servers.values():
        stop_server(process)

"""Fixtures for the backend tests: the real SmolLM2 GGUF and real loopback servers.

Servers are session-scoped (once per xdist worker), bound to 127.0.0.1 on a free port, and
killed at the end. Nothing here reaches the network.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from codesteer.errors import ModelNotFoundError
from codesteer.local.backends import default_gguf
from codesteer.local.config import BackendsConfig, Config


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def closed_port() -> int:
    """A loopback port nothing listens on (bound then released)."""
    return free_port()


@pytest.fixture(scope="session")
def gguf() -> Path:
    try:
        return default_gguf()
    except ModelNotFoundError as exc:
        if os.environ.get("CI"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))


def make_config(**backends: object) -> Config:
    values: dict[str, object] = {"timeout_s": 30.0, "retries": 0, "n_ctx": 2048}
    values.update(backends)
    return Config(backends=BackendsConfig.model_validate(values))


@pytest.fixture
def config() -> Config:
    return make_config()


def wait_http(url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before {url} answered")
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def start_server(command: list[str], ready_url: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL
    )
    try:
        wait_http(ready_url, process)
    except BaseException:
        stop_server(process)
        raise
    return process


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


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


KatanFactory = Callable[..., str]


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

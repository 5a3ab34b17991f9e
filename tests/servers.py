"""Real loopback servers for the tests: llama.cpp's OpenAI-compatible server on the SmolLM2
GGUF and llm-katan (OpenAI + Anthropic APIs with fault injection). Bound to 127.0.0.1 on free
ports; nothing here reaches the network. The fixtures live in ``tests/conftest.py``.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable

import httpx

from codesteer.local.config import BackendsConfig, Config

__all__ = [
    "KatanFactory",
    "closed_port",
    "free_port",
    "make_config",
    "start_server",
    "stop_server",
    "wait_http",
]

#: ``katan(*flags)`` starts (or reuses) an llm-katan echo server; returns its base URL.
KatanFactory = Callable[..., str]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def closed_port() -> int:
    """A loopback port nothing listens on (bound then released)."""
    return free_port()


def make_config(**backends: object) -> Config:
    values: dict[str, object] = {"timeout_s": 30.0, "retries": 0, "n_ctx": 2048}
    values.update(backends)
    return Config(backends=BackendsConfig.model_validate(values))


def wait_http(url: str, process: subprocess.Popen[bytes]) -> None:
    """Until ``url`` answers; waits on the server process, not on a clock (one that exits
    first is an error)."""
    while process.poll() is None:
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server exited with {process.returncode} before {url} answered")


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

"""Small helpers the network adapters share: secrets kept out of messages (``redact``, shared with
every other writer), loopback detection."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from urllib.parse import urlsplit

from codesteer._secrets import redact
from codesteer.local.backends._types import Message

__all__ = ["LOCAL_PLACEHOLDER_KEY", "is_loopback", "redact", "role_content"]

#: Sent where a loopback server needs *some* key but the user set none: local servers
#: (llama.cpp, vLLM, LM Studio, Ollama's /v1) accept anything, and the SDKs refuse to start
#: without one.
LOCAL_PLACEHOLDER_KEY = "sk-local-no-key"


def is_loopback(url: str | None) -> bool:
    """True for ``http://127.0.0.1:8080/v1``, ``http://localhost``, ``http://[::1]``."""
    if not url:
        return False
    host = urlsplit(url if "://" in url else f"http://{url}").hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def role_content(messages: Sequence[Message]) -> list[dict[str, str]]:
    return [{"role": m.role, "content": m.content} for m in messages]

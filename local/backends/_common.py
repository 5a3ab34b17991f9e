"""Small helpers the network adapters share: secrets kept out of messages, loopback detection."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from codesteer.local.backends._types import Message

__all__ = ["LOCAL_PLACEHOLDER_KEY", "is_loopback", "redact", "role_content"]

#: Sent where a loopback server needs *some* key but the user set none: local servers
#: (llama.cpp, vLLM, LM Studio, Ollama's /v1) accept anything, and the SDKs refuse to start
#: without one.
LOCAL_PLACEHOLDER_KEY = "sk-local-no-key"

# Key-shaped tokens (``sk-...``, ``sk-ant-...``) that a server may echo back, partly masked or not.
_KEYLIKE = re.compile(r"\b(sk-[A-Za-z0-9_\-*]{6,}|Bearer\s+\S+)")


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` without any of ``secrets`` and without anything shaped like an API key."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return _KEYLIKE.sub("***", text)


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

"""Small helpers the network adapters share: secrets kept out of messages (``redact``, shared with
every other writer), loopback detection."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from types import ModuleType
from urllib.parse import urlsplit

from codesteer._secrets import redact
from codesteer.errors import BackendError, BackendUnavailableError, ModelNotFoundError
from codesteer.local.backends._types import Message

__all__ = ["LOCAL_PLACEHOLDER_KEY", "is_loopback", "redact", "role_content", "sdk_error"]

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


def sdk_error(
    exc: Exception,
    sdk: ModuleType,
    *,
    where: str,
    spec: object,
    secret: str | None,
    key_variable: str,
    reach_hint: str,
    missing_hint: str = "",
) -> Exception:
    """One clear codesteer error for an error of the ``openai`` or ``anthropic`` SDK (they
    share one exception hierarchy, class names included): unreachable server or refused key
    -> :class:`BackendUnavailableError`, unknown model -> :class:`ModelNotFoundError`, anything
    else (after the SDK's own retries) -> :class:`BackendError`. Never includes the key."""
    detail = redact(str(getattr(exc, "message", "") or exc), [secret])
    if isinstance(exc, sdk.APITimeoutError):
        return BackendError(f"{where} did not answer in time ({spec}): {detail}")
    if isinstance(exc, sdk.APIConnectionError):
        return BackendUnavailableError(f"cannot reach {where} ({spec}): {reach_hint}")
    if isinstance(exc, (sdk.AuthenticationError, sdk.PermissionDeniedError)):
        status = getattr(exc, "status_code", "?")
        return BackendUnavailableError(
            f"{where} refused the API key ({status}): set {key_variable}"
        )
    if isinstance(exc, sdk.NotFoundError):
        return ModelNotFoundError(
            f"{where} has no model {getattr(spec, 'model', spec)!r} (404: {detail}){missing_hint}"
        )
    status = getattr(exc, "status_code", None)
    code = f" ({status})" if status else ""
    return BackendError(f"{where} failed{code} for {spec}: {detail}")

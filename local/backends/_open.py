"""Spec -> backend. Each adapter module is imported only when its kind is asked for, so a
machine without llama-cpp-python can still talk to a server, and the other way round."""

from __future__ import annotations

from pathlib import Path

from codesteer.errors import ModelSpecError
from codesteer.local.backends._spec import check_gguf, parse_spec
from codesteer.local.backends._types import Backend, ModelSpec
from codesteer.local.config import Config, load_config

__all__ = ["open_backend"]


def open_backend(spec: str | ModelSpec, config: Config | None = None) -> Backend:
    """A backend for ``spec``, ready to :meth:`~Backend.stream`.

    Cheap and offline: a GGUF file is checked (exists, readable, GGUF header) but loaded on the
    first request; network backends connect on the first request. ``config`` defaults to
    :func:`~codesteer.local.config.load_config`.
    """
    config = config or load_config()
    parsed = spec if isinstance(spec, ModelSpec) else parse_spec(spec, config)
    if parsed.kind == "llamacpp":
        check_gguf(Path(parsed.model))
        from codesteer.local.backends._llamacpp import LlamaCppBackend

        return LlamaCppBackend(parsed, config)
    if parsed.kind == "ollama":
        from codesteer.local.backends._ollama import OllamaBackend

        return OllamaBackend(parsed, config)
    if parsed.kind == "openai":
        from codesteer.local.backends._openai import OpenAIBackend

        return OpenAIBackend(parsed, config)
    if parsed.kind == "anthropic":
        from codesteer.local.backends._anthropic import AnthropicBackend

        return AnthropicBackend(parsed, config)
    raise ModelSpecError(f"no backend opens {parsed.kind!r} specs ({parsed})")

"""Model backends: llama.cpp in-process, Ollama, OpenAI-compatible servers, Anthropic."""

from codesteer.local.backends._types import (
    Backend,
    BackendKind,
    Completion,
    Delta,
    GenerationOptions,
    Message,
    ModelSpec,
    Role,
    Usage,
)

__all__ = [
    "Backend",
    "BackendKind",
    "Completion",
    "Delta",
    "GenerationOptions",
    "Message",
    "ModelSpec",
    "Role",
    "Usage",
]

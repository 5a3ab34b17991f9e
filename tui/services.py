"""What the TUI reaches outside itself, in one injectable object: the config and its file, how
model specs and sandbox levels open, the model listing, the history database, the folder for
benchmark runs and the clocks. :meth:`Services.from_environment` is the real thing; tests pass
a scripted model and a fake sandbox the way httpx tests pass a transport."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from codesteer.local.backends import ModelEntry, list_models, open_backend
from codesteer.local.config import Config, config_path, load_config
from codesteer.local.session import BackendOpener, SandboxOpener, open_sandbox
from codesteer.tui.history import data_dir, default_history_path, utc_now

__all__ = ["Services"]


@dataclass(frozen=True)
class Services:
    config: Config
    config_file: Path
    history_file: Path
    runs_dir: Path
    backends: BackendOpener = open_backend
    sandboxes: SandboxOpener = open_sandbox
    models: Callable[[Config], list[ModelEntry]] = list_models
    clock: Callable[[], float] = time.monotonic
    #: The wall clock that stamps history entries.
    now: Callable[[], datetime] = utc_now

    @classmethod
    def from_environment(cls) -> Services:
        """The user's config (raising :class:`~codesteer.errors.ConfigError` when it is
        broken), the platform's folders and the real models and sandbox."""
        config_file = config_path()
        config = load_config(config_file)
        return cls(
            config=config,
            config_file=config_file,
            history_file=default_history_path(),
            runs_dir=_runs_dir(config),
        )

    def with_config(self, config: Config) -> Services:
        return replace(self, config=config, runs_dir=_runs_dir(config, self.runs_dir))


def _runs_dir(config: Config, fallback: Path | None = None) -> Path:
    if config.tui.runs_dir:
        return Path(config.tui.runs_dir).expanduser()
    return fallback or data_dir() / "runs"

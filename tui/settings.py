"""Saving the TUI's settings (default models, rounds, theme, key bindings) into the user's
config file, the same TOML file every codesteer command reads.

tomlkit edits the document in place, so the user's comments, order and other keys survive a
save; the result is validated as a :class:`~codesteer.local.config.Config` before it is written
(atomically), so the TUI can never leave a file the CLI refuses.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import tomlkit
from pydantic import ValidationError
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import Table

from codesteer._files import atomic_write
from codesteer.errors import ConfigError
from codesteer.local.config import Config

__all__ = ["save_settings"]


def save_settings(path: Path, changes: Mapping[str, Any]) -> Config:
    """Set each dotted key of ``changes`` (``"models.task"``, ``"tui.keys"``) in the config file
    at ``path`` and return the config it now holds. Raises :class:`ConfigError` (nothing
    written) when the file cannot be read or parsed, or the result would not be valid."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except OSError as exc:
        raise ConfigError(f"cannot read config {path}: {exc.strerror or exc}") from exc
    try:
        document = tomlkit.parse(text)
    except TOMLKitError as exc:
        raise ConfigError(f"config {path} is not valid TOML: {exc}") from exc
    for dotted, value in changes.items():
        *parents, leaf = dotted.split(".")
        table: Any = document
        for name in parents:
            if name not in table:
                table[name] = tomlkit.table()
            table = table[name]
            if not isinstance(table, (Table, dict)):
                raise ConfigError(f"config {path}: {name} is not a table")
        table[leaf] = value
    try:
        config = Config.model_validate(document.unwrap())
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        raise ConfigError(f"config {path}: {where}: {error['msg']}") from exc
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(path) as handle:
            handle.write(tomlkit.dumps(document))
    except OSError as exc:
        raise ConfigError(f"cannot write config {path}: {exc.strerror or exc}") from exc
    return config

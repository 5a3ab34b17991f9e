"""``codesteer run``: steer a task model through one question."""

from __future__ import annotations


def run() -> None:
    """Steer a task model through one question."""

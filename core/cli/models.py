"""``codesteer models``: the models that resolve on this machine."""

from __future__ import annotations


def models() -> None:
    """List the models that resolve."""

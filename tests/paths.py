"""Where the tests find ``../shared`` (the original SymBench instances and references)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """``$CODESTEER_SHARED`` or the ``shared/`` folder beside the checkout."""
    return Path(os.environ.get("CODESTEER_SHARED", REPO_ROOT.parent / "shared"))


def original_root() -> Path:
    """The original ``dataset_gather`` copy; skips the calling test, saying why, if absent."""
    root = shared_dir() / "symbench-original"
    if not root.is_dir():
        pytest.skip(f"original SymBench instances not found at {root} (set CODESTEER_SHARED)")
    return root

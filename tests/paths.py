"""Where the tests find ``../shared`` (the original SymBench instances and references)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    """``$CODESTEER_SHARED`` or the ``shared/`` folder beside the checkout."""
    return Path(os.environ.get("CODESTEER_SHARED", REPO_ROOT.parent / "shared"))


def require_shared(path: Path) -> Path:
    """``path`` under ``../shared``. Where it is absent, the calling test is skipped on a
    developer's machine (saying why) but fails in CI, which always has ``shared/`` beside the
    clone: there a missing copy is a broken set-up, not a pass."""
    if path.exists():
        return path
    message = f"{path} not found (the original SymBench release; set CODESTEER_SHARED)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def original_root() -> Path:
    """The original ``dataset_gather`` copy."""
    return require_shared(shared_dir() / "symbench-original")

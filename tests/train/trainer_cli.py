"""``codesteer train sft|dpo`` run as a user runs them: ``python -m codesteer train ...`` in a
subprocess, with nothing allowed from a model hub."""

from __future__ import annotations

import os
import subprocess
import sys

__all__ = ["codesteer_train"]


def codesteer_train(*args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codesteer", "train", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "COLUMNS": "100"},
    )

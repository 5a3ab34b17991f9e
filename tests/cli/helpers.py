"""Running ``codesteer`` as a user does: a subprocess, with a fake API key in the environment
that must never show up in any output."""

from __future__ import annotations

import os
import subprocess
import sys

__all__ = ["SECRET", "assert_one_error_line", "codesteer"]

SECRET = "sk-test-cli-9f8e7d6c5b4a"


def codesteer(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codesteer", *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "OPENAI_API_KEY": SECRET, **(env or {})},
    )


def assert_one_error_line(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0], lines[0]

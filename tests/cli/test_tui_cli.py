"""``codesteer tui`` from the shell: its help, its key list, and a clear message where the
tui extra is missing."""

from __future__ import annotations

import subprocess
import sys

from tests.cli.helpers import assert_one_error_line, codesteer


def test_help_names_the_screens_and_the_demo() -> None:
    result = codesteer("tui", "--help")
    assert result.returncode == 0, result.stderr
    for word in ("--demo", "--keys", "Steer", "Bench", "Compare", "History"):
        assert word in result.stdout


def test_keys_lists_every_binding_id() -> None:
    result = codesteer("tui", "--keys")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.split()[:2] == ["steer.cancel", "escape"] for line in lines), lines
    assert any(line.startswith("history.export_markdown") for line in lines), lines


def test_without_the_tui_extra_one_line_says_what_to_install() -> None:
    # Textual made unimportable, as on an install without the extra.
    code = (
        "import sys; sys.modules['textual'] = None; from codesteer.cli import main; main(['tui'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert_one_error_line(result, "codesteer[tui]")

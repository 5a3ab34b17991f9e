"""``codesteer sandbox run`` and ``doctor``, run as a user runs them: in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from codesteer.local.sandbox import IsolationLevel, probe


def codesteer(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codesteer", "sandbox", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_help_teaches_with_examples() -> None:
    for args in ((), ("run",), ("doctor",)):
        result = codesteer(*args, "--help")
        assert result.returncode == 0, result.stderr
        assert "Example" in result.stdout


def test_run_prints_the_outcome_and_exits_0_whatever_the_code_did(tmp_path: Path) -> None:
    script = tmp_path / "fails.py"
    script.write_text("import sys\nprint('hello')\nsys.exit(3)\n")
    result = codesteer("run", str(script))
    assert result.returncode == 0, result.stderr
    assert "status: error" in result.stdout
    assert "exit code: 3" in result.stdout
    assert "hello" in result.stdout
    assert f"level: {probe().best.value}" in result.stdout


def test_run_json_with_timeout_and_level(tmp_path: Path, level: IsolationLevel) -> None:
    script = tmp_path / "sleeps.py"
    script.write_text("import time\nprint('start', flush=True)\ntime.sleep(30)\n")
    result = codesteer("run", str(script), "--timeout", "0.5", "--level", level.value, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["status"] == "timeout"
    assert data["limits_hit"] == ["timeout"]
    assert data["stdout"] == "start\n"
    assert data["level"] == level.value
    assert set(data) >= {"exit_code", "stderr", "truncated", "wall_s"}


def test_user_errors_are_one_line_and_exit_2(tmp_path: Path) -> None:
    missing = codesteer("run", str(tmp_path / "missing.py"))
    assert missing.returncode == 2
    assert missing.stderr.strip().startswith("error:")
    assert len(missing.stderr.strip().splitlines()) == 1
    script = tmp_path / "ok.py"
    script.write_text("pass\n")
    bad_level = codesteer("run", str(script), "--level", "chroot")
    assert bad_level.returncode == 2
    assert "bubblewrap" in bad_level.stderr


def test_doctor_ends_with_the_level_reached() -> None:
    result = codesteer("doctor")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == f"level: {probe().best.value}"
    for level in IsolationLevel:
        assert level.value in result.stdout


def test_doctor_json() -> None:
    result = codesteer("doctor", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["best"] == probe().best.value
    assert {entry["level"] for entry in data["levels"]} == {lvl.value for lvl in IsolationLevel}

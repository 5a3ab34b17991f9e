"""The real app in a real terminal: tmux runs ``codesteer tui`` on the real SmolLM2 GGUF, the
test types a question with send-keys and reads the screen with capture-pane until the steered
run's answer is there, then finds it in the History screen of the same session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from codesteer.tui.history import History

pytestmark = [pytest.mark.terminal, pytest.mark.slow]

QUESTION = "What is 6 * 7? Answer as <<<N>>>."


class Terminal:
    """One tmux server of our own (``-L``), one 100x30 window running a command."""

    def __init__(self, socket: str) -> None:
        self.socket = socket

    def tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout

    def start(self, command: str) -> None:
        # The window's shell signals a tmux channel when the app has exited: wait_exit waits
        # on that, on the process, not on a clock.
        command = f"{command}; tmux -L {self.socket} wait-for -S exited"
        self.tmux("new-session", "-d", "-s", "app", "-x", "100", "-y", "30", command)
        # keep the window after the app exits, to read why it did
        self.tmux("set-option", "-t", "app", "remain-on-exit", "on")

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "app")

    def exited(self) -> bool:
        return self.tmux("display-message", "-p", "-t", "app", "#{pane_dead}").strip() == "1"

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "app", *keys)

    def wait_for(self, condition: Callable[[str], bool], what: str) -> str:
        """Read the screen until ``condition`` holds, for as long as the app runs."""
        while True:
            screen = self.screen()
            if condition(screen):
                return screen
            if self.exited():
                raise AssertionError(f"the app exited before {what}:\n{screen}")
            time.sleep(0.5)  # the pace of reading, not a limit

    def wait_exit(self) -> None:
        """Until the app has exited (its shell signals the channel)."""
        subprocess.run(["tmux", "-L", self.socket, "wait-for", "exited"], check=True)


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    if shutil.which("tmux") is None:
        if os.environ.get("CI"):
            pytest.fail("tmux is not installed (scripts/test.sh installs it)")
        pytest.skip("tmux is not installed: apt-get install tmux")
    term = Terminal(f"codesteer-test-{os.getpid()}")
    yield term
    subprocess.run(["tmux", "-L", term.socket, "kill-server"], capture_output=True, check=False)


def test_a_steered_answer_appears_in_a_real_terminal(
    terminal: Terminal, gguf: Path, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        'rounds = 1\n[models]\ntask = "default"\nsteerer = "default"\n'
        "[backends]\nn_ctx = 4096\n[tui]\nmax_tokens = 96\n",
        encoding="utf-8",
    )
    env = {
        "CODESTEER_CONFIG": str(config),
        "CODESTEER_DATA_DIR": str(tmp_path / "data"),
        "TERM": "xterm-256color",
    }
    exports = " ".join(f"{name}={value}" for name, value in env.items())
    terminal.start(f"env {exports} {sys.executable} -m codesteer tui")

    terminal.wait_for(lambda s: "Ask a question" in s, "the Steer screen")
    terminal.keys("-l", QUESTION)
    terminal.keys("Enter")
    screen = terminal.wait_for(lambda s: "stopped:" in s, "the end of the run")
    assert "final answer" in screen, screen
    assert "done · round" in screen, screen  # not "failed": no error ended it

    terminal.keys("F4")
    screen = terminal.wait_for(lambda s: "1 run" in s, "the run in the History screen")
    assert "What is 6 * 7?" in screen

    terminal.keys("C-q")
    terminal.wait_exit()
    with History(tmp_path / "data" / "history.sqlite3") as history:
        (entry,) = history.list()
        transcript = entry.transcript()
    assert transcript.question == QUESTION
    assert transcript.stop_reason in ("return_answer", "terminate", "rounds_exhausted")
    first = transcript.rounds[0]
    assert first.steering is not None and first.task is not None  # steered, then answered
    assert "default" not in transcript.task_model  # the spec resolved to the real GGUF
    assert transcript.task_model.endswith(gguf.name)

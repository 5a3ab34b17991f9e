"""One line under the conversation: a spinner while a run goes, the round, tokens in and out,
elapsed time, and the sandbox's isolation level as a badge."""

from __future__ import annotations

from collections.abc import Callable

from textual.content import Content
from textual.widgets import Static

from codesteer.local.backends import Usage

__all__ = ["StatusLine"]

_SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
#: How safe each sandbox level is, as the badge's colour.
_BADGE = {"bubblewrap": "$success", "namespaces": "$warning", "rlimits": "$error"}


class StatusLine(Static):
    def __init__(self, clock: Callable[[], float], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._clock = clock
        self._frame = 0
        self.state = "ready"
        self.round: int | None = None
        self.rounds = 0
        self.usage = Usage()
        self.sandbox_level: str | None = None
        self._started: float | None = None
        self._elapsed = 0.0

    def on_resize(self) -> None:
        self.refresh_line()

    def on_mount(self) -> None:
        self._ticker = self.set_interval(0.1, self._tick, pause=True)
        self.refresh_line()

    # -- what the screen tells it ---------------------------------------------------------------

    def start(self, rounds: int) -> None:
        self.state = "running"
        self.round, self.rounds, self.usage = None, rounds, Usage()
        self._started = self._clock()
        self._ticker.resume()
        self.refresh_line()

    def stop(self, state: str, elapsed: float | None = None) -> None:
        """End the run in ``state``; ``elapsed`` replaces the measured time (a past run's)."""
        if self._started is not None:
            self._elapsed = self._clock() - self._started
            self._started = None
        if elapsed is not None:
            self._elapsed = elapsed
        self.state = state
        self._ticker.pause()
        self.refresh_line()

    def add_usage(self, usage: Usage) -> None:
        self.usage = self.usage + usage
        self.refresh_line()

    def _tick(self) -> None:
        self._frame += 1
        self.refresh_line()

    def refresh_line(self) -> None:
        pieces: list[tuple[str, str]] = []
        if self.state == "running":
            pieces.append((_SPINNER[self._frame % len(_SPINNER)] + " ", "bold $accent"))
            elapsed = self._clock() - (self._started or self._clock())
        else:
            elapsed = self._elapsed
        pieces.append((self.state, "bold"))
        if self.round is not None:
            pieces.append((f" · round {self.round}/{self.rounds}", ""))
        if self.state != "ready":
            usage = self.usage
            pieces.append(
                (f" · {usage.prompt_tokens}→{usage.completion_tokens} tok · {elapsed:.1f} s", "")
            )
        line = Content.assemble(*pieces)
        if self.sandbox_level:
            # The badge keeps its place at the right end; the rest is cut first.
            style = _BADGE.get(self.sandbox_level, "$warning")
            badge = Content.styled(f" {self.sandbox_level} ", f"bold reverse {style}")
            room = max(self.size.width - badge.cell_length - 1, 0)
            if line.cell_length > room:
                line = line.truncate(room, ellipsis=True)
            line = Content.assemble(line, " " * (room - line.cell_length + 1), badge)
        self.update(line)

"""A small modal that asks for one line of text (a model spec, a file path)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

__all__ = ["ConfirmScreen", "PromptScreen"]


class PromptScreen(ModalScreen[str | None]):
    """Dismissed with the text on Enter, with ``None`` on Escape."""

    BINDINGS = [Binding("escape", "dismiss_none", "Cancel", id="prompt.cancel")]

    def __init__(self, title: str, placeholder: str = "", *, value: str = "") -> None:
        super().__init__(classes="dialog")
        self._title, self._placeholder, self._value = title, placeholder, value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(self._title)
            yield Input(self._value, placeholder=self._placeholder, id="prompt-input")
            yield Label("Enter accepts · Escape cancels", classes="hint")

    @on(Input.Submitted)
    def _accept(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    """Yes (y / Enter) or no (n / Escape)."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__(classes="dialog")
        self._question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Label(self._question, markup=False)
            yield Label("y: yes · n: no", classes="hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

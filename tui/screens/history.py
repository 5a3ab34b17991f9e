"""The History screen: past steering runs from the SQLite history, newest first. Reopen one
(shown as it happened), re-run it, export its transcript as Markdown or JSON, delete it."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from codesteer.errors import CodesteerError
from codesteer.local.describe import short_spec
from codesteer.tui.history import History, HistoryEntry
from codesteer.tui.screens.prompt import ConfirmScreen, PromptScreen

__all__ = ["HistoryScreen"]

#: Rows listed at once; the search box reaches the older ones.
LIMIT = 500


class HistoryScreen(Screen[None]):
    BINDINGS = [
        Binding("enter,o", "reopen", "Open", id="history.open"),
        Binding("r", "rerun", "Re-run", id="history.rerun"),
        Binding("m", "export('markdown')", "Export .md", id="history.export_markdown"),
        Binding("j", "export('json')", "Export .json", id="history.export_json"),
        Binding("d,delete", "delete", "Delete", id="history.delete"),
        Binding("ctrl+f", "search", "Search", id="history.search", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[HistoryEntry] = []

    def compose(self) -> ComposeResult:
        yield Input(placeholder="Search questions and models", compact=True, id="search")
        yield DataTable(cursor_type="row", zebra_stripes=True, id="runs")
        yield Static(id="detail")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("when", "question", "task model", "steerer", "end", "score")
        table.focus()  # the rows come on ScreenResume, which every showing of the screen sends

    @property
    def history(self) -> History | None:
        return self.app.history  # type: ignore[attr-defined, no-any-return]

    def on_screen_resume(self) -> None:
        self.reload()

    @on(Input.Changed, "#search")
    def _search_changed(self) -> None:
        self.reload()

    @on(Input.Submitted, "#search")
    def _search_done(self) -> None:
        self.query_one(DataTable).focus()

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def reload(self) -> None:
        if not self.is_mounted:
            return
        table = self.query_one(DataTable)
        detail = self.query_one("#detail", Static)
        if self.history is None:
            detail.update("The history is unavailable this session (see the notification).")
            return
        search = self.query_one("#search", Input).value.strip() or None
        try:
            self.entries = self.history.list(limit=LIMIT, search=search)
        except CodesteerError as exc:
            self.notify(str(exc), title="History", severity="error", markup=False)
            return
        table.clear()
        for entry in self.entries:
            table.add_row(
                _local_time(entry.created_at),
                _one_line(_title(entry), 40),
                short_spec(entry.task_model),
                short_spec(entry.steerer) if entry.steerer else "none",
                (entry.stop_reason or "").replace("_", " "),
                "" if entry.score is None else f"{entry.score:g}",
                key=str(entry.id),
            )
        count = len(self.entries)
        detail.update(
            "No runs yet: steer a question on the Steer screen (F1)."
            if not count and not search
            else f"{count} run{'s' * (count != 1)}"
            + (f" matching {search!r}" if search else "")
            + " · Enter opens · r re-runs · m/j export · d deletes"
        )

    def _selected(self) -> HistoryEntry | None:
        table = self.query_one(DataTable)
        if self.history is None or not self.entries or table.cursor_row < 0:
            return None
        return self.entries[min(table.cursor_row, len(self.entries) - 1)]

    @on(DataTable.RowSelected)
    async def _row_selected(self) -> None:
        await self.action_reopen()

    async def action_reopen(self) -> None:
        entry = self._selected()
        if entry is None:
            return
        try:
            transcript, request = entry.transcript(), entry.request()
        except CodesteerError as exc:
            self.notify(str(exc), title="Cannot open", severity="error", markup=False)
            return
        await self.app.reopen(transcript, request)  # type: ignore[attr-defined]

    async def action_rerun(self) -> None:
        entry = self._selected()
        if entry is not None:
            await self.app.rerun(entry.request())  # type: ignore[attr-defined]

    def action_export(self, fmt: str) -> None:
        entry = self._selected()
        if entry is None:
            return
        suffix = "md" if fmt == "markdown" else "json"
        default = str(Path.cwd() / f"codesteer-run-{entry.id}.{suffix}")

        def write(path: str | None) -> None:
            if path:
                self._export(entry, Path(path).expanduser(), fmt)

        self.app.push_screen(PromptScreen("Export to", default, value=default), write)

    @work(thread=True, exit_on_error=False)
    def _export(self, entry: HistoryEntry, path: Path, fmt: str) -> None:
        assert self.history is not None
        try:
            self.history.export(entry.id, path, fmt)  # type: ignore[arg-type]
        except CodesteerError as exc:
            self.app.call_from_thread(
                self.notify, str(exc), title="Not exported", severity="error", markup=False
            )
            return
        self.app.call_from_thread(self.notify, f"Wrote {path}", markup=False)

    def action_delete(self) -> None:
        entry = self._selected()
        if entry is None:
            return

        def delete(yes: bool | None) -> None:
            if yes and self.history is not None:
                try:
                    self.history.delete(entry.id)
                except CodesteerError as exc:
                    self.notify(str(exc), title="Not deleted", severity="error", markup=False)
                self.reload()

        question = _one_line(entry.question, 50)
        self.app.push_screen(ConfirmScreen(f"Delete the run “{question}”?"), delete)


def _local_time(stamp: str) -> str:
    """An entry's UTC stamp in the user's time zone, to the minute."""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp[:16]


def _title(entry: HistoryEntry) -> str:
    if entry.task is not None:
        return f"{entry.task} seed {entry.seed} #{entry.index}: {entry.question}"
    return entry.question


def _one_line(text: str, width: int) -> str:
    line = " ".join(text.split())
    return line if len(line) <= width else line[: width - 1] + "…"

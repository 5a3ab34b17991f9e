"""The Compare screen: runs side by side as the paper's table (what ``codesteer report``
prints), with the seen / unseen / total averages and Ave. Norm., the paper's own columns on
request, and a bar chart of the chosen runs in the terminal.

Run folders are read in a thread; the table and the chart come from the harness's pure
comparison, so the screen and the CLI show the same numbers.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Literal

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Checkbox, DataTable, Footer, Label, SelectionList, Static
from textual.widgets.selection_list import Selection
from textual_plotext import PlotextPlot

from codesteer.errors import CodesteerError
from codesteer.local.harness import RunSummary
from codesteer.local.harness.report import SPLIT_LABELS, Comparison, compare, table_rows
from codesteer.tui.runs import RunRecord, read_summary, run_label

__all__ = ["CompareScreen"]

#: Column widths: a run's name folds onto the header's two lines (``<time>-<mode>`` fits);
#: the paper's long method names are cut shorter.
_RUN_WIDTH, _PAPER_WIDTH = 15, 12
_PAPER = "paper: "
#: Most bars the per-task chart draws (tasks x runs) before the averages read better.
_MOST_BARS = 8
#: One colour per run, named alike in plotext and Rich, so the legend can say which is which
#: (plotext's own legend sits on top of the bars).
_COLORS = ("blue", "red", "green", "magenta", "cyan", "yellow")

Loaded = tuple[str, RunSummary, bool]
ChartKind = Literal["tasks", "averages"]


class CompareScreen(Screen[None]):
    BINDINGS = [
        Binding("p", "paper", "Paper columns", id="compare.paper"),
        Binding("c", "chart", "Chart: tasks/averages", id="compare.chart"),
        Binding("ctrl+r", "reload", "Reload", id="compare.reload"),
    ]

    #: Wide terminals put the chart beside the table; tall ones show more of the runs list.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (160, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (40, "-tall")]

    DEFAULT_CSS = """
    CompareScreen #compare-top { height: 5; border-bottom: hkey $panel-lighten-2; }
    CompareScreen.-tall #compare-top { height: 9; }
    CompareScreen #compare-runs { width: 1fr; height: 1fr; }
    CompareScreen #compare-options { width: 26; height: 1fr; padding: 0 1; }
    CompareScreen .compare-hint { color: $text-muted; }
    CompareScreen #compare-main { height: 1fr; }
    CompareScreen.-wide #compare-main { layout: horizontal; }
    CompareScreen #compare-table { height: 1fr; }
    CompareScreen #compare-plot { height: 1fr; }
    CompareScreen #compare-legend { height: auto; max-height: 2; padding: 0 1; }
    CompareScreen #compare-chart { height: 1fr; min-height: 6; }
    """

    def __init__(self) -> None:
        super().__init__()
        #: The chosen runs as read: ``(name, summary, swept)``, in the list's order.
        self._loaded: list[Loaded] = []
        #: The chart the user asked for; ``None``: whichever reads better.
        self._chart: ChartKind | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="compare-top"):
            yield SelectionList[str](compact=True, id="compare-runs")
            with Vertical(id="compare-options"):
                yield Checkbox("paper's columns (p)", compact=True, id="compare-paper")
                yield Label("space picks a run\nc: chart by task/average", classes="compare-hint")
        with Vertical(id="compare-main"):
            yield DataTable(
                cursor_type="row", zebra_stripes=True, header_height=2, id="compare-table"
            )
            with Vertical(id="compare-plot"):
                yield Static(id="compare-legend")
                yield PlotextPlot(id="compare-chart")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._redraw()

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        self.reload()

    def reload(self) -> None:
        """Offer every known run (and those under the runs folder); read the chosen ones
        again (a run still going has new scores)."""
        self._survey()

    def action_reload(self) -> None:
        self.reload()

    # -- the runs -------------------------------------------------------------------------------

    @work(exclusive=True, group="compare-survey", exit_on_error=False)
    async def _survey(self) -> None:
        records: dict[Path, RunRecord] = await self.app.survey_runs()  # type: ignore[attr-defined]
        known: dict[str, Path] = self.app.known_runs  # type: ignore[attr-defined]
        runs: SelectionList[str] = self.query_one("#compare-runs", SelectionList)
        chosen = set(runs.selected)
        runs.clear_options()
        runs.add_options(
            Selection(
                run_label(name, records.get(path, "not read")),
                str(path),
                str(path) in chosen,
            )
            for name, path in known.items()
        )
        self._read_chosen()

    @on(SelectionList.SelectedChanged, "#compare-runs")
    def _chosen_changed(self) -> None:
        self._read_chosen()

    @work(exclusive=True, group="compare-read", exit_on_error=False)
    async def _read_chosen(self) -> None:
        known: dict[str, Path] = self.app.known_runs  # type: ignore[attr-defined]
        runs: SelectionList[str] = self.query_one("#compare-runs", SelectionList)
        chosen = set(runs.selected)
        wanted = [(name, path) for name, path in known.items() if str(path) in chosen]
        loaded, problems = await asyncio.to_thread(_read_runs, wanted)
        for problem in problems:
            self.notify(problem, title="Run not read", severity="warning", markup=False)
        self._loaded = loaded
        self._redraw()

    # -- what the user does ---------------------------------------------------------------------

    def action_paper(self) -> None:
        box = self.query_one("#compare-paper", Checkbox)
        box.value = not box.value

    @on(Checkbox.Changed, "#compare-paper")
    def _paper_changed(self) -> None:
        self._redraw()

    def action_chart(self) -> None:
        self._chart = "averages" if self._chart_kind() == "tasks" else "tasks"
        self._draw_chart(compare(self._loaded))

    # -- rendering ------------------------------------------------------------------------------

    @property
    def paper(self) -> bool:
        return self.query_one("#compare-paper", Checkbox).value

    def _redraw(self) -> None:
        comparison = compare(self._loaded, paper=self.paper)
        self._fill_table(comparison)
        self._draw_chart(compare(self._loaded))

    def _fill_table(self, comparison: Comparison) -> None:
        table = self.query_one("#compare-table", DataTable)
        table.clear(columns=True)
        table.add_column("task", key="task")
        table.add_column("split", key="split")
        if not self._loaded:  # the paper's columns alone compare nothing
            table.add_row(Text("Pick runs on the left (space).", style="italic"), "")
            return
        styles: list[str] = []
        for column in comparison.columns:
            run = column.summary is not None
            label = column.name.removeprefix(_PAPER)
            styles.append("" if run else "dim")
            table.add_column(
                Text(label, style=styles[-1], overflow="fold"),
                key=column.name,
                width=min(max(len(label), 5), _RUN_WIDTH if run else _PAPER_WIDTH),
            )
        for row in table_rows(comparison):
            weight = {"task": "", "average": "bold", "ave_norm": "italic"}[row.kind]
            cells = [
                Text(cell, style=f"{weight} {style}".strip(), justify="right")
                for cell, style in zip(row.cells, styles, strict=True)
            ]
            table.add_row(Text(row.label, style=weight), row.split, *cells, key=row.label)

    def _chart_kind(self) -> ChartKind:
        if self._chart is not None:
            return self._chart
        bars = len(compare(self._loaded).rows) * max(1, len(self._loaded))
        return "tasks" if bars <= _MOST_BARS else "averages"

    def _draw_chart(self, comparison: Comparison) -> None:
        chart = self.query_one("#compare-chart", PlotextPlot)
        plt = chart.plt
        plt.clear_figure()
        runs = [column for column in comparison.columns if column.summary is not None]
        names = [column.name for column in runs]
        colors = [_COLORS[number % len(_COLORS)] for number in range(len(runs))]
        legend = Text()
        for name, color in zip(names, colors, strict=True):
            legend.append("██ ", style=color).append(name).append("   ")
        self.query_one("#compare-legend", Static).update(legend)
        if not runs:
            plt.title("score (%): pick runs to compare")
        elif self._chart_kind() == "tasks":
            # plotext stacks horizontal bars bottom up: reversed, they read as the table does
            rows = list(reversed(comparison.rows))
            values = [[column.scores.get(title) or 0.0 for title in rows] for column in runs]
            plt.multiple_bar(
                rows,
                values[::-1],
                color=colors[::-1],  # type: ignore[arg-type]  # one per series; the stub says one
                orientation="horizontal",
            )
            plt.xlim(0, 100)
            plt.title("score (%) per task")
        else:
            splits = list(SPLIT_LABELS)
            values = [
                [comparison.averages[name][split] or 0.0 for split in splits] for name in names
            ]
            plt.multiple_bar(splits, values, color=colors)  # type: ignore[arg-type]
            plt.ylim(0, 100)
            plt.title("average score (%)")
        chart.refresh()


def _read_runs(runs: list[tuple[str, Path]]) -> tuple[list[Loaded], list[str]]:
    """Each run's summary (blocking), and why the ones that could not be read could not."""
    loaded: list[Loaded] = []
    problems: list[str] = []
    for name, path in runs:
        try:
            info, summary = read_summary(path)
        except CodesteerError as exc:
            problems.append(str(exc))
            continue
        loaded.append((name, summary, info.config.complexity_sweep))
    return loaded, problems

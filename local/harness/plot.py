"""The report's PNG: per-task scores by run, and score against complexity for swept runs.

matplotlib is an optional extra (``codesteer[plot]``); it is imported here only, with the
non-interactive Agg backend, so a report never needs a display.
"""

from __future__ import annotations

from pathlib import Path

from codesteer._files import atomic_write_bytes
from codesteer.errors import UserError
from codesteer.local.harness.report import Comparison

__all__ = ["DPI", "figure_inches", "write_png"]

DPI = 100


def figure_inches(comparison: Comparison) -> tuple[float, float]:
    """The figure's size: bars get height per task, each swept task a row of its own."""
    swept = _swept_tasks(comparison)
    bars = max(3.0, 0.35 * len(comparison.rows) * max(1, len(_runs(comparison))) ** 0.5 + 1.5)
    return 12.0, bars + 3.5 * len(swept)


def _runs(comparison: Comparison) -> list[str]:
    return [c.name for c in comparison.columns if c.summary is not None]


def _swept_tasks(comparison: Comparison) -> list[str]:
    titles = []
    for column in comparison.columns:
        if column.swept and column.summary is not None:
            titles += [t.title for t in column.summary.tasks if t.by_complexity]
    return list(dict.fromkeys(titles))


def write_png(comparison: Comparison, path: Path) -> tuple[int, int]:
    """Draw the comparison to ``path`` (atomically); return its size in pixels."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise UserError(
            "the PNG needs matplotlib: pip install 'codesteer[plot]' (or pass --no-png)"
        ) from None
    import io

    width, height = figure_inches(comparison)
    swept = _swept_tasks(comparison)
    bar_height = height - 3.5 * len(swept)
    fig = plt.figure(figsize=(width, height), dpi=DPI)
    grid = fig.add_gridspec(1 + len(swept), 1, height_ratios=[bar_height] + [3.5] * len(swept))
    axes = fig.add_subplot(grid[0])
    columns = [c for c in comparison.columns if c.summary is not None]
    count = max(1, len(columns))
    step = 0.8 / count
    for number, column in enumerate(columns):
        positions = [row + number * step for row in range(len(comparison.rows))]
        values = [column.scores.get(title) or 0.0 for title in comparison.rows]
        axes.barh(positions, values, height=step, label=column.name)
    axes.set_yticks([row + 0.4 - step / 2 for row in range(len(comparison.rows))])
    axes.set_yticklabels(
        [f"{t} ({comparison.splits[t][0].upper()})" for t in comparison.rows], fontsize=8
    )
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel("score (%)")
    axes.set_title("SymBench score per task")
    axes.legend(loc="lower right", fontsize=8)
    for number, title in enumerate(swept, start=1):
        ax = fig.add_subplot(grid[number])
        for column in columns:
            summary = comparison.task_summary(column, title)
            if summary is None or not summary.by_complexity:
                continue
            levels = [lv.complexity for lv in summary.by_complexity]
            scores = [lv.score or 0.0 for lv in summary.by_complexity]
            ax.plot(levels, scores, marker="o", label=column.name)
        ax.set_title(f"{title}: score against complexity", fontsize=10)
        ax.set_xlabel("complexity level")
        ax.set_ylabel("score (%)")
        ax.set_ylim(-2, 102)
        ax.legend(fontsize=8)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    plt.close(fig)
    try:
        atomic_write_bytes(Path(path), buffer.getvalue())
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return round(width * DPI), round(height * DPI)

"""The run folders a TUI session knows (``app.known_runs``): those found under the runs folder,
those the Bench screen starts and those opened by path, each under one name every screen uses.

Reading is blocking file work: the screens call :func:`survey` and :func:`read_summary` in a
thread. Naming and labelling are pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from codesteer.errors import CodesteerError
from codesteer.local.harness import RunDir, RunInfo, RunSummary

__all__ = ["RunRecord", "read_summary", "run_label", "run_name", "survey"]

#: A run's ``run.json``, or why it cannot be read (a folder deleted since, say).
RunRecord = RunInfo | str


def run_name(known: Mapping[str, Path], path: Path) -> str:
    """The name ``path`` has in ``known``, or the one it gets: its folder's name, with its
    parent's where another run already has that name."""
    for name, known_path in known.items():
        if known_path == path:
            return name
    for name in (path.name, f"{path.parent.name}/{path.name}"):
        if name not in known:
            return name
    return str(path)


def run_label(name: str, record: RunRecord) -> str:
    """One line for a list of runs: name, mode (unless the name says it), status and how far
    it got."""
    if isinstance(record, str):
        return f"{name} · unreadable"
    mode = record.config.mode.value
    done = f"{record.done}/{record.items}" if record.status != "running" else "…"
    status = f"{record.status} {done}"
    return f"{name} · {status}" if name.endswith(mode) else f"{name} · {mode} · {status}"


def survey(runs_dir: Path, known: Iterable[Path]) -> tuple[dict[Path, RunRecord], str | None]:
    """The ``known`` runs and every run folder directly under ``runs_dir`` (oldest name first),
    each with its ``run.json`` or why it cannot be read; and why ``runs_dir`` could not be
    listed, if it could not. Folders that are not runs are left out. Blocking."""
    records: dict[Path, RunRecord] = {}
    for path in known:
        try:
            records[path] = RunDir.read_info(path)
        except CodesteerError as exc:
            records[path] = str(exc)
    try:
        folders = sorted(p for p in runs_dir.iterdir() if p.is_dir()) if runs_dir.is_dir() else []
    except OSError as exc:
        return records, f"cannot list the runs folder {runs_dir}: {exc.strerror or exc}"
    for folder in folders:
        path = folder.resolve()
        if path in records:
            continue
        try:
            records[path] = RunDir.read_info(path)
        except CodesteerError:
            continue  # not a run folder: the runs folder may hold other things
    return records, None


def read_summary(path: Path) -> tuple[RunInfo, RunSummary]:
    """A run's ``run.json`` and the summary of what it has done so far. Blocking; raises
    :class:`UserError` for a folder that is not a readable run."""
    run = RunDir.read(path)
    return run.info, run.summary()

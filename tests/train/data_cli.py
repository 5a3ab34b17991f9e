"""The data commands as ``codesteer train`` will offer them, runnable before the lead registers
them in ``codesteer.cli``: ``python -m tests.train.data_cli synthesize ...``. User errors become
one ``error:`` line and exit code 2, as ``codesteer.cli.main`` does."""

from __future__ import annotations

import os
import subprocess
import sys

import typer

from codesteer.cli._console import fail
from codesteer.cli.train_data import import_data, synthesize
from codesteer.errors import CodesteerError, UserError

__all__ = ["train_cli"]

app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False, add_completion=False)
app.command("synthesize")(synthesize)
app.command("import-data")(import_data)


def main() -> None:
    try:
        app(prog_name="codesteer train")
    except UserError as exc:
        fail(str(exc), exc.exit_code)
    except CodesteerError as exc:
        fail(str(exc), 1)


def train_cli(*args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """Run ``codesteer train ARGS`` in a subprocess, as a user does."""
    return subprocess.run(
        [sys.executable, "-m", "tests.train.data_cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )


if __name__ == "__main__":
    main()

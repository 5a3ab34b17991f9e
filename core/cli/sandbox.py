"""``codesteer sandbox``: run a file through the sandbox, report the isolation level."""

from __future__ import annotations

import typer

app = typer.Typer(help="The code sandbox.", no_args_is_help=True)

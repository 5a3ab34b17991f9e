"""The ``codesteer`` command: a thin typer layer over the library.

Commands render what the library returns; they hold no benchmark logic. User errors
(:class:`~codesteer.errors.UserError`) become one ``error:`` line on stderr and exit code 2.
"""

from __future__ import annotations

import typer

from codesteer import __version__
from codesteer.cli._console import fail
from codesteer.cli.bench import bench
from codesteer.cli.convert import app as convert_app
from codesteer.cli.models import models
from codesteer.cli.report import report
from codesteer.cli.run import run
from codesteer.cli.sandbox import app as sandbox_app
from codesteer.cli.symbench import app as symbench_app
from codesteer.cli.train import app as train_app
from codesteer.cli.train_data import import_data, synthesize
from codesteer.cli.train_pipeline import pipeline
from codesteer.cli.tui import tui
from codesteer.errors import CodesteerError, UserError

__all__ = ["app", "main"]

app = typer.Typer(
    name="codesteer",
    help=(
        "Local-first CodeSteer: a small steering model guides a bigger model, round by round, "
        "to answer by writing code or by reasoning in text.\n\n"
        'Start with `codesteer run "What is 17 * 23?"` (offline, on the embedded SmolLM2), '
        "`codesteer models` to see the models that resolve, `codesteer sandbox doctor` for the "
        "code sandbox, `codesteer symbench list` for the 37 SymBench tasks, `codesteer bench` "
        "to measure whether steering helps your model, and `codesteer tui` (or `codesteer tui "
        "--demo`) for all of it in a terminal app."
    ),
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("run")(run)
app.command("models")(models)
app.command("bench")(bench)
app.command("report")(report)
app.command("tui")(tui)
app.add_typer(sandbox_app, name="sandbox")
app.add_typer(symbench_app, name="symbench")
train_app.command("synthesize")(synthesize)
train_app.command("import-data")(import_data)
train_app.command("pipeline")(pipeline)
app.add_typer(train_app, name="train")
app.add_typer(convert_app, name="convert")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"codesteer {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Local-first CodeSteer with SymBench."""


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the app, turning user errors into one line and exit code 2, and
    other deliberate failures (a model server that kept failing) into one line and exit code 1.
    """
    try:
        app(args=argv, prog_name="codesteer")
    except UserError as exc:
        fail(str(exc), exc.exit_code)
    except CodesteerError as exc:
        fail(str(exc), 1)

"""``codesteer sandbox``: run a file through the sandbox, report the isolation level."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from codesteer.cli._console import out, print_json
from codesteer.errors import UserError
from codesteer.local.sandbox import (
    ATTACKS,
    IsolationLevel,
    Limits,
    Sandbox,
    SandboxResult,
    probe,
)

app = typer.Typer(
    help=(
        "The code sandbox that every piece of generated code runs in.\n\n"
        "Examples:\n\n"
        "  codesteer sandbox doctor            # which isolation this machine gives, and why\n\n"
        "  codesteer sandbox run answer.py     # run a file as generated code is run\n\n"
        "  codesteer sandbox run answer.py --timeout 2 --level rlimits --json"
    ),
    no_args_is_help=True,
)

_LEVELS = ", ".join(level.value for level in IsolationLevel)


def _parse_level(value: str | None) -> IsolationLevel | None:
    if value is None:
        return None
    try:
        return IsolationLevel(value.lower())
    except ValueError:
        raise UserError(f"unknown isolation level {value!r}; pick one of: {_LEVELS}") from None


@app.command("run")
def run_file(
    file: Path = typer.Argument(..., metavar="FILE.py", help="The Python file to run."),
    timeout: float | None = typer.Option(
        None, "--timeout", "-t", help="Wall-clock limit in seconds (default: 10)."
    ),
    level: str | None = typer.Option(
        None, "--level", "-l", help=f"Isolation level ({_LEVELS}); default: the best available."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as one JSON object."),
) -> None:
    """Run FILE.py in the sandbox and print how it ended: status, exit code, stdout, stderr,
    whether output was truncated, the limits it hit, the wall time and the isolation level.

    The exit code is 0 whenever the sandbox did its job, whatever the code did (its own
    outcome is the `status` and `exit_code` in the report); 2 for a bad FILE or level, or a
    level this machine lacks.

    Example: `echo 'print(sum(range(10)))' > a.py && codesteer sandbox run a.py`
    """
    if not file.is_file():
        raise UserError(f"{file}: no such file")
    try:
        code = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{file}: cannot read it: {exc}") from None
    if timeout is not None and not timeout > 0:
        raise UserError(f"--timeout must be positive, got {timeout}")
    limits = Limits() if timeout is None else Limits(timeout_s=timeout)
    with Sandbox(limits, _parse_level(level), warm=False) as sandbox:
        result = sandbox.run(code)
    if as_json:
        print_json(result.to_dict())
        return
    _print_result(result)


def _print_result(result: SandboxResult) -> None:
    style = "green" if result.status == "ok" else "red"
    out.print(
        Text.assemble(
            ("status: ", "bold"),
            (result.status, f"bold {style}"),
            f"  exit code: {result.exit_code}  wall: {result.wall_s:.3f} s  "
            f"level: {result.level.value}",
        ),
        highlight=False,
    )
    if result.limits_hit:
        out.print(f"limits hit: {', '.join(result.limits_hit)}", style="yellow", highlight=False)
    if result.truncated:
        out.print("output truncated: the middle was dropped", style="yellow")
    for name, text in (("stdout", result.stdout), ("stderr", result.stderr)):
        if text:
            out.rule(name, style="dim")
            out.print(text.rstrip("\n"), highlight=False, markup=False)


@app.command()
def doctor(
    as_json: bool = typer.Option(False, "--json", help="Print the probe as one JSON object."),
) -> None:
    """Show each isolation level: available or why not, what it guarantees, and how to get a
    better one. The last line names the level that sandboxed code gets here.

    Example: `codesteer sandbox doctor`  (ends with e.g. `level: bubblewrap`)
    """
    found = probe()
    if as_json:
        print_json(found.to_dict())
        return
    levels = Table(title="isolation levels, strongest first", title_justify="left")
    levels.add_column("level", style="bold", no_wrap=True)
    levels.add_column("available", no_wrap=True)
    levels.add_column("what it gives / why not")
    for report in found.levels:
        mark = "[green]yes[/]" if report.available else "[red]no[/]"
        levels.add_row(report.level.value, mark, Text(report.reason))
    out.print(levels)
    table = Table(title="what each level contains", title_justify="left")
    table.add_column("attack", style="bold", no_wrap=True)
    for report in found.levels:
        table.add_column(report.level.value, justify="center", no_wrap=True)
    table.add_column("contained means")
    rows = {report.level: found.guarantees(report.level) for report in found.levels}
    for attack, meaning in ATTACKS.items():
        marks = ["[green]yes[/]" if rows[r.level][attack] else "[red]no[/]" for r in found.levels]
        table.add_row(attack, *marks, Text(meaning, style="dim"))
    out.print(table)
    guard = found.process_guard or f"none ({found.process_guard_reason})"
    out.print(f"process guard: {guard}", highlight=False)
    for line in found.advice:
        out.print(Text.assemble(("advice: ", "yellow"), line), highlight=False)
    out.print(f"level: {found.best.value}", highlight=False)

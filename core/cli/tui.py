"""``codesteer tui``: the Textual terminal app (the ``tui`` extra)."""

from __future__ import annotations

import typer

from codesteer.cli._console import out, print_json
from codesteer.errors import UserError

__all__ = ["tui"]


def tui(
    demo: bool = typer.Option(
        False,
        "--demo",
        help="Start on the offline default models (SmolLM2) and steer an example question at "
        "once: the quickest way to see codesteer working. Your config file is left alone.",
    ),
    keys: bool = typer.Option(
        False, "--keys", help="List the binding ids and their keys (remap them in [tui.keys])."
    ),
    as_json: bool = typer.Option(False, "--json", help="With --keys: print JSON."),
) -> None:
    """The terminal app: watch a model being steered, run SymBench, compare runs, reopen past
    runs.

    Screens: F1 Steer · F2 Bench · F3 Compare · F4 History; ctrl+p opens the command palette,
    ctrl+q quits. Settings (default models, rounds, theme, keys) are saved in the config file
    (`[tui]`); past runs in a SQLite file in the platform's data dir ($CODESTEER_DATA_DIR).
    """
    try:
        from codesteer.tui import CodesteerApp, Services, binding_table
    except ImportError as exc:
        if exc.name is None or not exc.name.startswith(("textual", "tomlkit")):
            raise
        raise UserError(
            "the terminal app needs the tui extra: pip install 'codesteer[tui]'"
        ) from exc
    if keys:
        table = binding_table()
        if as_json:
            print_json(table)
        else:
            for row in table:
                out.print(
                    f"{row['id']:<22} {row['keys']:<16} {row['description']}", highlight=False
                )
        return
    services = Services.from_environment()
    if demo:
        services = services.with_config(
            services.config.model_copy(
                update={
                    "rounds": 2,
                    "models": services.config.models.model_copy(
                        update={"task": "default", "steerer": "default"}
                    ),
                    "tui": services.config.tui.model_copy(update={"max_tokens": 256}),
                }
            )
        )
    CodesteerApp(services, demo=demo).run()

"""``codesteer convert`` as a user runs it, through the real ``codesteer.cli.main`` (one
``error:`` line and exit code 2 for user errors). Until the command group is registered in
``codesteer.cli`` this registers it the same way, so the tests do not depend on that edit.

Run as ``python -m tests.convert.cli ARGS...``.
"""

from __future__ import annotations

import sys

from codesteer.cli import app, main
from codesteer.cli.convert import app as convert_app

if __name__ == "__main__":
    if not any(group.name == "convert" for group in app.registered_groups):
        app.add_typer(convert_app, name="convert")
    main(["convert", *sys.argv[1:]])

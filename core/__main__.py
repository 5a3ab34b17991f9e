"""``python -m codesteer`` runs the ``codesteer`` command."""

from codesteer.cli import main

main()

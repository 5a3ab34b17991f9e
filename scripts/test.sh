#!/usr/bin/env bash
# Install everything the tests need into .venv, then run the whole suite:
# lint (ruff), types (mypy), and the tests (pytest, on all cores).
# Usage: bash scripts/test.sh [extra pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/python scripts/typecheck.py
echo "== pytest"
exec .venv/bin/python -m pytest -n auto "$@"

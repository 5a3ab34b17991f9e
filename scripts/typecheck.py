"""Run mypy on the package as it installs.

The top-level folders install as ``codesteer.*`` through setuptools' ``package-dir`` mapping,
which mypy cannot follow; this builds the installed layout as a tree of symbolic links under
``build/typecheck`` and checks that.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    mapping: dict[str, str] = config["tool"]["setuptools"]["package-dir"]
    tree = ROOT / "build" / "typecheck"
    shutil.rmtree(tree, ignore_errors=True)
    package = tree / "codesteer"
    package.mkdir(parents=True)
    for entry in (ROOT / mapping["codesteer"]).iterdir():
        if entry.name != "__pycache__":
            (package / entry.name).symlink_to(entry)
    for name, folder in mapping.items():
        if name != "codesteer":
            (package / name.split(".", 1)[1]).symlink_to(ROOT / folder)
    env = {**os.environ, "MYPYPATH": str(tree)}
    command = [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml")]
    command += ["-p", "codesteer", *sys.argv[1:]]
    return subprocess.call(command, cwd=tree, env=env)


if __name__ == "__main__":
    raise SystemExit(main())

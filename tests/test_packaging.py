"""The distribution installs one import package, ``codesteer``, with the top-level folders as
its subpackages, and ships its data."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.paths import REPO_ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Build from a copy: setuptools writes build/ and *.egg-info into the source tree, and
    # parallel test workers would race on them.
    source = tmp_path_factory.mktemp("source") / "codesteer"
    ignore = shutil.ignore_patterns(
        ".git", ".venv", "build", "*.egg-info", "__pycache__", ".*cache"
    )
    shutil.copytree(REPO_ROOT, source, ignore=ignore)
    out = tmp_path_factory.mktemp("wheel")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(source)],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr[-3000:]
    (path,) = out.glob("codesteer-*.whl")
    return path


def test_only_codesteer_is_a_top_level_name(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top == {"codesteer"}


def test_subpackages_and_data_are_shipped(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for module in (
        "codesteer/__init__.py",
        "codesteer/py.typed",
        "codesteer/cli/__init__.py",
        "codesteer/symbench/__init__.py",
        "codesteer/symbench/tasks/game24.py",
        "codesteer/symbench/data/paper-table.csv",
        "codesteer/local/__init__.py",
        "codesteer/train/__init__.py",
        "codesteer/convert/__init__.py",
        "codesteer/tui/__init__.py",
        "codesteer/tui/codesteer.tcss",
        "codesteer/tui/screens/steer.py",
        "codesteer/tui/widgets/conversation.py",
        "codesteer/local/harness/report.py",
    ):
        assert module in names, module
    tasks = [n for n in names if n.startswith("codesteer/symbench/tasks/") and "/_" not in n]
    assert len(tasks) == 37


def test_entry_point_and_extras(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    info = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
    metadata = archive.read(info).decode()
    for extra in ("train", "convert", "tui", "plot", "demo", "dev", "all"):
        assert f"Provides-Extra: {extra}" in metadata
    entry = next(n for n in archive.namelist() if n.endswith("entry_points.txt"))
    assert "codesteer = codesteer.cli:main" in archive.read(entry).decode()
    # the runtime stays light: torch and textual only come with extras
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    for heavy in ("torch", "textual", "trl", "matplotlib"):
        assert all(heavy not in line or "extra ==" in line for line in requires), heavy


def test_runtime_does_not_import_heavy_packages() -> None:
    code = (
        "import sys, codesteer.cli, codesteer.symbench as s; s.all_tasks(); "
        "import codesteer.local.harness, codesteer.cli.report; "
        "bad = {'torch', 'textual', 'transformers', 'matplotlib'} & set(sys.modules); "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)

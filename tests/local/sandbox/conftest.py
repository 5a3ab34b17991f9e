"""Sandboxes shared by the sandbox tests: one warm sandbox per (level, limits), made on first
use and closed at the end of the session, and the levels this machine provides."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from codesteer.local.sandbox import IsolationLevel, Limits, Sandbox, probe

#: Small limits, so attacks end fast.
TEST_LIMITS = Limits(
    timeout_s=10.0,
    cpu_s=2,
    memory_mb=512,
    file_size_mb=4,
    open_files=64,
    processes=24,
    output_bytes=4000,
    disk_mb=16,
)

AVAILABLE = probe().available_levels()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "level" in metafunc.fixturenames:
        metafunc.parametrize("level", AVAILABLE, ids=[level.value for level in AVAILABLE])


SandboxFactory = Callable[..., Sandbox]


@pytest.fixture(scope="session")
def sandboxes() -> Iterator[SandboxFactory]:
    made: dict[tuple[IsolationLevel, Limits], Sandbox] = {}

    def make(level: IsolationLevel, limits: Limits = TEST_LIMITS) -> Sandbox:
        if (level, limits) not in made:
            made[level, limits] = Sandbox(limits, level)
        return made[level, limits]

    yield make
    for sandbox in made.values():
        sandbox.close()


@pytest.fixture
def sandbox(sandboxes: SandboxFactory, level: IsolationLevel) -> Sandbox:
    return sandboxes(level)


def processes_with(marker: str) -> list[int]:
    """Host pids whose command line contains ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in cmdline:
            found.append(int(entry.name))
    return found

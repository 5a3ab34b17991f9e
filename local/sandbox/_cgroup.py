"""A pids cgroup per zygote: the fork-bomb guard that also binds root.

``RLIMIT_NPROC`` does not apply to real uid 0, and CI runs as root, so the process cap comes
from the kernel's pids controller: ``pids.max`` refuses ``fork()`` past the cap whoever the
user is, and ``pids.events`` counts the refusals (so a caught ``BlockingIOError`` is still
reported). The group also lists every process of the sandbox, which lets the host kill
leftovers that escaped everything else. It needs a writable pids hierarchy: cgroup v1's
``/sys/fs/cgroup/pids``, or v2 with the pids controller enabled, as root.

Written by hand: no maintained library covers creating, capping and emptying a cgroup on both
v1 and v2 without systemd.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import time
from pathlib import Path

__all__ = ["PidsCgroup", "pids_cgroup_base"]

_V1 = Path("/sys/fs/cgroup/pids")
_V2 = Path("/sys/fs/cgroup")
_counter = itertools.count()


def _own_path(v1: bool) -> str:
    """This process's place in the pids hierarchy, from /proc/self/cgroup."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return "/"
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if (v1 and "pids" in controllers.split(",")) or (not v1 and controllers == ""):
            return path
    return "/"


def pids_cgroup_base() -> tuple[Path | None, str]:
    """Where per-sandbox pids groups can be made, or None and why not."""
    if os.geteuid() != 0:
        return None, "not root, so no writable pids cgroup"
    if (_V1 / "cgroup.procs").exists():
        base = _V1 / _own_path(True).lstrip("/")
    elif "pids" in _read(_V2 / "cgroup.controllers").split():
        base = _V2 / _own_path(False).lstrip("/")
        subtree = base / "cgroup.subtree_control"
        if "pids" not in _read(subtree).split():
            with contextlib.suppress(OSError):
                subtree.write_text("+pids")
    else:
        return None, "no cgroup pids controller mounted"
    _remove_stale(base)
    probe = base / f"codesteer-probe-{os.getpid()}-{next(_counter)}"
    try:
        probe.mkdir()
        ok = (probe / "pids.max").exists()
        probe.rmdir()
    except OSError as exc:
        return None, f"cannot create a pids cgroup under {base}: {exc.strerror}"
    if not ok:
        return None, f"{base} has no pids controller"
    return base, f"cgroup pids.max under {base}"


def _remove_stale(base: Path) -> None:
    """Remove empty groups left by codesteer processes that are gone (one that exited while a
    zygote was still starting cannot always remove its own)."""
    for group in base.glob("codesteer-sandbox-*-*"):
        owner = group.name.split("-")[2]
        if owner.isdigit() and not Path(f"/proc/{owner}").exists():
            with contextlib.suppress(OSError):
                group.rmdir()


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


class PidsCgroup:
    """One pids group, capped at ``max_pids`` processes."""

    def __init__(self, base: Path, max_pids: int) -> None:
        self.path = base / f"codesteer-sandbox-{os.getpid()}-{next(_counter)}"
        self.path.mkdir()
        (self.path / "pids.max").write_text(str(max_pids))

    @property
    def procs_file(self) -> str:
        return str(self.path / "cgroup.procs")

    def pids(self) -> set[int]:
        return {int(line) for line in _read(self.path / "cgroup.procs").split()}

    def refusals(self) -> int:
        """How many forks ``pids.max`` refused so far."""
        for line in _read(self.path / "pids.events").splitlines():
            key, _, value = line.partition(" ")
            if key == "max":
                return int(value)
        return 0

    def kill(self, keep: set[int] | frozenset[int] = frozenset()) -> bool:
        """SIGKILL every member but ``keep`` until none is left; False if some outlived it."""
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline:
            targets = self.pids() - keep
            if not targets:
                return True
            for pid in targets:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.001)
        return False

    def remove(self) -> None:
        self.kill()
        for _ in range(200):
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:
                # busy until the last zombie is reaped by its parent
                time.sleep(0.005)

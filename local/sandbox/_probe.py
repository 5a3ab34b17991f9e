"""Which isolation levels this machine provides, found by trying them (once, then cached).

Each level is tried with the exact command line the sandbox uses, running ``true`` instead of
the interpreter (a few milliseconds), so "available" means "works here", not "installed". The
probe also finds the process guard (a pids cgroup when root; otherwise ``RLIMIT_NPROC``, which
counts only a fresh user namespace's processes for a non-root user) and the reasons a better
level is missing, with the fix: Ubuntu 24.04's AppArmor restriction on unprivileged user
namespaces, a zero ``user.max_user_namespaces``, a missing ``bwrap``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codesteer.local.sandbox._cgroup import pids_cgroup_base
from codesteer.local.sandbox._guarantees import AS_ROOT, GUARANTEES, PROCESS_GUARDED
from codesteer.local.sandbox._launch import plan_launch
from codesteer.local.sandbox._types import IsolationLevel, Limits

__all__ = ["LevelReport", "Probe", "probe"]

_APPARMOR = Path("/proc/sys/kernel/apparmor_restrict_unprivileged_userns")
_MAX_USERNS = Path("/proc/sys/user/max_user_namespaces")
_DEBIAN_USERNS = Path("/proc/sys/kernel/unprivileged_userns_clone")
_lock = threading.Lock()
_cached: Probe | None = None


@dataclass(frozen=True)
class LevelReport:
    level: IsolationLevel
    available: bool
    #: why not, when unavailable; what it gives, when available
    reason: str


@dataclass(frozen=True)
class Probe:
    """The machine's isolation: the best level, each level's availability, how to do better."""

    best: IsolationLevel
    levels: tuple[LevelReport, ...]
    #: how fork bombs are capped, or None where nothing caps them
    process_guard: str | None
    #: why there is no process guard, when there is none
    process_guard_reason: str
    advice: tuple[str, ...]

    def report(self, level: IsolationLevel) -> LevelReport:
        return next(r for r in self.levels if r.level is level)

    def available(self, level: IsolationLevel) -> bool:
        return self.report(level).available

    def available_levels(self) -> tuple[IsolationLevel, ...]:
        return tuple(r.level for r in self.levels if r.available)

    def guard_for(self, level: IsolationLevel) -> str | None:
        """The process guard at ``level``: the cgroup anywhere, RLIMIT_NPROC in a namespace."""
        if self.process_guard and (
            self.process_guard.startswith("cgroup") or level is not IsolationLevel.RLIMITS
        ):
            return self.process_guard
        return None

    def guarantees(self, level: IsolationLevel) -> dict[str, bool]:
        """The guarantee table's row for ``level``, as it holds on this machine."""
        row = dict(GUARANTEES[level])
        if os.geteuid() == 0:
            row.update(AS_ROOT.get(level, {}))
        if self.guard_for(level) is None:
            for attack in PROCESS_GUARDED:
                row[attack] = False
        return row

    def to_dict(self) -> dict[str, Any]:
        return {
            "best": self.best.value,
            "levels": [
                {
                    "level": r.level.value,
                    "available": r.available,
                    "reason": r.reason,
                    "guarantees": self.guarantees(r.level),
                }
                for r in self.levels
            ],
            "process_guard": self.process_guard,
            "process_guard_reason": self.process_guard_reason,
            "advice": list(self.advice),
        }


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def _try(argv: list[str], env: dict[str, str]) -> str | None:
    """None when ``argv`` runs and exits 0, else the first line of why not."""
    try:
        done = subprocess.run(
            argv, env=env, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if done.returncode == 0:
        return None
    lines = (done.stderr or done.stdout).strip().splitlines()
    return lines[-1] if lines else f"exit code {done.returncode}"


def _userns_blockers() -> list[str]:
    blockers = []
    if _read(_APPARMOR) == "1":
        blockers.append(
            "AppArmor restricts unprivileged user namespaces (Ubuntu 24.04 default): run "
            "`sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` (persist it in "
            "/etc/sysctl.d/), or give bwrap an AppArmor profile that allows `userns,` "
            "(see /etc/apparmor.d/bwrap-userns-restrict on Ubuntu)"
        )
    if _read(_MAX_USERNS) == "0":
        blockers.append(
            "user namespaces are disabled: `sudo sysctl -w user.max_user_namespaces=15000`"
        )
    if _read(_DEBIAN_USERNS) == "0":
        blockers.append(
            "unprivileged user namespaces are disabled: "
            "`sudo sysctl -w kernel.unprivileged_userns_clone=1`"
        )
    return blockers


def _probe_level(level: IsolationLevel, tool: str) -> str | None:
    true = shutil.which("true") or "/bin/true"
    with tempfile.TemporaryDirectory(prefix="codesteer-probe-") as host_dir:
        plan = plan_launch(level, Limits(), Path(host_dir), [true])
        failure = _try(plan.argv, plan.env)
    if failure is None:
        return None
    return f"{tool} fails here: {failure}"


def _run_probe() -> Probe:
    blockers = _userns_blockers()
    advice: list[str] = []
    reports: list[LevelReport] = []

    if shutil.which("bwrap") is None:
        bwrap_failure: str | None = "bwrap is not installed"
        advice.append(
            "install bubblewrap for the strongest isolation: `sudo apt-get install bubblewrap` "
            "(Fedora: `sudo dnf install bubblewrap`)"
        )
    else:
        bwrap_failure = _probe_level(IsolationLevel.BUBBLEWRAP, "bwrap")
    reports.append(
        LevelReport(
            IsolationLevel.BUBBLEWRAP,
            bwrap_failure is None,
            bwrap_failure
            or "no network, private /proc and PIDs, read-only system, only /sandbox writable",
        )
    )

    if shutil.which("unshare") is None:
        ns_failure: str | None = "unshare (util-linux) is not installed"
    else:
        ns_failure = _probe_level(IsolationLevel.NAMESPACES, "unshare")
    reports.append(
        LevelReport(
            IsolationLevel.NAMESPACES,
            ns_failure is None,
            ns_failure or "no network, private /proc and PIDs; host files visible",
        )
    )
    if (bwrap_failure or ns_failure) and blockers:
        advice.extend(blockers)

    reports.append(
        LevelReport(
            IsolationLevel.RLIMITS,
            True,
            "resource limits, a scrubbed environment, a fresh work dir; not a security boundary",
        )
    )

    base, cgroup_reason = pids_cgroup_base()
    guard: str | None
    if base is not None:
        guard, guard_reason = cgroup_reason, ""
    elif os.geteuid() != 0:
        guard = "RLIMIT_NPROC in a fresh user namespace"
        guard_reason = "no pids cgroup; RLIMIT_NPROC only counts a namespace's processes"
        advice.append("at the rlimits level nothing caps the number of processes")
    else:
        guard, guard_reason = None, f"root is exempt from RLIMIT_NPROC and {cgroup_reason}"
        advice.append(
            "fork bombs are not capped: root ignores RLIMIT_NPROC; mount a writable cgroup "
            "pids controller (cgroup v1 /sys/fs/cgroup/pids, or v2 with +pids)"
        )
    best = next(r.level for r in reports if r.available)
    if best is not IsolationLevel.BUBBLEWRAP and not advice:
        advice.append(f"bubblewrap is unavailable: {bwrap_failure}")
    return Probe(best, tuple(reports), guard, guard_reason, tuple(advice))


def probe(*, refresh: bool = False) -> Probe:
    """The machine's isolation levels; probed on first use (tens of ms) and then cached."""
    global _cached
    with _lock:
        if _cached is None or refresh:
            _cached = _run_probe()
        return _cached

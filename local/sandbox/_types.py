"""What the sandbox takes and gives back: limits, isolation levels, results. Pure data."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum
from typing import Any, Literal

__all__ = ["IsolationLevel", "Limits", "SandboxResult", "SandboxStatus"]


class IsolationLevel(str, Enum):
    """How strongly generated code is kept away from the machine, strongest first."""

    #: bubblewrap: no network, private /proc, PID namespace, read-only system, only the work dir
    #: writable.
    BUBBLEWRAP = "bubblewrap"
    #: a user and network namespace (unshare): no network, but the host file system is visible.
    NAMESPACES = "namespaces"
    #: resource limits and a scrubbed environment only.
    RLIMITS = "rlimits"


@dataclass(frozen=True)
class Limits:
    """Per-run limits. Resource limits are set inside the child, before the code runs."""

    timeout_s: float = 10.0
    cpu_s: int = 10
    memory_mb: int = 2048
    file_size_mb: int = 32
    open_files: int = 256
    processes: int = 64
    #: the writable work area (a size-capped tmpfs at the bubblewrap level; elsewhere unenforced).
    disk_mb: int = 256
    #: per stream (stdout, stderr): the head and the tail are kept, the middle is dropped.
    output_bytes: int = 64_000


SandboxStatus = Literal["ok", "error", "timeout", "killed", "cancelled"]


@dataclass(frozen=True)
class SandboxResult:
    """The outcome of one run.

    ``status``: ``ok`` (exit code 0), ``error`` (non-zero exit, e.g. an exception), ``timeout``
    (wall clock), ``killed`` (a signal: CPU or memory limit, ...), ``cancelled`` (the caller
    cancelled). ``limits_hit`` names each limit that was reached (``timeout``, ``cpu``,
    ``memory``, ``file_size``, ``open_files``, ``processes``, ``output``).
    """

    status: SandboxStatus
    exit_code: int | None
    stdout: str
    stderr: str
    truncated: bool
    limits_hit: tuple[str, ...]
    wall_s: float
    level: IsolationLevel

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["level"] = self.level.value
        data["limits_hit"] = list(self.limits_hit)
        return data

"""What each isolation level promises, attack by attack: the one table that ``doctor`` prints
and the tests check (a test asserts containment where the table says True, and that the attack
gets through where it says False, so a gap is documented rather than silently passed).
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from codesteer.local.sandbox._types import IsolationLevel

__all__ = ["AS_ROOT", "ATTACKS", "GUARANTEES", "PROCESS_GUARDED"]

#: attack -> what containment means.
ATTACKS: Final = MappingProxyType(
    {
        "cpu": "an infinite loop is stopped by RLIMIT_CPU or the wall clock",
        "wall_clock": "a sleeping or blocked run is killed at its timeout",
        "memory": "allocation past RLIMIT_AS fails (MemoryError)",
        "processes": "a fork bomb meets a process cap (needs a process guard)",
        "escapees": "setsid(), double forks and orphans are killed when the run ends",
        "output": "stdout and stderr are capped while streaming (head and tail kept)",
        "disk_quota": "the work area has a size cap (many or big files fill it, not the disk)",
        "leftovers": "files and processes of one run are gone before the next",
        "write_outside": "nothing outside the work area can be written",
        "network": "no network at all: only a private loopback",
        "env_secrets": "the environment is scrubbed (no API keys, HOME is the work dir)",
        "proc_environ": "the parent's /proc/<pid>/environ (API keys) cannot be read",
        "home_files": "files in the user's HOME (e.g. ~/.netrc) cannot be read",
        "etc_passwd": "the host's /etc/passwd cannot be read",
        "raise_limits": "ctypes cannot raise the hard rlimits or regain capabilities",
    }
)

_ALWAYS = {
    "cpu": True,
    "wall_clock": True,
    "memory": True,
    "processes": True,
    "escapees": True,
    "output": True,
    "leftovers": True,
    "env_secrets": True,
    "raise_limits": True,
}

#: level -> attack -> promised. ``processes`` holds only where a process guard exists (see
#: :data:`PROCESS_GUARDED`); the probe turns it off elsewhere.
GUARANTEES: Final = MappingProxyType(
    {
        IsolationLevel.BUBBLEWRAP: MappingProxyType(
            {
                **_ALWAYS,
                "disk_quota": True,
                "write_outside": True,
                "network": True,
                "proc_environ": True,
                "home_files": True,
                "etc_passwd": True,
            }
        ),
        IsolationLevel.NAMESPACES: MappingProxyType(
            {
                **_ALWAYS,
                "disk_quota": False,
                "write_outside": False,
                "network": True,
                "proc_environ": True,
                "home_files": False,
                "etc_passwd": False,
            }
        ),
        IsolationLevel.RLIMITS: MappingProxyType(
            {
                **_ALWAYS,
                "disk_quota": False,
                "write_outside": False,
                "network": False,
                "proc_environ": False,
                "home_files": False,
                "etc_passwd": False,
            }
        ),
    }
)

#: Attacks whose containment depends on a process guard being present.
PROCESS_GUARDED: Final = frozenset({"processes"})

#: What changes when the caller runs as root (CI does): workers drop every capability, and the
#: kernel refuses a capability-less process ptrace-read access (``/proc/<pid>/environ``) to a
#: process that holds capabilities, even under the same uid.
AS_ROOT: Final = MappingProxyType(
    {IsolationLevel.RLIMITS: MappingProxyType({"proc_environ": True})}
)

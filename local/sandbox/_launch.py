"""The command line that starts a process at each isolation level, and its scrubbed environment.

- bubblewrap: every namespace unshared (user, PID, network, IPC, UTS, cgroup), all capabilities
  dropped, uid 65534, PID 1 of its namespace (``--as-pid-1``: nothing inside can signal it),
  dies with its parent, a new session (no terminal injection), an empty environment. The file
  system is a read-only tmpfs root with read-only binds of /usr and the interpreter's prefixes
  only (no /home, /root or HOME files; /etc holds ld.so.cache, localtime and a two-line
  passwd/group naming the sandbox user), a private /proc and /dev, and one writable tmpfs of
  ``disk_mb`` at /sandbox (/tmp points into it).
- namespaces: ``unshare`` of user (mapped root), network, PID and mount namespaces with a fresh
  /proc: no network, no view of other processes; the host file system stays visible.
- rlimits: the interpreter as a plain process.

At every level the interpreter runs with ``-I`` and the environment below, never the caller's.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from codesteer.local.sandbox._types import IsolationLevel, Limits

__all__ = ["SANDBOX_ROOT", "LaunchPlan", "interpreter_paths", "plan_launch", "scrubbed_env"]

#: The writable area as the code sees it at the bubblewrap level.
SANDBOX_ROOT = "/sandbox"
_SANDBOX_UID = 65534
_THREAD_VARIABLES = (
    "OPENBLAS_NUM_THREADS",
    "OMP_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)
_ETC_FILES = ("/etc/ld.so.cache", "/etc/localtime")


def scrubbed_env(root: str) -> dict[str, str]:
    """The whole environment of sandboxed code: nothing is inherited from the caller."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": f"{root}/work",
        "TMPDIR": f"{root}/tmp",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONIOENCODING": "utf-8",
        "MPLBACKEND": "Agg",
    }
    # numpy's BLAS would start a thread per core and reserve address space for each.
    env.update(dict.fromkeys(_THREAD_VARIABLES, "1"))
    return env


def interpreter_paths() -> list[str]:
    """The folders the interpreter and its site-packages live in, outermost only."""
    candidates = {
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        sys.base_exec_prefix,
        str(Path(sys.executable).resolve().parent.parent),
    }
    paths = sorted(str(Path(p).resolve()) for p in candidates) + sorted(candidates)
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if path.startswith("/usr/") or path == "/usr":
            continue
        if not any(path == k or path.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(path)
    return kept


@dataclass(frozen=True)
class LaunchPlan:
    """How to start one sandboxed process."""

    argv: list[str]
    env: dict[str, str]
    #: the writable area as the sandboxed process sees it
    root: str
    #: whether the process is PID 1 of its own PID namespace
    pid_namespace: bool


def _bwrap_prefix(host_dir: Path, limits: Limits) -> list[str]:
    (host_dir / "passwd").write_text(
        f"sandbox:x:{_SANDBOX_UID}:{_SANDBOX_UID}:sandbox:{SANDBOX_ROOT}/work:/usr/sbin/nologin\n"
    )
    (host_dir / "group").write_text(f"sandbox:x:{_SANDBOX_UID}:\n")
    args = [
        shutil.which("bwrap") or "bwrap",
        "--unshare-all",
        "--unshare-user",
        "--uid",
        str(_SANDBOX_UID),
        "--gid",
        str(_SANDBOX_UID),
        "--cap-drop",
        "ALL",
        "--die-with-parent",
        "--new-session",
        "--as-pid-1",
        "--clearenv",
    ]
    for key, value in scrubbed_env(SANDBOX_ROOT).items():
        args += ["--setenv", key, value]
    args += ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib64", "lib32", "libx32"):
        top = Path("/") / name
        if top.is_symlink():
            args += ["--symlink", str(top.readlink()), str(top)]
        elif top.is_dir():
            args += ["--ro-bind", str(top), str(top)]
    interpreter = interpreter_paths()
    for path in interpreter:
        args += ["--ro-bind", path, path]
    for path in _ETC_FILES:
        args += ["--ro-bind-try", path, path]
    args += ["--ro-bind", str(host_dir / "passwd"), "/etc/passwd"]
    args += ["--ro-bind", str(host_dir / "group"), "/etc/group"]
    args += ["--proc", "/proc", "--dev", "/dev", "--remount-ro", "/dev"]
    args += ["--size", str(limits.disk_mb << 20), "--tmpfs", SANDBOX_ROOT]
    if not any(path == "/tmp" or path.startswith("/tmp/") for path in interpreter):
        args += ["--symlink", f"{SANDBOX_ROOT}/tmp", "/tmp"]
    # else the interpreter itself lives under /tmp (a checkout there): /tmp stays the read-only
    # folder that holds its bind, and code writes temporary files to $TMPDIR as it should.
    args += ["--remount-ro", "/", "--chdir", SANDBOX_ROOT, "--"]
    return args


def _unshare_prefix() -> list[str]:
    return [
        shutil.which("unshare") or "unshare",
        "--user",
        "--map-root-user",
        "--net",
        "--pid",
        "--fork",
        "--mount",
        "--mount-proc",
        "--kill-child",
        "--",
    ]


def plan_launch(
    level: IsolationLevel, limits: Limits, host_dir: Path, command: list[str]
) -> LaunchPlan:
    """Wrap ``command`` for ``level``. ``host_dir`` is a private folder of the caller's: at the
    bubblewrap level it holds the sandbox's /etc files, below it is the writable area."""
    if level is IsolationLevel.BUBBLEWRAP:
        return LaunchPlan(
            [*_bwrap_prefix(host_dir, limits), *command],
            scrubbed_env(SANDBOX_ROOT),
            SANDBOX_ROOT,
            True,
        )
    area = host_dir / "area"
    area.mkdir(mode=0o700, exist_ok=True)
    root = str(area)
    if level is IsolationLevel.NAMESPACES:
        return LaunchPlan([*_unshare_prefix(), *command], scrubbed_env(root), root, True)
    return LaunchPlan(list(command), scrubbed_env(root), root, False)

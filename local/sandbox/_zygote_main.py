# ruff: noqa: PTH101, PTH102, PTH106, PTH108, PTH118, PTH123, PTH208
# (os-level file calls on purpose: the zygote is a standalone script that imports as little as
# possible, and works on raw fds and paths in forked children.)
"""The zygote: a warm interpreter inside the isolation that forks one fresh worker per run.

This file is not imported by codesteer: its text is handed to ``python -I -c`` inside the
sandbox (bubblewrap, unshare, or a bare process), so it uses the standard library only and
nothing from the package, which the sandbox cannot see.

Protocol, over one Unix stream socket (fd given in the JSON config in ``argv[1]``): frames of a
4-byte big-endian length and a JSON object. The zygote sends ``{"ready": true}`` once, then
answers each ``{"op": "run", ...}`` (which carries the write ends of the stdout and stderr pipes
as SCM_RIGHTS) with one result frame. ``{"op": "kill"}`` during a run kills it; ``{"op":
"exit"}`` or EOF ends the zygote.

Per run, the zygote forks a worker. The worker starts a new session, points fds 0-2 at
/dev/null and the pipes, closes every other fd, enters a fresh work dir, sets the rlimits, drops
every capability (with no_new_privs, so exec cannot regain them), and only then compiles and
runs the user code in a new ``__main__``. Nothing the code does reaches the zygote: it ran in
a copy. When the worker ends (or on a kill), the zygote kills every other process it can see:
in a PID namespace ``kill(-1, SIGKILL)`` as its init, which no ``setsid()`` or double fork
escapes; without one, as a child subreaper, every descendant found in /proc. Then it empties
the work area, so the next run starts as clean as the first.

The zygote itself is non-dumpable: a worker, capability-less, cannot ptrace it or read its
memory to plant state for later runs. As PID 1 of its namespace, it ignores signals sent from
inside it.
"""

from __future__ import annotations

import atexit
import builtins
import contextlib
import ctypes
import gc
import io
import json
import os
import resource
import select
import signal
import socket
import stat
import struct
import sys
import threading
import time
import traceback
import types
from typing import Any

_LIBC = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG = 1
_PR_SET_DUMPABLE = 4
_PR_CAPBSET_DROP = 24
_PR_SET_SECUREBITS = 28
_PR_SET_CHILD_SUBREAPER = 36
_PR_SET_NO_NEW_PRIVS = 38
_PR_CAP_AMBIENT = 47
_PR_CAP_AMBIENT_CLEAR_ALL = 4
# SECBIT_NOROOT, SECBIT_NO_SETUID_FIXUP and SECBIT_KEEP_CAPS_LOCKED, each with its lock bit:
# uid 0 gains nothing by exec.
_SECURE_BITS = 0x2F
_CAP_VERSION_3 = 0x20080522
_KILL_PATIENCE_S = 5.0
_LIMITS = {
    "cpu_s": resource.RLIMIT_CPU,
    "memory": resource.RLIMIT_AS,
    "file_size": resource.RLIMIT_FSIZE,
    "open_files": resource.RLIMIT_NOFILE,
    "nproc": resource.RLIMIT_NPROC,
}


def _prctl(option: int, arg: int = 0) -> int:
    return int(_LIBC.prctl(option, ctypes.c_ulong(arg), 0, 0, 0))


class _Channel:
    """Length-prefixed JSON frames over a stream socket, with fds on the first byte."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._buffer = bytearray()
        self._fds: list[int] = []

    def _fill(self) -> bool:
        data, fds, _flags, _addr = socket.recv_fds(self.sock, 1 << 16, 8)
        self._fds.extend(fds)
        self._buffer += data
        return bool(data)

    def recv(self) -> tuple[dict[str, Any] | None, list[int]]:
        while len(self._buffer) < 4:
            if not self._fill():
                return None, []
        (size,) = struct.unpack(">I", self._buffer[:4])
        while len(self._buffer) < 4 + size:
            if not self._fill():
                return None, []
        message = json.loads(bytes(self._buffer[4 : 4 + size]))
        del self._buffer[: 4 + size]
        fds, self._fds = self._fds, []
        return message, fds

    def send(self, message: dict[str, Any]) -> None:
        data = json.dumps(message).encode()
        self.sock.sendall(struct.pack(">I", len(data)) + data)


class _Reaper:
    """Reaps every child without blocking, keeping the worker's status and usage."""

    def __init__(self, worker: int) -> None:
        self.worker = worker
        self.status: int | None = None
        self.cpu_s = 0.0

    def reap(self) -> bool:
        """Reap what has exited; True while children remain."""
        while True:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return False
            if pid == 0:
                return True
            if pid == self.worker:
                self.status = status
                self.cpu_s = usage.ru_utime + usage.ru_stime


def _descendants(root: int) -> list[int]:
    # No /proc/<pid>/task/<tid>/children here (CONFIG_PROC_CHILDREN is often off): read ppids.
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(name))
    found: list[int] = []
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _kill_everything(pid_namespace: bool, reaper: _Reaper) -> bool:
    """SIGKILL every process of the run until none is left; False if some outlived patience."""
    deadline = time.monotonic() + _KILL_PATIENCE_S
    while time.monotonic() < deadline:
        if not pid_namespace and not reaper.reap():
            # As a subreaper, every descendant hangs below one of our children: none, none left.
            return True
        if pid_namespace:
            try:
                os.kill(-1, signal.SIGKILL)
                alive = True
            except ProcessLookupError:
                alive = False
        else:
            targets = _descendants(os.getpid())
            for pid in targets:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            alive = bool(targets)
        children = reaper.reap()
        if not alive and not children:
            return True
        time.sleep(0.0005)
    return False


def _wipe(path: str) -> None:
    """Remove everything under ``path``, whatever modes the code left (we own every entry)."""
    for entry in os.scandir(path):
        full = entry.path
        if entry.is_dir(follow_symlinks=False):
            os.chmod(full, stat.S_IRWXU)
            _wipe(full)
            os.rmdir(full)
        else:
            os.unlink(full)


def _prepare(root: str) -> None:
    os.chmod(root, stat.S_IRWXU)
    _wipe(root)
    for name in ("work", "tmp"):
        os.mkdir(os.path.join(root, name), stat.S_IRWXU)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def _drop_privileges() -> None:
    """Drop every capability for good; failures mean there was nothing to drop."""
    _prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL)
    for cap in range(64):
        _prctl(_PR_CAPBSET_DROP, cap)
    _prctl(_PR_SET_SECUREBITS, _SECURE_BITS)
    _prctl(_PR_SET_NO_NEW_PRIVS, 1)
    header = _CapHeader(_CAP_VERSION_3, 0)
    data = (_CapData * 2)()
    _LIBC.capset(ctypes.byref(header), ctypes.byref(data))


def _set_limits(limits: dict[str, int]) -> None:
    for name, value in limits.items():
        which = _LIMITS[name]
        hard = value + 1 if which == resource.RLIMIT_CPU else value
        resource.setrlimit(which, (value, hard))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _report(note_fd: int, exc: BaseException) -> None:
    note = {"exc": type(exc).__name__, "errno": getattr(exc, "errno", None)}
    with contextlib.suppress(OSError):
        os.write(note_fd, json.dumps(note).encode())


def _exit_code(exc: SystemExit) -> int:
    code = exc.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _worker(request: dict[str, Any], out_fd: int, err_fd: int, note_fd: int) -> None:
    """The forked child: isolate itself further, then run the code. Never returns."""
    os.setsid()
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    os.dup2(out_fd, 1)
    os.dup2(err_fd, 2)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.closerange(3, note_fd)
    os.closerange(note_fd + 1, 1 << 16)
    os.set_inheritable(note_fd, False)
    work = request["work"]
    os.chdir(work)
    _set_limits(request["limits"])
    _drop_privileges()
    _prctl(_PR_SET_DUMPABLE, 1)
    sys.stdin = io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8")
    sys.stdout = io.TextIOWrapper(
        io.FileIO(1, "w", closefd=False), encoding="utf-8", errors="backslashreplace"
    )
    sys.stderr = io.TextIOWrapper(
        io.FileIO(2, "w", closefd=False),
        encoding="utf-8",
        errors="backslashreplace",
        line_buffering=True,
    )
    sys.argv = ["<sandbox>"]
    main = types.ModuleType("__main__")
    main.__dict__["__builtins__"] = builtins
    sys.modules["__main__"] = main
    status = 0
    try:
        exec(compile(request["code"], "<sandbox>", "exec"), main.__dict__)
    except SystemExit as exc:
        status = _exit_code(exc)
    except BaseException as exc:
        _report(note_fd, exc)
        # Print the traceback as python does, without the zygote's own frame.
        frames = exc.__traceback__.tb_next if exc.__traceback__ else None
        traceback.print_exception(type(exc), exc, frames)
        status = 1
    try:
        for thread in threading.enumerate():
            if thread is not threading.main_thread() and not thread.daemon:
                thread.join()
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException as exc:
        _report(note_fd, exc)
        status = status or 1
    os._exit(status)


def _run(
    channel: _Channel, request: dict[str, Any], fds: list[int], config: dict[str, Any]
) -> dict[str, Any]:
    if len(fds) != 2:
        for fd in fds:
            os.close(fd)
        return {"error": "a run needs the stdout and stderr pipes"}
    out_fd, err_fd = fds
    root = config["root"]
    _prepare(root)
    request["work"] = os.path.join(root, "work")
    note_read, note_write = os.pipe()
    # The zygote's objects go to the permanent generation: a worker's first collection would
    # otherwise touch (and so copy) every page it shares with the zygote.
    gc.freeze()
    pid = os.fork()
    if pid == 0:
        try:
            _worker(request, out_fd, err_fd, note_write)
        finally:
            os._exit(70)
    for fd in (out_fd, err_fd, note_write):
        os.close(fd)
    reaper = _Reaper(pid)
    exited = os.pidfd_open(pid)
    stay = True
    try:
        while reaper.status is None:
            ready, _, _ = select.select([channel.sock.fileno(), exited], [], [])
            if channel.sock.fileno() in ready:
                message, extra = channel.recv()
                for fd in extra:
                    os.close(fd)
                if message is None:
                    stay = False
                    break
                if message.get("op") == "kill":
                    break
            if exited in ready:
                reaper.reap()
    finally:
        os.close(exited)
    clean = _kill_everything(config["pid_namespace"], reaper)
    with os.fdopen(note_read, "rb") as notes:
        note = notes.read(4096)
    try:
        _prepare(root)
    except OSError:
        clean = False
    return {
        "status": reaper.status,
        "cpu_s": reaper.cpu_s,
        "note": json.loads(note) if note else None,
        "clean": clean,
        "stay": stay,
    }


def main() -> None:
    config = json.loads(sys.argv[1])
    _prctl(_PR_SET_DUMPABLE, 0)
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if not config["pid_namespace"]:
        # Orphans of a run come back to us, so we can find and kill them.
        _prctl(_PR_SET_CHILD_SUBREAPER, 1)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    channel = _Channel(socket.socket(fileno=config["fd"]))
    _prepare(config["root"])
    channel.send({"ready": True})
    while True:
        message, fds = channel.recv()
        if message is None or message.get("op") == "exit":
            break
        if message.get("op") != "run":
            for fd in fds:
                os.close(fd)
            continue
        result = _run(channel, message, fds, config)
        if not result.pop("stay", True):
            break
        channel.send(result)
    _kill_everything(config["pid_namespace"], _Reaper(-1))


if __name__ == "__main__":
    main()

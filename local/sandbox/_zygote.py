"""The host side of one zygote: start it inside the isolation, hand it runs, kill it.

A zygote serves one run at a time (the sandbox keeps a pool), so everything it can see during a
run belongs to that run, and "kill all but me" is exactly "kill the run". The host streams the
run's stdout and stderr itself (the zygote only receives the pipes' write ends), enforces the
wall clock, and on a timeout or a cancellation asks the zygote to kill the run. A zygote that
does not answer within a grace period, that reports leftovers it could not kill, or whose
cgroup still holds strangers after a run is killed whole (its process group, its cgroup, and at
the namespace levels its PID namespace with it) and never reused.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codesteer.errors import SandboxError
from codesteer.local.sandbox._cgroup import PidsCgroup
from codesteer.local.sandbox._launch import plan_launch
from codesteer.local.sandbox._output import CappedStream
from codesteer.local.sandbox._types import IsolationLevel, Limits, SandboxResult, SandboxStatus

__all__ = ["CancelToken", "Zygote"]

_SOURCE = (Path(__file__).with_name("_zygote_main.py")).read_text()
_START_TIMEOUT_S = 20.0
_GRACE_S = 2.0
_READ_SIZE = 1 << 16
_EFBIG, _EMFILE, _EAGAIN = 27, 24, 11
# Processes the zygote adds to its cgroup's count: the launcher and the zygote itself.
_INFRA_PIDS = 3
_LIVE: weakref.WeakSet[Zygote] = weakref.WeakSet()
_SPAWNER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sandbox-spawner")


class CancelToken:
    """Set from any thread to stop a run; the run's loop watches ``fileno()``."""

    def __init__(self) -> None:
        self._read, self._write = os.pipe()
        self._lock = threading.Lock()
        self._set = False
        self._closed = False

    def fileno(self) -> int:
        return self._read

    def set(self) -> None:
        with self._lock:
            if not self._set and not self._closed:
                self._set = True
                os.write(self._write, b"x")

    @property
    def is_set(self) -> bool:
        return self._set

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                os.close(self._read)
                os.close(self._write)


class _Channel:
    """Length-prefixed JSON frames; the zygote's side is in ``_zygote_main``."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._buffer = bytearray()

    def send(self, message: dict[str, Any], fds: list[int] | None = None) -> None:
        data = json.dumps(message).encode()
        frame = struct.pack(">I", len(data)) + data
        sent = socket.send_fds(self.sock, [frame], fds) if fds else self.sock.send(frame)
        self.sock.sendall(frame[sent:])

    def pending(self) -> dict[str, Any] | None:
        """A whole frame already read, if any."""
        if len(self._buffer) < 4:
            return None
        (size,) = struct.unpack(">I", self._buffer[:4])
        if len(self._buffer) < 4 + size:
            return None
        message: dict[str, Any] = json.loads(bytes(self._buffer[4 : 4 + size]))
        del self._buffer[: 4 + size]
        return message

    def read_some(self) -> bool:
        """Read what is there; False at EOF."""
        data = self.sock.recv(_READ_SIZE)
        self._buffer += data
        return bool(data)

    def recv(self, timeout_s: float) -> dict[str, Any] | None:
        deadline = time.monotonic() + timeout_s
        while (message := self.pending()) is None:
            self.sock.settimeout(max(deadline - time.monotonic(), 0.001))
            try:
                if not self.read_some():
                    return None
            except TimeoutError:
                return None
            finally:
                self.sock.settimeout(None)
        return message


@dataclass
class _Outcome:
    answer: dict[str, Any] | None
    reason: SandboxStatus | None
    wall_s: float


class Zygote:
    """One warm interpreter at ``level``; ``run`` is not reentrant (the pool ensures it)."""

    def __init__(
        self, level: IsolationLevel, limits: Limits, cgroup_base: Path | None, nproc: int | None
    ) -> None:
        self.level = level
        self.healthy = True
        self._closed = False
        self._nproc = nproc
        self._host_dir = Path(tempfile.mkdtemp(prefix="codesteer-sandbox-"))
        self._cgroup = (
            PidsCgroup(cgroup_base, limits.processes + _INFRA_PIDS) if cgroup_base else None
        )
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self._channel = _Channel(ours)
        # Closed in close(): the zygote's diagnostics, read only if it fails to start.
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115
        try:
            plan = plan_launch(level, limits, self._host_dir, [sys.executable, "-I", "-c", _SOURCE])
            config = {"fd": theirs.fileno(), "root": plan.root, "pid_namespace": plan.pid_namespace}
            argv = [*plan.argv, json.dumps(config)]
            if self._cgroup is not None:
                # The launcher joins the group before exec, so nothing it starts is outside it.
                argv = [
                    "/bin/sh",
                    "-c",
                    'echo $$ > "$0" && exec "$@"',
                    self._cgroup.procs_file,
                    *argv,
                ]
            # Started from one long-lived thread: the parent-death signal (bwrap's
            # --die-with-parent, the zygote's own) fires when the *thread* that forked exits.
            self._process = _SPAWNER.submit(
                subprocess.Popen,
                argv,
                env=plan.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=self._stderr,
                pass_fds=[theirs.fileno()],
                start_new_session=True,
            ).result()
        except BaseException:
            ours.close()
            self._cleanup_files()
            raise
        finally:
            theirs.close()
        _LIVE.add(self)
        ready = self._channel.recv(_START_TIMEOUT_S)
        if not ready or not ready.get("ready"):
            self._kill_hard()
            detail = self._startup_error()
            self._closed = True
            _LIVE.discard(self)
            if self._cgroup is not None:
                self._cgroup.remove()
            self._cleanup_files()
            raise SandboxError(f"the {level.value} sandbox did not start: {detail}")
        self._infra = frozenset(self._cgroup.pids()) if self._cgroup else frozenset()

    def _startup_error(self) -> str:
        self._stderr.seek(0)
        lines = self._stderr.read().decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else f"exit code {self._process.poll()}"

    def run(
        self, code: str, limits: Limits, timeout_s: float, cancel: CancelToken
    ) -> SandboxResult:
        refusals = self._cgroup.refusals() if self._cgroup else 0
        out, err = CappedStream(limits.output_bytes), CappedStream(limits.output_bytes)
        request = {"op": "run", "code": code, "limits": self._rlimits(limits)}
        outcome = self._exchange(request, out, err, timeout_s, cancel)
        if self._cgroup is not None and self.healthy:
            strangers = self._cgroup.pids() - self._infra
            if strangers:
                self._cgroup.kill(self._infra)
                self.healthy = False
        if self._cgroup is not None:
            refusals = self._cgroup.refusals() - refusals
        return self._result(outcome, out, err, limits, refusals)

    def _rlimits(self, limits: Limits) -> dict[str, int]:
        values = {
            "cpu_s": max(int(limits.cpu_s), 1),
            "memory": limits.memory_mb << 20,
            "file_size": limits.file_size_mb << 20,
            "open_files": limits.open_files,
        }
        if self._nproc is not None:
            values["nproc"] = self._nproc
        return values

    def _exchange(
        self,
        request: dict[str, Any],
        out: CappedStream,
        err: CappedStream,
        timeout_s: float,
        cancel: CancelToken,
    ) -> _Outcome:
        out_read, out_write = os.pipe()
        err_read, err_write = os.pipe()
        start = time.monotonic()
        try:
            self._channel.send(request, [out_write, err_write])
        except OSError as exc:
            for fd in (out_read, err_read):
                os.close(fd)
            self._kill_hard()
            raise SandboxError(f"the sandbox's supervisor is gone: {exc}") from exc
        finally:
            os.close(out_write)
            os.close(err_write)
        selector = selectors.DefaultSelector()
        streams = {out_read: out, err_read: err}
        for fd in streams:
            selector.register(fd, selectors.EVENT_READ)
        selector.register(self._channel.sock, selectors.EVENT_READ)
        selector.register(cancel.fileno(), selectors.EVENT_READ)
        deadline = start + timeout_s
        answer: dict[str, Any] | None = None
        reason: SandboxStatus | None = None
        give_up: float | None = None
        wall = 0.0
        try:
            while answer is None or streams:
                now = time.monotonic()
                if answer is None and reason is None and now >= deadline:
                    reason = self._ask_kill("timeout")
                    give_up = now + _GRACE_S
                if answer is not None and give_up is None:
                    # The zygote killed everything before answering: EOF is due at once.
                    give_up = now + _GRACE_S
                if give_up is not None and now >= give_up:
                    self._kill_hard()
                    break
                wake = give_up if give_up is not None else deadline
                for key, _ in selector.select(max(wake - now, 0.0)):
                    fd = key.fd
                    if fd in streams:
                        data = os.read(fd, _READ_SIZE)
                        if data:
                            streams[fd].feed(data)
                        else:
                            selector.unregister(fd)
                            del streams[fd]
                    elif fd == cancel.fileno():
                        selector.unregister(fd)
                        if answer is None and reason is None:
                            reason = self._ask_kill("cancelled")
                            give_up = time.monotonic() + _GRACE_S
                        elif answer is None:
                            reason = "cancelled"
                    elif answer is None:
                        if not self._channel.read_some():
                            err.feed(b"\n[sandbox: the supervisor process died]\n")
                            self._kill_hard()
                            give_up = time.monotonic()
                            selector.unregister(fd)
                            continue
                        answer = self._channel.pending()
                        if answer is not None:
                            wall = time.monotonic() - start
                            selector.unregister(fd)
        finally:
            selector.close()
            os.close(out_read)
            os.close(err_read)
        if answer is None:
            wall = time.monotonic() - start
            self.healthy = False
        elif not answer.get("clean", False) or "error" in answer:
            self.healthy = False
        return _Outcome(answer, reason, wall)

    def _ask_kill(self, reason: SandboxStatus) -> SandboxStatus:
        try:
            self._channel.send({"op": "kill"})
        except OSError:
            self._kill_hard()
        return reason

    def _result(
        self,
        outcome: _Outcome,
        out: CappedStream,
        err: CappedStream,
        limits: Limits,
        refusals: int,
    ) -> SandboxResult:
        answer = outcome.answer or {}
        raw = answer.get("status")
        exit_code = os.waitstatus_to_exitcode(raw) if isinstance(raw, int) else None
        note = answer.get("note") or {}
        hit: list[str] = []
        if outcome.reason == "timeout":
            hit.append("timeout")
        cpu_s = float(answer.get("cpu_s", 0.0))
        if exit_code is not None and exit_code < 0:
            signum = -exit_code
            if signum == signal.SIGXCPU or (
                signum == signal.SIGKILL and cpu_s >= limits.cpu_s - 0.05
            ):
                hit.append("cpu")
            if signum == signal.SIGXFSZ:
                hit.append("file_size")
        exc, errno = note.get("exc"), note.get("errno")
        if exc == "MemoryError":
            hit.append("memory")
        elif errno == _EFBIG and "file_size" not in hit:
            hit.append("file_size")
        elif errno == _EMFILE:
            hit.append("open_files")
        if refusals > 0 or (exc == "BlockingIOError" and errno == _EAGAIN):
            hit.append("processes")
        if out.truncated or err.truncated:
            hit.append("output")
        status: SandboxStatus
        if outcome.reason is not None:
            status = outcome.reason
        elif exit_code is None or exit_code < 0:
            status = "killed"
        else:
            status = "ok" if exit_code == 0 else "error"
        return SandboxResult(
            status=status,
            exit_code=exit_code,
            stdout=out.text(),
            stderr=err.text(),
            truncated=out.truncated or err.truncated,
            limits_hit=tuple(hit),
            wall_s=outcome.wall_s,
            level=self.level,
        )

    def _kill_hard(self) -> None:
        """Kill the zygote and all it started, without its help."""
        self.healthy = False
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._process.pid, signal.SIGKILL)
        if self._cgroup is not None:
            self._cgroup.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=_GRACE_S)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        _LIVE.discard(self)
        try:
            if self.healthy:
                with contextlib.suppress(OSError):
                    self._channel.send({"op": "exit"})
                self._channel.sock.close()
                try:
                    self._process.wait(timeout=_GRACE_S)
                except subprocess.TimeoutExpired:
                    self._kill_hard()
            else:
                self._channel.sock.close()
                self._kill_hard()
        finally:
            if self._cgroup is not None:
                self._cgroup.remove()
            self._cleanup_files()

    def _cleanup_files(self) -> None:
        self._stderr.close()
        shutil.rmtree(self._host_dir, ignore_errors=True)


@atexit.register
def _close_forgotten() -> None:
    """Zygotes die with this process anyway; this also removes their cgroups and files."""
    for zygote in list(_LIVE):
        with contextlib.suppress(Exception):
            zygote.close()

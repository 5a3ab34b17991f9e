"""``Sandbox``: run generated Python code, isolated, limited, fast.

Every run gets, whatever the level: a fresh work dir (HOME and cwd, TMPDIR beside it), ``python
-I``, an environment built from nothing (no API keys; one BLAS thread), rlimits set inside the
child before the code (CPU, address space, file size, open files, no core, and processes where
``RLIMIT_NPROC`` counts), no capabilities, no stdin, stdout and stderr streamed under a cap, a
wall clock that kills the whole process tree, and nothing left behind (processes or files)
when it ends. The level adds OS isolation on top (see ``_launch`` and the guarantee table in
``_guarantees``); ``probe()`` finds the best one and says why the others are missing.

Speed: a cold interpreter costs ~125 ms, so the sandbox keeps warm ones ("zygotes"), started
inside the isolation, that fork a fresh worker per run (see ``_zygote_main``). A zygote serves
one run at a time; concurrent runs take more zygotes from a small pool, so runs never share a
work dir, a PID namespace or a process cap. The pool only keeps zygotes that came back clean.

Thread-safe: ``run`` may be called from many threads at once. ``arun`` runs in a thread of its
own, so it never blocks the event loop; cancelling it kills the run's process tree before the
``CancelledError`` propagates.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import threading
from types import TracebackType

from codesteer.errors import SandboxError, SandboxUnavailableError
from codesteer.local.sandbox._cgroup import pids_cgroup_base
from codesteer.local.sandbox._probe import probe
from codesteer.local.sandbox._types import IsolationLevel, Limits, SandboxResult
from codesteer.local.sandbox._zygote import CancelToken, Zygote

__all__ = ["Sandbox"]

_MAX_IDLE = 4
# RLIMIT_NPROC inside a fresh user namespace also counts the launcher and the zygote.
_NPROC_OVERHEAD = 3
_CANCEL_WAIT_S = 10.0


class Sandbox:
    """Runs code at one isolation level (the best available unless ``level`` is given).

    ``warm=True`` starts a zygote in the background at once and keeps zygotes between runs
    (a run then costs a fork, not an interpreter start); ``warm=False`` starts a fresh one per
    run and discards it. Raises :class:`SandboxUnavailableError` for a level this machine lacks.
    """

    def __init__(
        self,
        limits: Limits | None = None,
        level: IsolationLevel | None = None,
        *,
        warm: bool = True,
    ) -> None:
        found = probe()
        if level is None:
            level = found.best
        elif not found.available(level):
            raise SandboxUnavailableError(
                f"isolation level {level.value!r} is not available here: "
                f"{found.report(level).reason}"
            )
        self._limits = limits or Limits()
        self._level = level
        self._warm = warm
        self._cgroup_base = pids_cgroup_base()[0] if found.guard_for(level) else None
        self._nproc = (
            self._limits.processes + _NPROC_OVERHEAD
            if self._cgroup_base is None and found.guard_for(level)
            else None
        )
        self._lock = threading.Lock()
        self._idle: list[Zygote] = []
        self._busy: set[Zygote] = set()
        self._closed = False
        self._prestarting: threading.Thread | None = None
        if warm:
            self._prestarting = threading.Thread(
                target=self._prestart, name="sandbox-prestart", daemon=True
            )
            self._prestarting.start()

    @property
    def level(self) -> IsolationLevel:
        return self._level

    @property
    def limits(self) -> Limits:
        return self._limits

    def run(self, code: str, *, timeout_s: float | None = None) -> SandboxResult:
        """Run ``code``; the result says how it ended. Raises :class:`SandboxError` only when
        the sandbox itself fails."""
        cancel = CancelToken()
        try:
            return self._execute(code, timeout_s, cancel)
        finally:
            cancel.close()

    async def arun(self, code: str, *, timeout_s: float | None = None) -> SandboxResult:
        """``run`` without blocking the loop. Cancelling the awaiting task kills the run (and
        everything it started), waits until it is dead, then raises ``CancelledError``."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[SandboxResult] = loop.create_future()
        cancel = CancelToken()

        def deliver(outcome: SandboxResult | BaseException) -> None:
            if future.done():
                return
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)

        def work() -> None:
            outcome: SandboxResult | BaseException
            try:
                outcome = self._execute(code, timeout_s, cancel)
            except BaseException as exc:
                outcome = exc
            finally:
                cancel.close()
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits
                loop.call_soon_threadsafe(deliver, outcome)

        threading.Thread(target=work, name="sandbox-run", daemon=True).start()
        try:
            return await asyncio.shield(future)
        except asyncio.CancelledError:
            cancel.set()
            await asyncio.wait({future}, timeout=_CANCEL_WAIT_S)
            if future.done() and not future.cancelled():
                future.exception()  # retrieved: the cancellation is what the caller sees
            raise

    def _execute(self, code: str, timeout_s: float | None, cancel: CancelToken) -> SandboxResult:
        timeout = self._limits.timeout_s if timeout_s is None else timeout_s
        if not math.isfinite(timeout) or timeout <= 0:
            raise ValueError(f"timeout_s must be a positive number, got {timeout}")
        zygote = self._acquire()
        try:
            return zygote.run(code, self._limits, timeout, cancel)
        finally:
            self._release(zygote)

    def _start(self) -> Zygote:
        return Zygote(self._level, self._limits, self._cgroup_base, self._nproc)

    def _prestart(self) -> None:
        try:
            zygote = self._start()
        except SandboxError:
            return  # the first run starts one again and reports the error
        with self._lock:
            if not self._closed and len(self._idle) < _MAX_IDLE:
                self._idle.append(zygote)
                return
        zygote.close()

    def _acquire(self) -> Zygote:
        prestarting = self._prestarting
        if prestarting is not None:
            # The first run waits for the zygote already starting rather than start a second.
            prestarting.join()
        with self._lock:
            if self._closed:
                raise SandboxError("the sandbox is closed")
            zygote = self._idle.pop() if self._idle else None
        if zygote is None:
            zygote = self._start()
        with self._lock:
            self._busy.add(zygote)
        return zygote

    def _release(self, zygote: Zygote) -> None:
        with self._lock:
            self._busy.discard(zygote)
            keep = (
                self._warm and zygote.healthy and not self._closed and len(self._idle) < _MAX_IDLE
            )
            if keep:
                self._idle.append(zygote)
        if not keep:
            zygote.close()

    def close(self) -> None:
        """Stop the warm zygotes. Runs in flight finish; their zygotes are then discarded."""
        with self._lock:
            self._closed = True
        if self._prestarting is not None:
            # A zygote still starting would otherwise outlive close(), and with it its work area.
            self._prestarting.join()
        with self._lock:
            idle, self._idle = self._idle, []
        for zygote in idle:
            zygote.close()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    async def __aenter__(self) -> Sandbox:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.close)

"""Output capped while it streams: the head and the tail are kept, the middle is dropped.

Memory stays bounded however much the code prints (an endless ``print`` loop costs the host a
pipe read per 64 KiB, nothing more), and the reader sees how the output began and how it ended,
which is where a traceback is.
"""

from __future__ import annotations

__all__ = ["CappedStream"]


class CappedStream:
    """Bytes fed in, at most ``limit`` kept: the first half and the latest half."""

    def __init__(self, limit: int) -> None:
        self._head_cap = max(limit, 0) // 2
        self._tail_cap = max(limit, 0) - self._head_cap
        self._head = bytearray()
        self._tail = bytearray()
        self.dropped = 0

    def feed(self, data: bytes) -> None:
        room = self._head_cap - len(self._head)
        if room > 0:
            self._head += data[:room]
            data = data[room:]
        if not data:
            return
        self._tail += data
        excess = len(self._tail) - self._tail_cap
        if excess > 0:
            del self._tail[:excess]
            self.dropped += excess

    @property
    def truncated(self) -> bool:
        return self.dropped > 0

    def text(self) -> str:
        if not self.dropped:
            return bytes(self._head + self._tail).decode("utf-8", errors="replace")
        head = self._head.decode("utf-8", errors="replace")
        tail = self._tail.decode("utf-8", errors="replace")
        return f"{head}\n[... {self.dropped} bytes dropped ...]\n{tail}"

"""K items at a time, with one rule for giving up: what the benchmark runner and the training
data synthesis share."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

__all__ = ["ABORT_AFTER", "run_items"]

#: A run stops taking items once this many have failed and none has succeeded: a dead server
#: or a wrong model name should cost seconds, not an hour of retries.
ABORT_AFTER = 8

T = TypeVar("T")


async def run_items(
    pending: Sequence[T],
    run_one: Callable[[T], Awaitable[str | None]],
    *,
    concurrency: int,
    succeeded_before: int = 0,
) -> str | None:
    """Run ``run_one`` (which returns an item's error, or ``None``) on ``pending`` with
    ``concurrency`` workers; return why the run gave up, if it did. Cancelling cancels every
    worker (items in flight are simply not recorded)."""
    queue = deque(pending)
    failures: list[str] = []
    successes = succeeded_before
    gave_up: str | None = None

    async def worker() -> None:
        nonlocal successes, gave_up
        while queue and gave_up is None:
            error = await run_one(queue.popleft())
            if error is None:
                successes += 1
                continue
            failures.append(error)
            if not successes and len(failures) >= max(ABORT_AFTER, concurrency):
                gave_up = f"the first {len(failures)} items all failed: {failures[0]}"

    workers = [asyncio.ensure_future(worker()) for _ in range(min(concurrency, len(queue)))]
    try:
        await asyncio.gather(*workers)
    except BaseException:
        for task in workers:
            task.cancel()
        await asyncio.gather(*workers, return_exceptions=True)
        raise
    return gave_up

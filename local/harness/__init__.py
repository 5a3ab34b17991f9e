"""The evaluation harness: SymBench items through the steering runtime in any of the paper's
modes, written to a run folder as they finish, resumable after any interruption, summarised
per task the way the paper reports them.

::

    config = BenchConfig(tasks=("game24",), mode=Mode.CODESTEER, n=5)
    bench = Bench.create(Path("runs/g24"), config)
    summary = asyncio.run(bench.run())
"""

from codesteer.local.harness._config import FORMAT_VERSION, BenchConfig, Mode, SourceKind
from codesteer.local.harness._events import (
    BenchEvent,
    BenchFinished,
    BenchStarted,
    ItemFinished,
    ItemStarted,
)
from codesteer.local.harness._items import plan_items
from codesteer.local.harness._pool import ABORT_AFTER, run_items
from codesteer.local.harness._records import SampleRecord, TokenCounts
from codesteer.local.harness._rundir import RunDir, RunInfo, RunStatus
from codesteer.local.harness._runner import Bench
from codesteer.local.harness.summary import (
    RunSummary,
    TaskSummary,
    normalized_averages,
    summarize,
    summary_markdown,
)

__all__ = [
    "ABORT_AFTER",
    "FORMAT_VERSION",
    "Bench",
    "BenchConfig",
    "BenchEvent",
    "BenchFinished",
    "BenchStarted",
    "ItemFinished",
    "ItemStarted",
    "Mode",
    "RunDir",
    "RunInfo",
    "RunStatus",
    "RunSummary",
    "SampleRecord",
    "SourceKind",
    "TaskSummary",
    "TokenCounts",
    "normalized_averages",
    "plan_items",
    "run_items",
    "summarize",
    "summary_markdown",
]

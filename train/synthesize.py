"""Training-data synthesis: a teacher steering model steers the task model through generated
SymBench items with the runtime's own loop; every trajectory is recorded with its score; each
wrong one is resumed at every steering turn with sampled turns (CodeSteer's DPO scheme, see
:mod:`codesteer.train.dpo_data`). The result is a folder (:mod:`~.synthesis_folder`) holding the
trajectories, ``sft.jsonl`` and ``dpo.jsonl``, resumable after any interruption::

    config = SynthesisConfig(tasks=("game24",), n=20, seed=1_000_000, teacher="openai:gpt-4o")
    synthesis = Synthesis.create(Path("data/g24"), config)
    summary = asyncio.run(synthesis.run())
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from codesteer import __version__
from codesteer.errors import CodesteerError, UserError
from codesteer.local.backends import Backend, open_backend, parse_spec
from codesteer.local.config import Config, load_config
from codesteer.local.harness import BenchConfig, plan_items, run_items
from codesteer.local.loop import CodeSandbox, SteeringRun
from codesteer.local.protocol import PROTOCOL_VERSION
from codesteer.local.sandbox import Sandbox
from codesteer.local.session import open_sandbox
from codesteer.local.transcript import ItemRef, Transcript, transcript_to_dict
from codesteer.symbench import Item, Score, get_task
from codesteer.train.dpo_data import write_dpo
from codesteer.train.replay import ReplayDivergedError, resume_run, same_rounds
from codesteer.train.sft_data import write_sft
from codesteer.train.synthesis_config import SynthesisConfig
from codesteer.train.synthesis_data import (
    Counts,
    TrainingData,
    item_data,
    item_training_data,
    training_data,
)
from codesteer.train.synthesis_folder import (
    DPO_FILE,
    SFT_FILE,
    SUMMARY_FILE,
    ContinuationRecord,
    SynthesisFolder,
    SynthesisInfo,
    SynthesisStatus,
    TrajectoryRecord,
)
from codesteer.train.trajectories import is_correct, steering_turns

__all__ = [
    "ContinuationFinished",
    "ItemFinished",
    "ItemStarted",
    "Models",
    "Synthesis",
    "SynthesisEvent",
    "SynthesisFinished",
    "SynthesisStarted",
]


# -- events -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SynthesisStarted:
    path: Path
    total: int
    #: Items done by earlier sessions, and what they produced.
    done: int
    counts: Counts
    sandbox_level: str
    resumed: bool


@dataclass(frozen=True)
class ItemStarted:
    index: int
    task: str
    item_id: str


@dataclass(frozen=True)
class ContinuationFinished:
    """One resampled continuation of a wrong trajectory ran to its end."""

    index: int
    task: str
    turn: int
    sample: int
    #: Continuations of this item run so far, and in all.
    done: int
    planned: int
    correct: bool
    error: str | None


@dataclass(frozen=True)
class ItemFinished:
    index: int
    task: str
    item_id: str
    error: str | None
    #: This item's own counts.
    item: Counts
    #: Running totals over the whole folder.
    counts: Counts
    done: int
    total: int


@dataclass(frozen=True)
class SynthesisFinished:
    status: SynthesisStatus
    summary: dict[str, Any]


SynthesisEvent = (
    SynthesisStarted | ItemStarted | ContinuationFinished | ItemFinished | SynthesisFinished
)
EventHandler = Callable[[SynthesisEvent], None]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# -- models -----------------------------------------------------------------------------------


@dataclass
class Models:
    """The teacher, the task model and the sandbox every item shares. Pass your own (a
    scripted teacher in a test); :class:`Synthesis` closes only what it opened itself."""

    teacher: Backend
    task_model: Backend
    sandbox: CodeSandbox

    @classmethod
    def open(cls, teacher: str, task_model: str, sandbox_level: str, config: Config) -> Models:
        """Open everything, or nothing: a failure closes what was already opened."""
        opened: list[Backend] = []
        try:
            opened.append(open_backend(teacher, config))
            opened.append(open_backend(task_model, config))
            sandbox = open_sandbox(sandbox_level, config)
        except BaseException:
            for backend in opened:
                asyncio.run(backend.aclose())
            raise
        return cls(opened[0], opened[1], sandbox)

    async def aclose(self) -> None:
        if isinstance(self.sandbox, Sandbox):
            self.sandbox.close()
        await self.teacher.aclose()
        await self.task_model.aclose()


async def _drive(run: SteeringRun) -> str | None:
    """Run to the end; return why it failed, if it did. A diverged replay is a bug, not an
    item's failure: it stops the synthesis."""
    try:
        async for _ in run:
            pass
    except ReplayDivergedError:
        raise
    except Exception as exc:  # one run's failure is recorded as its error; the synthesis goes on
        return str(exc) if isinstance(exc, CodesteerError) else f"{type(exc).__name__}: {exc}"
    return None


# -- the runner -------------------------------------------------------------------------------


class Synthesis:
    """One synthesis in its folder: :meth:`create` a new one or :meth:`resume` one."""

    def __init__(
        self,
        folder: SynthesisFolder,
        models: Models,
        *,
        owns_models: bool,
        resumed: bool,
        concurrency: int | None = None,
    ) -> None:
        self.folder = folder
        self.config = folder.info.config
        self.models = models
        self.resumed = resumed
        self.concurrency = concurrency or self.config.concurrency
        self.options = self.config.steering_options()
        self._owns_models = owns_models
        self._counts = Counts()

    @classmethod
    def create(
        cls,
        path: Path,
        config: SynthesisConfig,
        app_config: Config | None = None,
        *,
        models: Models | None = None,
    ) -> Synthesis:
        """Check everything that can be wrong (config, seed, specs, items), open the models,
        then write the new folder. Bad input raises :class:`UserError` before anything is
        written."""
        app_config = app_config or load_config()
        config.validate()
        plan = BenchConfig(
            tasks=config.tasks, n=config.n, seed=config.seed, complexity=config.complexity
        )
        items = plan_items(plan)
        if models is None:
            specs = {
                "teacher": str(parse_spec(config.teacher, app_config)),
                "task_model": str(parse_spec(config.task_model, app_config)),
            }
            opened = Models.open(
                specs["teacher"], specs["task_model"], config.sandbox_level, app_config
            )
        else:
            specs = {"teacher": str(models.teacher.spec), "task_model": str(models.task_model.spec)}
            opened = models
        info = SynthesisInfo(
            config=config, started_at=_now(), codesteer_version=__version__, models=specs
        )
        try:
            folder = SynthesisFolder.create(path, info, items)
        except BaseException:
            if models is None:
                asyncio.run(opened.aclose())
            raise
        return cls(folder, opened, owns_models=models is None, resumed=False)

    @classmethod
    def resume(
        cls,
        path: Path,
        app_config: Config | None = None,
        *,
        concurrency: int | None = None,
        models: Models | None = None,
    ) -> Synthesis:
        """Reopen an interrupted (or killed) synthesis with its recorded config and models."""
        app_config = app_config or load_config()
        folder = SynthesisFolder.open(path)
        try:
            info = folder.info
            if info.protocol != PROTOCOL_VERSION:
                raise UserError(
                    f"{folder.path} holds data in {info.protocol}; this codesteer writes "
                    f"{PROTOCOL_VERSION}: start a new synthesis"
                )
            if concurrency is not None and concurrency < 1:
                raise UserError("--concurrency must be at least 1")
            opened = models or Models.open(
                info.models["teacher"],
                info.models["task_model"],
                info.config.sandbox_level,
                app_config,
            )
        except BaseException:
            folder.close()
            raise
        return cls(
            folder, opened, owns_models=models is None, resumed=True, concurrency=concurrency
        )

    # -- running -------------------------------------------------------------------------------

    @property
    def pending(self) -> list[tuple[int, Item]]:
        done = self.folder.records
        return [(i, it) for i, it in enumerate(self.folder.items) if (it.task, it.id) not in done]

    @property
    def counts(self) -> Counts:
        """Running totals over the whole folder."""
        return self._counts

    async def run(self, on_event: EventHandler | None = None) -> dict[str, Any]:
        """Synthesize every pending item, then write ``sft.jsonl``, ``dpo.jsonl`` and
        ``summary.json``; return the summary. Cancelling (Ctrl-C) leaves the folder
        ``interrupted`` and resumable, with the data of the items done so far written."""
        emit = on_event or (lambda event: None)
        info = self.folder.info
        session: dict[str, Any] = {
            "started_at": _now(),
            "done_before": len(self.folder.records),
            "concurrency": self.concurrency,
        }
        info.sessions.append(session)
        info.status = "running"
        status: SynthesisStatus = "failed"
        summary: dict[str, Any] = {}
        try:
            info.sandbox_level = self.models.sandbox.level.value
            self.folder.write_info()
            self._counts = self._data().total
            emit(
                SynthesisStarted(
                    self.folder.path,
                    total=len(self.folder.items),
                    done=len(self.folder.records),
                    counts=self._counts,
                    sandbox_level=info.sandbox_level,
                    resumed=self.resumed,
                )
            )
            info.error = await self._run_all(self.pending, emit)
            status = "failed" if info.error else ("complete" if not self.pending else "interrupted")
        except (asyncio.CancelledError, KeyboardInterrupt):
            status = "interrupted"
            raise
        except Exception as exc:  # recorded, then raised: a diverged replay or a full disk, say
            info.error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            try:
                summary = self._finish(status, session)
            finally:
                await self._close()
        emit(SynthesisFinished(status, summary))
        return summary

    async def _close(self) -> None:
        if self._owns_models:
            await self.models.aclose()
        self.folder.close()

    def _data(self) -> TrainingData:
        return training_data(
            self.folder.items,
            self.folder.records,
            per_item=self.config.sft_per_item,
            where=str(self.folder.path / "trajectories.jsonl"),
        )

    def _finish(self, status: SynthesisStatus, session: dict[str, Any]) -> dict[str, Any]:
        info = self.folder.info
        data = self._data()
        write_sft(self.folder.path / SFT_FILE, data.sft)
        write_dpo(self.folder.path / DPO_FILE, data.pairs)
        summary = {
            "status": status,
            "folder": str(self.folder.path),
            "files": {"sft": SFT_FILE, "dpo": DPO_FILE},
            **data.summary(),
        }
        self.folder.write_json(SUMMARY_FILE, summary)
        info.status = status
        info.ended_at = session["ended_at"] = _now()
        session["status"] = status
        session["done_after"] = len(self.folder.records)
        self.folder.write_info()
        return summary

    async def _run_all(self, pending: list[tuple[int, Item]], emit: EventHandler) -> str | None:
        """Run ``pending`` with K workers; return why the synthesis gave up, if it did."""
        total = len(self.folder.items)

        async def run_one(job: tuple[int, Item]) -> str | None:
            index, item = job
            emit(ItemStarted(index, item.task, item.id))
            record = await self._synthesize(index, item, emit)
            self.folder.append(record)
            _, _, counts = item_training_data(item_data(record), per_item=self.config.sft_per_item)
            self._counts += counts
            emit(
                ItemFinished(
                    index,
                    item.task,
                    item.id,
                    record.error,
                    item=counts,
                    counts=self._counts,
                    done=len(self.folder.records),
                    total=total,
                )
            )
            return record.error

        succeeded = sum(1 for r in self.folder.records.values() if r.error is None)
        return await run_items(
            pending, run_one, concurrency=self.concurrency, succeeded_before=succeeded
        )

    async def _synthesize(self, index: int, item: Item, emit: EventHandler) -> TrajectoryRecord:
        """The teacher's trajectory of one item and, when it ends wrong, its continuations."""
        task = get_task(item.task)

        def grade(text: str) -> Score:
            return task.score(text, item)

        run = SteeringRun(
            item.question,
            task_model=self.models.task_model,
            steerer=self.models.teacher,
            sandbox=self.models.sandbox,
            options=self.options,
            grade=grade,
            item=ItemRef(item.task, item.id, item.source),
        )
        error = await _drive(run)
        original = run.transcript
        record = TrajectoryRecord(
            index=index,
            task=item.task,
            item_id=item.id,
            transcript=transcript_to_dict(original),
            error=error,
        )
        if error is not None or is_correct(original) or not self.config.dpo_samples:
            return record
        turns = len(steering_turns(original))
        planned = turns * self.config.dpo_samples
        for turn in range(turns):
            for sample in range(self.config.dpo_samples):
                entry = await self._continue(original, item, turn, sample, grade)
                record.continuations.append(entry)
                resumed = entry.continuation(original, f"{item.task}/{item.id}")
                emit(
                    ContinuationFinished(
                        index,
                        item.task,
                        turn,
                        sample,
                        len(record.continuations),
                        planned,
                        correct=resumed is not None and is_correct(resumed.transcript),
                        error=entry.error,
                    )
                )
        return record

    async def _continue(
        self,
        original: Transcript,
        item: Item,
        turn: int,
        sample: int,
        grade: Callable[[str], Score],
    ) -> ContinuationRecord:
        """Replay ``original`` up to steering turn ``turn``, sample a new turn there with the
        teacher and finish the run."""
        options = self.config.sampling(item.id, turn, sample)
        run = resume_run(
            original,
            turn,
            steerer=self.models.teacher,
            task_model=self.models.task_model,
            sandbox=self.models.sandbox,
            steer_options=options,
            grade=grade,
        )
        error = await _drive(run)
        resumed = run.transcript
        if not same_rounds(original.rounds[:turn], resumed.rounds[:turn]):
            raise ReplayDivergedError(
                f"{item.id}: the replayed rounds before turn {turn} differ from the recorded ones"
            )
        assert options.seed is not None
        return ContinuationRecord.of(turn, sample, options.seed, resumed, error)

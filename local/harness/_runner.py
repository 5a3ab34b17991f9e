"""Runs a plan of items through the steering runtime, K at a time, recording each as it ends.

The backends and the sandbox are opened once and shared by every item: a local llama.cpp
model is one model whose conversations the backend serialises (its KV state saved and restored
per conversation), remote and Ollama backends take K requests at once.
"""

from __future__ import annotations

import asyncio
import hashlib
import platform
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from codesteer import __version__
from codesteer.errors import CodesteerError, UserError
from codesteer.local.backends import Backend, GenerationOptions, open_backend, parse_spec
from codesteer.local.config import Config, load_config
from codesteer.local.harness._config import BenchConfig, Mode
from codesteer.local.harness._events import (
    BenchEvent,
    BenchFinished,
    BenchStarted,
    ItemFinished,
    ItemStarted,
)
from codesteer.local.harness._items import plan_items
from codesteer.local.harness._pool import run_items
from codesteer.local.harness._records import SampleRecord, ScoreRecord, TokenCounts
from codesteer.local.harness._rundir import RunDir, RunInfo, RunStatus
from codesteer.local.harness.summary import RunSummary
from codesteer.local.loop import SteeringOptions, SteeringRun
from codesteer.local.sandbox import Sandbox
from codesteer.local.session import open_sandbox
from codesteer.local.transcript import ItemRef, transcript_to_dict
from codesteer.symbench import Item, Score, get_task

__all__ = ["Bench"]


#: Packages whose versions shape the results, recorded in run.json.
_PACKAGES = ("llama_cpp_python", "openai", "anthropic", "ollama", "math-verify", "sympy", "numpy")

# What a handler returns is ignored: any callable will do (Textual's post_message, say).
EventHandler = Callable[[BenchEvent], object]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "platform": platform.platform()}
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def _git_revision() -> str | None:
    """The checkout codesteer runs from, when it runs from one (a developer's install)."""
    root = Path(__file__).resolve().parents[2]
    if not (root / ".git").exists():
        return None
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}+dirty" if dirty else head


def _model_record(spec_text: str, config: Config) -> dict[str, Any]:
    spec = parse_spec(spec_text, config)
    record: dict[str, Any] = {"spec": str(spec)}
    if spec.kind == "llamacpp":
        path = Path(spec.model)
        digest = hashlib.sha256()
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
        except OSError as exc:
            raise UserError(f"cannot read model file {path}: {exc.strerror or exc}") from exc
        record.update(sha256=digest.hexdigest(), bytes=path.stat().st_size)
    return record


def _options(config: BenchConfig) -> SteeringOptions:
    task = GenerationOptions(max_tokens=config.max_tokens)
    if config.mode is Mode.CODESTEER:
        return SteeringOptions(
            rounds=config.rounds, self_check=config.self_check, task=task, stream=False
        )
    return SteeringOptions(
        rounds=0, self_check=False, fixed_method=config.mode.fixed_method, task=task, stream=False
    )


@dataclass
class _Opened:
    """The models and the sandbox every item of a run shares."""

    task_model: Backend
    steerer: Backend | None
    sandbox: Sandbox

    @classmethod
    def open(cls, config: BenchConfig, app_config: Config) -> _Opened:
        """Open everything, or nothing: a failure closes what was already opened."""
        opened: list[Backend] = []
        try:
            opened.append(open_backend(config.task_model, app_config))
            if config.mode.steered and config.steerer:
                opened.append(open_backend(config.steerer, app_config))
            sandbox = open_sandbox(config.sandbox_level, app_config)
        except BaseException:
            for backend in opened:
                asyncio.run(backend.aclose())
            raise
        return cls(opened[0], opened[1] if len(opened) > 1 else None, sandbox)

    async def aclose(self) -> None:
        self.sandbox.close()
        for backend in (self.task_model, self.steerer):
            if backend is not None:
                await backend.aclose()

    def close_now(self) -> None:
        """Close outside an event loop (a run that never started)."""
        asyncio.run(self.aclose())


class Bench:
    """One benchmark run in a run folder: :meth:`create` a new one or :meth:`resume` one."""

    def __init__(
        self,
        run_dir: RunDir,
        app_config: Config,
        opened: _Opened,
        *,
        resumed: bool,
        concurrency: int | None = None,
    ) -> None:
        self.run_dir = run_dir
        self.config = run_dir.info.config
        self.app_config = app_config
        self.resumed = resumed
        self.concurrency = concurrency or self.config.concurrency
        self.options = _options(self.config)
        self._opened = opened

    # -- construction --------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: Path,
        config: BenchConfig,
        app_config: Config | None = None,
        *,
        on_plan: Callable[[Any], object] | None = None,
    ) -> Bench:
        """Check everything that can be wrong (config, specs, model files, items), then write
        the new run folder. Bad input raises :class:`UserError` before anything is written."""
        app_config = app_config or load_config()
        config.validate()
        models = {"task": _model_record(config.task_model, app_config)}
        if config.mode.steered and config.steerer:
            models["steerer"] = _model_record(config.steerer, app_config)
        items = plan_items(config, on_task=on_plan)
        info = RunInfo(
            config=config,
            started_at=_now(),
            codesteer_version=__version__,
            versions=_versions(),
            models=models,
            git_revision=_git_revision(),
        )
        # Models and sandbox open before the folder is written: a server that is down or a
        # model that will not load leaves nothing behind.
        opened = _Opened.open(config, app_config)
        try:
            run_dir = RunDir.create(path, info, items)
        except BaseException:
            opened.close_now()
            raise
        return cls(run_dir, app_config, opened, resumed=False)

    @classmethod
    def resume(
        cls, path: Path, app_config: Config | None = None, *, concurrency: int | None = None
    ) -> Bench:
        """Reopen an interrupted (or killed) run with its recorded config. The model files must
        be the ones it started with."""
        app_config = app_config or load_config()
        run_dir = RunDir.open(path)
        try:
            for role, recorded in run_dir.info.models.items():
                if "sha256" not in recorded:
                    continue
                current = _model_record(recorded["spec"], app_config)
                if current.get("sha256") != recorded["sha256"]:
                    raise UserError(
                        f"the {role} model file changed since this run started "
                        f"({recorded['spec']}); start a new run to use it"
                    )
            opened = _Opened.open(run_dir.info.config, app_config)
        except BaseException:
            run_dir.close()
            raise
        return cls(run_dir, app_config, opened, resumed=True, concurrency=concurrency)

    # -- running -------------------------------------------------------------------------------

    @property
    def pending(self) -> list[tuple[int, Item]]:
        done = self.run_dir.samples
        return [(i, it) for i, it in enumerate(self.run_dir.items) if (it.task, it.id) not in done]

    def summary(self) -> RunSummary:
        return self.run_dir.summary()

    async def run(self, on_event: EventHandler | None = None) -> RunSummary:
        """Run every pending item; write the summary; return it. Cancelling (Ctrl-C) leaves the
        run ``interrupted`` and resumable; items in flight then are simply run again later."""
        emit = on_event or (lambda event: None)
        info = self.run_dir.info
        session: dict[str, Any] = {
            "started_at": _now(),
            "done_before": len(self.run_dir.samples),
            "concurrency": self.concurrency,
        }
        info.sessions.append(session)
        info.status = "running"
        status: RunStatus = "failed"
        try:
            info.sandbox_level = self._opened.sandbox.level.value
            session["sandbox_level"] = info.sandbox_level
            self.run_dir.write_info()
            pending = self.pending
            emit(
                BenchStarted(
                    self.run_dir.path,
                    total=len(self.run_dir.items),
                    done=len(self.run_dir.samples),
                    tasks=self.config.tasks,
                    sandbox_level=info.sandbox_level,
                    resumed=self.resumed,
                )
            )
            info.error = await self._run_all(pending, emit)
            status = self._final_status(info.error)
        except (asyncio.CancelledError, KeyboardInterrupt):
            status = "interrupted"
            raise
        except Exception as exc:  # recorded, then raised: a bug or a full disk, say
            info.error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            try:
                summary = self._finish(status, session)
            finally:
                await self._close()
        emit(BenchFinished(status, summary))
        return summary

    async def _close(self) -> None:
        await self._opened.aclose()
        self.run_dir.close()

    async def _run_all(self, pending: list[tuple[int, Item]], emit: EventHandler) -> str | None:
        """Run ``pending`` with K workers; return why the run gave up, if it did."""
        total = len(self.run_dir.items)

        async def run_one(job: tuple[int, Item]) -> str | None:
            index, item = job
            emit(ItemStarted(index, item.task, item.id))
            sample = await self._run_item(index, item)
            self.run_dir.append(sample)
            emit(
                ItemFinished(
                    sample,
                    task_score=self._task_score(item.task),
                    done=len(self.run_dir.samples),
                    total=total,
                )
            )
            return sample.error

        succeeded = sum(1 for s in self.run_dir.samples.values() if s.error is None)
        return await run_items(
            pending, run_one, concurrency=self.concurrency, succeeded_before=succeeded
        )

    def _task_score(self, task: str) -> float | None:
        values = [
            s.score.value
            for s in self.run_dir.samples.values()
            if s.task == task and s.error is None and s.score is not None
        ]
        return 100.0 * sum(values) / len(values) if values else None

    def _final_status(self, gave_up: str | None) -> RunStatus:
        samples = self.run_dir.samples.values()
        if gave_up is not None:
            return "failed"
        if samples and all(s.error is not None for s in samples):
            self.run_dir.info.error = f"every item failed: {next(iter(samples)).error}"
            return "failed"
        return "complete" if not self.pending else "interrupted"

    def _finish(self, status: RunStatus, session: dict[str, Any]) -> RunSummary:
        info = self.run_dir.info
        summary = self.summary()
        info.status = status
        info.ended_at = session["ended_at"] = _now()
        session["status"] = status
        session["done_after"] = len(self.run_dir.samples)
        info.done, info.errors = summary.done, summary.errors
        info.task_tokens = summary.task_tokens.model_dump()
        info.steerer_tokens = summary.steerer_tokens.model_dump()
        self.run_dir.write_info()
        self.run_dir.write_summary(summary)
        return summary

    async def _run_item(self, index: int, item: Item) -> SampleRecord:
        task = get_task(item.task)

        def grade(text: str) -> Score:
            return task.score(text, item)

        run = SteeringRun(
            item.question,
            task_model=self._opened.task_model,
            steerer=self._opened.steerer,
            sandbox=self._opened.sandbox,
            options=self.options,
            grade=grade,
            item=ItemRef(item.task, item.id, item.source),
        )
        started = _now()
        error: str | None = None
        try:
            async for _ in run:
                pass
        except Exception as exc:  # one item's failure is recorded as its error; the run goes on
            error = str(exc) if isinstance(exc, CodesteerError) else f"{type(exc).__name__}: {exc}"
        transcript = run.transcript
        score = transcript.score if error is None else None
        return SampleRecord(
            index=index,
            task=item.task,
            item_id=item.id,
            source=item.source,
            complexity=item.complexity,
            mode=self.config.mode.value,
            final_answer=transcript.final_answer,
            answer_source=transcript.final_source,
            score=ScoreRecord.model_validate(score) if score is not None else None,
            error=error,
            stop_reason=transcript.stop_reason,
            task_tokens=TokenCounts.of(transcript.task_usage),
            steerer_tokens=TokenCounts.of(transcript.steerer_usage),
            seconds=transcript.seconds,
            started_at=started,
            ended_at=transcript.ended_at or _now(),
            rounds=transcript_to_dict(transcript)["rounds"],
        )

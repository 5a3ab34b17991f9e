"""What a benchmark run runs: the paper's modes and one frozen config. Pure."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Literal

from codesteer.errors import UserError
from codesteer.local.protocol import Method
from codesteer.symbench.seeds import check_evaluation_seed

__all__ = ["FORMAT_VERSION", "BenchConfig", "Mode", "SourceKind"]

#: The run folder's layout version. A folder written by a newer codesteer is refused.
FORMAT_VERSION = 1

SourceKind = Literal["generated", "original", "file"]


class Mode(str, enum.Enum):
    """The paper's table columns that this runtime can reproduce."""

    #: The question alone, as the task model would see it without any help.
    ONLY_QUESTION = "only-question"
    #: Answer in text, reasoning step by step.
    ALL_TEXT = "all-text"
    #: Answer with code (reasoning first); the code runs in the sandbox.
    ALL_CODE = "all-code"
    #: The steering model picks code or text once; no review rounds.
    CODE_TEXT_CHOICE = "code-text-choice"
    #: The full loop: choice, review rounds, checks, stop decision.
    CODESTEER = "codesteer"

    @property
    def steered(self) -> bool:
        return self in (Mode.CODE_TEXT_CHOICE, Mode.CODESTEER)

    @property
    def fixed_method(self) -> Method | None:
        return {Mode.ALL_TEXT: Method.TEXT, Mode.ALL_CODE: Method.CODE}.get(self)


@dataclass(frozen=True)
class BenchConfig:
    """Everything that decides a run's items and answers. Recorded in ``run.json``; a resumed
    run uses the recorded config, so its items and settings cannot drift."""

    tasks: tuple[str, ...]
    mode: Mode = Mode.CODESTEER
    #: Items per task (per complexity level in a sweep).
    n: int = 5
    seed: int = 0
    #: One complexity level for every task; ``None``: each task's original test mix.
    complexity: int | None = None
    #: Run each task at the levels of the paper's varied-complexity figure.
    complexity_sweep: bool = False
    source: SourceKind = "generated"
    #: The original dataset folder (``original``) or item file/folder (``file``).
    source_path: str | None = None
    task_model: str = "default"
    #: The steering model; recorded as ``None`` in the modes that have none.
    steerer: str | None = "default"
    #: Review rounds of the ``codesteer`` mode.
    rounds: int = 5
    self_check: bool = True
    max_tokens: int = 1024
    sandbox_level: str = "best"
    concurrency: int = 1

    def validate(self) -> None:
        """Raise :class:`UserError` for settings that cannot make a run."""
        if not self.tasks:
            raise UserError("no tasks selected")
        if self.n < 1:
            raise UserError("--n must be at least 1")
        if self.concurrency < 1:
            raise UserError("--concurrency must be at least 1")
        if self.complexity is not None and self.complexity_sweep:
            raise UserError("give --complexity or --complexity-sweep, not both")
        if self.source == "generated" and self.source_path is not None:
            raise UserError("a PATH goes with --source original or --source file")
        if self.source != "generated" and not self.source_path:
            raise UserError(f"--source {self.source} needs a PATH")
        if self.source != "generated" and self.complexity is not None:
            raise UserError("--complexity picks generated items; original items have their own")
        if self.mode.steered and not self.steerer:
            raise UserError(f"mode {self.mode.value} needs a steering model")
        if self.max_tokens < 16:
            raise UserError("--max-tokens must be at least 16")
        if self.source == "generated":
            check_evaluation_seed(self.seed)

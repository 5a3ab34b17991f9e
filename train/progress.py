"""What a training run reports while it runs (typed events) and when it ends (:class:`TrainResult`).

The trainers call ``on_event`` with these; the CLI draws them as a progress bar. Pure data: no
torch here, so a front end can import it cheaply.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "CheckpointSaved",
    "DataPrepared",
    "EventHandler",
    "Logged",
    "StageStarted",
    "StepDone",
    "TrainEvent",
    "TrainResult",
    "TrainingStarted",
]

Kind = Literal["sft", "dpo"]


@dataclass(frozen=True)
class StageStarted:
    """A preparatory stage: ``loading model``, ``tokenizing``, ``saving adapter``..."""

    name: str


@dataclass(frozen=True)
class DataPrepared:
    used: int
    #: Examples longer than ``max_length`` tokens: left out whole, never cut.
    dropped: int
    max_length: int
    #: The longest kept example, in tokens.
    longest: int


@dataclass(frozen=True)
class TrainingStarted:
    total_steps: int
    #: Above 0 when resuming: the step of the checkpoint.
    start_step: int
    resumed_from: Path | None
    device: str
    trainable_parameters: int


@dataclass(frozen=True)
class StepDone:
    step: int
    total_steps: int


@dataclass(frozen=True)
class Logged:
    """trl's logged metrics at ``step``: ``loss``, ``learning_rate``, for DPO also
    ``rewards/margins``, ``rewards/accuracies``, ..."""

    step: int
    total_steps: int
    metrics: Mapping[str, float]


@dataclass(frozen=True)
class CheckpointSaved:
    step: int
    path: Path


TrainEvent = StageStarted | DataPrepared | TrainingStarted | StepDone | Logged | CheckpointSaved
EventHandler = Callable[[TrainEvent], None]


@dataclass(frozen=True)
class TrainResult:
    kind: Kind
    #: The final LoRA adapter (peft format) with the tokenizer and the base's chat template.
    adapter_dir: Path
    #: The run folder: ``checkpoints/``, ``adapter/``, ``train_summary.json``.
    out_dir: Path
    #: The optimizer step reached (counting steps before a resume).
    steps: int
    #: The last logged training loss (``None`` if nothing was logged).
    final_loss: float | None
    examples_used: int
    examples_dropped: int
    #: Wall time of the whole call: loading, tokenizing, training, saving.
    seconds: float
    #: Input tokens (padding excluded) per second of the training loop itself.
    tokens_per_second: float
    resumed_from_step: int | None = None
    #: ``(step, loss)`` at each logging step of this call.
    losses: tuple[tuple[int, float], ...] = ()
    #: The last logged metrics (for DPO: ``rewards/chosen``, ``rewards/margins``, ...).
    metrics: Mapping[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "adapter_dir": str(self.adapter_dir),
            "out_dir": str(self.out_dir),
            "steps": self.steps,
            "final_loss": _finite(self.final_loss),
            "examples_used": self.examples_used,
            "examples_dropped": self.examples_dropped,
            "seconds": round(self.seconds, 3),
            "tokens_per_second": round(self.tokens_per_second, 2),
            "resumed_from_step": self.resumed_from_step,
            "losses": [[step, _finite(loss)] for step, loss in self.losses],
            "metrics": {key: _finite(value) for key, value in self.metrics.items()},
        }


def _finite(value: float | None) -> float | None:
    """JSON has no NaN: a diverged loss is written as null."""
    return value if value is not None and math.isfinite(value) else None

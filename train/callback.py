"""A transformers ``TrainerCallback`` that turns the trainer's progress into our typed events
(:mod:`codesteer.train.progress`) and keeps what the result needs: losses, metrics, tokens, time.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from transformers import TrainerCallback

from codesteer.train.progress import (
    CheckpointSaved,
    EventHandler,
    Logged,
    StepDone,
    TrainingStarted,
)

__all__ = ["EventCallback"]


class EventCallback(TrainerCallback):  # type: ignore[misc]  # transformers is untyped here
    def __init__(
        self,
        emit: EventHandler,
        *,
        device: str,
        trainable_parameters: int,
        resumed_from: Path | None,
    ) -> None:
        self.emit = emit
        self.device = device
        self.trainable_parameters = trainable_parameters
        self.resumed_from = resumed_from
        self.start_step = 0
        self.start_tokens = 0
        self.losses: list[tuple[int, float]] = []
        self.metrics: dict[str, float] = {}
        self.loop_seconds: float | None = None
        self._loop_started = 0.0

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.start_step = int(state.global_step)
        self.start_tokens = int(state.num_input_tokens_seen or 0)
        self._loop_started = time.perf_counter()
        self.emit(
            TrainingStarted(
                total_steps=int(state.max_steps),
                start_step=self.start_step,
                resumed_from=self.resumed_from,
                device=self.device,
                trainable_parameters=self.trainable_parameters,
            )
        )

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.emit(StepDone(int(state.global_step), int(state.max_steps)))

    def on_log(
        self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **_: Any
    ) -> None:
        # The trainer's closing log (train_runtime, train_loss) has no "loss": not a step's.
        if not logs or "loss" not in logs:
            return
        metrics = {
            key: float(value)
            for key, value in logs.items()
            if isinstance(value, int | float) and not isinstance(value, bool)
        }
        step = int(state.global_step)
        self.losses.append((step, metrics["loss"]))
        self.metrics = metrics
        self.emit(Logged(step, int(state.max_steps), metrics))

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        step = int(state.global_step)
        self.emit(CheckpointSaved(step, Path(args.output_dir) / f"checkpoint-{step}"))

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.loop_seconds = time.perf_counter() - self._loop_started

    def tokens_seen(self, state: Any) -> int:
        """Input tokens (padding excluded) this call trained on."""
        return int(state.num_input_tokens_seen or 0) - self.start_tokens

"""What a synthesis run does, in one frozen config recorded in its folder. Pure."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from codesteer.errors import UserError
from codesteer.local.backends import GenerationOptions
from codesteer.local.loop import SteeringOptions
from codesteer.symbench.seeds import TRAINING_SEED_START, check_training_seed

__all__ = ["SynthesisConfig"]


@dataclass(frozen=True)
class SynthesisConfig:
    """A resumed synthesis uses the recorded config, so its items and settings cannot drift."""

    tasks: tuple[str, ...]
    #: Items per task.
    n: int = 10
    #: The item stream: a training seed (see :mod:`codesteer.symbench.seeds`).
    seed: int = TRAINING_SEED_START
    #: One complexity level for every task; ``None``: each task's test mix.
    complexity: int | None = None
    #: The steering model that writes the trajectories (the paper used GPT-4o).
    teacher: str = "default"
    task_model: str = "default"
    #: Review rounds after the first answer.
    rounds: int = 5
    #: Sampled steering turns per turn of a wrong trajectory (CodeSteer: 4); 0: no DPO data.
    dpo_samples: int = 4
    #: How resampled steering turns (and the rest of their runs) are drawn (CodeSteer's values).
    temperature: float = 0.95
    top_p: float = 0.7
    self_check: bool = True
    #: Longest task-model reply, and longest steering reply, in tokens.
    max_tokens: int = 1024
    steer_max_tokens: int = 256
    sandbox_level: str = "best"
    concurrency: int = 1
    #: Correct trajectories of one item kept for SFT, shortest first.
    sft_per_item: int = 1

    def validate(self) -> None:
        """Raise :class:`UserError` for settings that cannot make a synthesis."""
        if not self.tasks:
            raise UserError("no tasks selected")
        check_training_seed(self.seed)
        checks = [
            (self.n >= 1, "--n must be at least 1"),
            (self.rounds >= 0, "--rounds must be 0 or more"),
            (self.dpo_samples >= 0, "--dpo-samples must be 0 or more"),
            (0.0 < self.temperature <= 2.0, "--temperature must be in (0, 2]"),
            (0.0 < self.top_p <= 1.0, "--top-p must be in (0, 1]"),
            (self.max_tokens >= 16, "--max-tokens must be at least 16"),
            (self.steer_max_tokens >= 8, "--steer-max-tokens must be at least 8"),
            (self.concurrency >= 1, "--concurrency must be at least 1"),
            (self.sft_per_item >= 1, "--sft-per-item must be at least 1"),
        ]
        for ok, message in checks:
            if not ok:
                raise UserError(message)

    def steering_options(self) -> SteeringOptions:
        """How the teacher's own trajectories run: greedy steering, as in evaluation."""
        return SteeringOptions(
            rounds=self.rounds,
            self_check=self.self_check,
            stream=False,
            task=GenerationOptions(max_tokens=self.max_tokens),
            steer=GenerationOptions(max_tokens=self.steer_max_tokens),
        )

    def sampling(self, item_id: str, turn: int, sample: int) -> GenerationOptions:
        """The steering options of one resampled continuation: sampled, with a seed of its own
        that depends only on the config and the position, so a resumed synthesis draws the
        same samples."""
        key = f"codesteer-dpo/{self.seed}/{item_id}/{turn}/{sample}".encode()
        seed = int.from_bytes(hashlib.sha256(key).digest()[:4], "big") & 0x7FFFFFFF
        return GenerationOptions(
            max_tokens=self.steer_max_tokens,
            temperature=self.temperature,
            top_p=self.top_p,
            seed=seed,
        )

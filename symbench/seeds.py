"""The one rule that keeps training items apart from evaluation items.

SymBench items come from ``(task, seed, index)``. Evaluation runs use seeds below
:data:`TRAINING_SEED_START`; training data is synthesized from seeds at or above it. Synthesis
refuses evaluation seeds and ``codesteer bench`` refuses training seeds, so a model is never
scored on a question it was trained on. Pure: no I/O.
"""

from __future__ import annotations

from codesteer.errors import UserError

__all__ = [
    "TRAINING_SEED_START",
    "SeedRangeError",
    "check_evaluation_seed",
    "check_training_seed",
    "is_training_seed",
]

#: The first training seed; every seed below it is an evaluation seed.
TRAINING_SEED_START = 1_000_000


class SeedRangeError(UserError):
    """A seed from the other side of the training/evaluation line."""


def is_training_seed(seed: int) -> bool:
    return seed >= TRAINING_SEED_START


def check_training_seed(seed: int) -> None:
    """Raise :class:`SeedRangeError` unless ``seed`` may be used to synthesize training data."""
    if not is_training_seed(seed):
        raise SeedRangeError(
            f"seed {seed} is an evaluation seed: training data uses seeds >= "
            f"{TRAINING_SEED_START:_} (e.g. --seed {TRAINING_SEED_START}), so that no benchmark "
            "item is ever trained on"
        )


def check_evaluation_seed(seed: int) -> None:
    """Raise :class:`SeedRangeError` when ``seed`` is a training seed (for ``codesteer bench``)."""
    if is_training_seed(seed):
        raise SeedRangeError(
            f"seed {seed} is a training seed (>= {TRAINING_SEED_START:_}): its items may have "
            f"been trained on; evaluate with a seed below {TRAINING_SEED_START:_}"
        )

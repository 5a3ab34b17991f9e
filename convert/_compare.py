"""Comparisons of two models' next-token logits (pure numpy, no model code)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt

__all__ = ["LogitStats", "first_divergence", "logit_stats"]

Logits = npt.NDArray[np.floating]
_T = TypeVar("_T")


@dataclass(frozen=True)
class LogitStats:
    """Agreement of reference logits ``p`` and candidate logits ``q`` over some positions."""

    positions: int
    max_abs_diff: float
    top1_agree: int
    #: Sum over positions of KL(softmax(p) || softmax(q)), in nats.
    kl_sum: float

    def __add__(self, other: LogitStats) -> LogitStats:
        return LogitStats(
            self.positions + other.positions,
            max(self.max_abs_diff, other.max_abs_diff),
            self.top1_agree + other.top1_agree,
            self.kl_sum + other.kl_sum,
        )

    @property
    def top1_agreement(self) -> float:
        return self.top1_agree / self.positions if self.positions else 1.0

    @property
    def mean_kl(self) -> float:
        return self.kl_sum / self.positions if self.positions else 0.0


EMPTY = LogitStats(0, 0.0, 0, 0.0)


def _log_softmax(logits: Logits) -> npt.NDArray[np.float64]:
    shifted = logits.astype(np.float64) - logits.max(axis=-1, keepdims=True)
    result: npt.NDArray[np.float64] = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return result


def logit_stats(reference: Logits, candidate: Logits) -> LogitStats:
    """Compare two ``(positions, vocab)`` logit arrays row by row."""
    if reference.shape != candidate.shape:
        raise ValueError(f"logit shapes differ: {reference.shape} vs {candidate.shape}")
    if reference.shape[0] == 0:
        return EMPTY
    log_p = _log_softmax(reference)
    log_q = _log_softmax(candidate)
    kl = (np.exp(log_p) * (log_p - log_q)).sum(axis=-1)
    return LogitStats(
        positions=int(reference.shape[0]),
        max_abs_diff=float(np.abs(reference.astype(np.float64) - candidate).max()),
        top1_agree=int((reference.argmax(axis=-1) == candidate.argmax(axis=-1)).sum()),
        kl_sum=float(np.clip(kl, 0.0, None).sum()),
    )


def first_divergence(a: Sequence[_T], b: Sequence[_T]) -> int | None:
    """Index of the first position where ``a`` and ``b`` differ (one ending early counts);
    None when they are identical."""
    for index, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return index
    return None if len(a) == len(b) else min(len(a), len(b))

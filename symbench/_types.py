"""Plain data types shared by every SymBench task. Pure: no I/O."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Item", "Score", "Split"]


class Split(str, enum.Enum):
    """The paper's split: 28 tasks were seen in training, 9 were held out."""

    SEEN = "seen"
    UNSEEN = "unseen"


@dataclass(frozen=True)
class Score:
    """A verifier's verdict on one answer.

    ``value`` is in [0, 1] (1 = correct; partial credit only where the paper used it);
    ``answer`` is the answer as the verifier understood it (``None`` when nothing could be
    parsed); ``reason`` says why, in words a person can act on.
    """

    value: float
    answer: str | None
    reason: str

    @property
    def correct(self) -> bool:
        return self.value >= 1.0

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "answer": self.answer, "reason": self.reason}


@dataclass(frozen=True)
class Item:
    """One benchmark question with what its verifier needs.

    - ``question``: the full prompt, asking for the answer wrapped in ``<<<...>>>``.
    - ``answer``: a reference answer; wrapped in ``<<<...>>>`` it scores 1.
    - ``meta``: task data the verifier reads (JSON-serialisable).
    - ``complexity``: the generator level the item came from (``None`` for fixed data).
    - ``source``: ``generated:seed=S,index=I`` or ``original:<path in dataset_gather>``.
    - ``original_answer``: for original instances, the answer the original release stored,
      rendered in our answer format (``None`` where it stored none).
    - ``known_defect``: why the original's stored answer is known to be wrong, if it is.
    """

    task: str
    id: str
    question: str
    answer: str
    meta: dict[str, Any] = field(default_factory=dict)
    complexity: int | None = None
    source: str = ""
    original_answer: str | None = None
    known_defect: str | None = None

"""From a synthesis folder's records to training data and counts. Pure: no I/O."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from codesteer.local.transcript import Transcript
from codesteer.symbench import Item
from codesteer.train.dpo_data import Continuation, DpoPair, dpo_pairs
from codesteer.train.sft_data import SftExample, sft_examples
from codesteer.train.synthesis_folder import TrajectoryRecord
from codesteer.train.trajectories import is_correct

__all__ = ["Counts", "ItemData", "TrainingData", "item_data", "item_training_data", "training_data"]


@dataclass(frozen=True)
class ItemData:
    """One item's trajectories, parsed."""

    task: str
    item_id: str
    error: str | None
    original: Transcript | None
    continuations: tuple[Continuation, ...]
    #: Continuations that failed to run (a server error, say).
    failed_continuations: int


def item_data(record: TrajectoryRecord, where: str = "trajectories.jsonl") -> ItemData:
    place = f"{where} ({record.task}/{record.item_id})"
    original = record.original(place)
    continuations: list[Continuation] = []
    failed = 0
    if original is not None:
        for entry in record.continuations:
            continuation = entry.continuation(original, place)
            if continuation is None:
                failed += 1
            else:
                continuations.append(continuation)
    return ItemData(
        record.task, record.item_id, record.error, original, tuple(continuations), failed
    )


@dataclass
class Counts:
    """What a synthesis produced, for one task or in all."""

    task: str = ""
    planned: int = 0
    done: int = 0
    errors: int = 0
    #: Items whose teacher trajectory ended correct.
    correct: int = 0
    continuations: int = 0
    continuations_correct: int = 0
    continuation_errors: int = 0
    sft_examples: int = 0
    dpo_pairs: int = 0

    def __iadd__(self, other: Counts) -> Counts:
        for name in (f.name for f in dataclasses.fields(self) if f.name != "task"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        if not self.task:
            del data["task"]
        return data


@dataclass
class TrainingData:
    sft: list[SftExample] = field(default_factory=list)
    pairs: list[DpoPair] = field(default_factory=list)
    tasks: list[Counts] = field(default_factory=list)

    @property
    def total(self) -> Counts:
        total = Counts()
        for counts in self.tasks:
            total += counts
        return total

    def summary(self) -> dict[str, Any]:
        return {**self.total.to_dict(), "tasks": [counts.to_dict() for counts in self.tasks]}


def item_training_data(
    data: ItemData, *, per_item: int
) -> tuple[list[SftExample], list[DpoPair], Counts]:
    """One item's SFT examples (its correct trajectories, the teacher's and the resampled
    ones, shortest first) and DPO pairs, with its counts."""
    counts = Counts(task=data.task, done=1)
    if data.original is None:
        counts.errors = 1
        return [], [], counts
    counts.correct = int(is_correct(data.original))
    counts.continuations = len(data.continuations)
    counts.continuations_correct = sum(is_correct(c.transcript) for c in data.continuations)
    counts.continuation_errors = data.failed_continuations
    trajectories = [data.original, *(c.transcript for c in data.continuations)]
    sft = sft_examples(trajectories, per_item=per_item)
    pairs = dpo_pairs(data.original, data.continuations)
    counts.sft_examples, counts.dpo_pairs = len(sft), len(pairs)
    return sft, pairs, counts


def training_data(
    items: Sequence[Item],
    records: Mapping[tuple[str, str], TrajectoryRecord],
    *,
    per_item: int,
    where: str = "trajectories.jsonl",
) -> TrainingData:
    """All the data of a synthesis, in plan order, with counts per task (in plan order)."""
    result = TrainingData()
    by_task: dict[str, Counts] = {}
    for item in items:
        counts = by_task.setdefault(item.task, Counts(task=item.task))
        counts.planned += 1
        record = records.get((item.task, item.id))
        if record is None:
            continue
        sft, pairs, item_counts = item_training_data(item_data(record, where), per_item=per_item)
        result.sft += sft
        result.pairs += pairs
        counts += item_counts
    result.tasks = list(by_task.values())
    return result

"""DPO data, CodeSteer's way (reference section 4.4): a trajectory that ended wrong is resumed
at each of its steering turns ``k`` from the same prefix, a new turn ``k`` is sampled and the
run finished; each finished trajectory scores ``15 - t`` when correct, ``-t`` when wrong
(:func:`~codesteer.train.trajectories.trajectory_score`). A sampled turn whose trajectory
scores higher than the original is ``chosen`` against the original turn as ``rejected``.

Written in trl's conversational preference format, one JSON object per line::

    {"prompt": [system, user, assistant, ..., user_k],
     "chosen": [{"role": "assistant", ...}], "rejected": [{"role": "assistant", ...}]}

Pure, but for :func:`write_dpo`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from codesteer._files import write_lines_atomic
from codesteer.local.transcript import Transcript
from codesteer.train.trajectories import (
    ChatMessage,
    assistant_message,
    is_correct,
    steering_prompt,
    steering_turns,
    trajectory_score,
)

__all__ = ["Continuation", "DpoPair", "dpo_line", "dpo_pairs", "write_dpo"]


@dataclass(frozen=True)
class Continuation:
    """A trajectory resumed at steering turn ``turn`` (0-based) with a sampled turn, run to the
    end: ``transcript`` holds the whole of it, the replayed prefix included."""

    turn: int
    sample: int
    transcript: Transcript


@dataclass(frozen=True)
class DpoPair:
    prompt: tuple[ChatMessage, ...]
    chosen: ChatMessage
    rejected: ChatMessage
    score_chosen: int
    score_rejected: int
    turn: int


def _same_prefix(original: Transcript, resumed: Transcript, turn: int) -> bool:
    """The resumed run read what the original read up to and including turn ``turn``'s input."""
    before, after = steering_turns(original), steering_turns(resumed)
    if len(after) <= turn:
        return False
    same_inputs = all(a.input == b.input for a, b in zip(before[: turn + 1], after, strict=False))
    same_turns = all(
        assistant_message(a) == assistant_message(b)
        for a, b in zip(before[:turn], after, strict=False)
    )
    return same_inputs and same_turns


def dpo_pairs(original: Transcript, continuations: Iterable[Continuation]) -> list[DpoPair]:
    """The preference pairs of one item. Only an original that ended wrong makes pairs (as in
    CodeSteer); a continuation that failed to run (``error``) is ignored; a sampled turn that
    repeats the original turn, or a chosen turn already paired at that step, adds nothing."""
    if is_correct(original):
        return []
    original_turns = steering_turns(original)
    score_rejected = trajectory_score(original)
    pairs: list[DpoPair] = []
    for continuation in sorted(continuations, key=lambda c: (c.turn, c.sample)):
        resumed, turn = continuation.transcript, continuation.turn
        if resumed.error is not None or resumed.stop_reason in (None, "cancelled", "error"):
            continue
        if not 0 <= turn < len(original_turns):
            raise ValueError(f"turn {turn} of a trajectory with {len(original_turns)} turns")
        if not _same_prefix(original, resumed, turn):
            raise ValueError(f"a continuation from turn {turn} does not share the original prefix")
        score_chosen = trajectory_score(resumed)
        chosen = assistant_message(steering_turns(resumed)[turn])
        rejected = assistant_message(original_turns[turn])
        if score_chosen <= score_rejected or chosen == rejected:
            continue
        if any(p.turn == turn and p.chosen == chosen for p in pairs):
            continue
        prompt = tuple(steering_prompt(original, turn))
        pairs.append(DpoPair(prompt, chosen, rejected, score_chosen, score_rejected, turn))
    return pairs


def dpo_line(pair: DpoPair) -> str:
    record = {"prompt": list(pair.prompt), "chosen": [pair.chosen], "rejected": [pair.rejected]}
    return json.dumps(record, ensure_ascii=False)


def write_dpo(path: Path, pairs: Iterable[DpoPair]) -> int:
    """Write the pairs as JSONL, atomically; return how many."""
    return write_lines_atomic(Path(path), (dpo_line(pair) for pair in pairs))

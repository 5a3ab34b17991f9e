"""The JSON records of a run folder, validated with pydantic where they are read back."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from codesteer.local.backends import Usage

__all__ = ["SampleRecord", "ScoreRecord", "TokenCounts"]


class TokenCounts(BaseModel):
    model_config = ConfigDict(extra="ignore")

    prompt: int = 0
    completion: int = 0

    @classmethod
    def of(cls, usage: Usage) -> TokenCounts:
        return cls(prompt=usage.prompt_tokens, completion=usage.completion_tokens)

    @property
    def total(self) -> int:
        return self.prompt + self.completion

    def __add__(self, other: TokenCounts) -> TokenCounts:
        return TokenCounts(
            prompt=self.prompt + other.prompt, completion=self.completion + other.completion
        )


class ScoreRecord(BaseModel):
    model_config = ConfigDict(extra="ignore")

    value: float
    answer: str | None = None
    reason: str = ""


class SampleRecord(BaseModel):
    """One line of ``samples.jsonl``: one item, run to the end or failed with ``error``.

    An item that could not be run (a server that kept failing) has ``error`` set and no score:
    it counts as an error, never as a wrong answer.
    """

    model_config = ConfigDict(extra="ignore")

    #: Position in the run's plan (``items.jsonl``).
    index: int
    task: str
    item_id: str
    source: str
    complexity: int | None = None
    mode: str
    final_answer: str | None = None
    #: Where the final answer came from (``code output`` or ``reply``).
    answer_source: str | None = None
    score: ScoreRecord | None = None
    error: str | None = None
    stop_reason: str | None = None
    task_tokens: TokenCounts = TokenCounts()
    steerer_tokens: TokenCounts = TokenCounts()
    seconds: float = 0.0
    started_at: str
    ended_at: str
    #: Every round as the runtime's transcript records it.
    rounds: list[dict[str, Any]] = []

    @property
    def key(self) -> tuple[str, str]:
        return (self.task, self.item_id)

    @property
    def tokens(self) -> int:
        return self.task_tokens.total + self.steerer_tokens.total

"""The cyclic one-method-at-a-time engine shared by String Splitting and Synthesis Decomposition.

Semantics (verified on all original instances of both tasks): a pointer walks over the methods
1, 2, ..., n, 1, 2, ...; when it reaches a method that can run, that method runs exactly once;
then the pointer moves on. The process stops when no method can run. (String Synthesis, by
contrast, exhausts each method before moving on; it has its own engine.)

Also the count-list answer parser that these two tasks and String Synthesis use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from codesteer.symbench._parse import parse_int_list, strip_quotes

__all__ = ["Method", "parse_counts", "run_cyclic"]


@dataclass(frozen=True)
class Method:
    """Consume ``consumed`` (resource -> amount) and produce ``produced``."""

    consumed: tuple[tuple[str, int], ...]
    produced: tuple[tuple[str, int], ...]

    def can_run(self, state: Mapping[str, int]) -> bool:
        return all(state[name] >= amount for name, amount in self.consumed)


def run_cyclic(
    initial: Mapping[str, int], methods: Sequence[Method], max_steps: int = 10_000_000
) -> list[dict[str, int]]:
    """The state after every executed method, starting with ``initial`` (the last is final).

    Raises ``ValueError`` past ``max_steps`` executions; the tasks' method sets all strictly
    decrease a weighted resource total, so they stop long before that.
    """
    state = dict(initial)
    states = [dict(state)]
    pointer = 0
    idle = 0  # methods skipped in a row; a full round of skips means nothing can run
    while idle < len(methods):
        method = methods[pointer]
        if method.can_run(state):
            for name, amount in method.consumed:
                state[name] -= amount
            for name, amount in method.produced:
                state[name] += amount
            states.append(dict(state))
            if len(states) > max_steps:
                raise ValueError("the methods did not stop")
            idle = 0
        else:
            idle += 1
        pointer = (pointer + 1) % len(methods)
    return states


def parse_counts(text: str, n: int) -> list[int] | None:
    """A list of counts: ``1 0 2``, ``[1, 0, 2]``, ``["1", "0", "2"]``, or ``n`` digits run
    together (``102``), which can only mean ``n`` single-digit counts."""
    s = strip_quotes(text)
    run = re.fullmatch(rf"[\[\(\{{]?\s*[\"']?(\d{{{n}}})[\"']?\s*[\]\)\}}]?", s)
    if run:
        return [int(digit) for digit in run.group(1)]
    return parse_int_list(s)

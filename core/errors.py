"""The one exception hierarchy of codesteer.

Every error a user can cause (a wrong path, a corrupt file, an unknown task name) is a
:class:`UserError`: the CLI prints its message on one line and exits with code 2, no traceback.
Anything else escaping to the CLI is a bug and keeps its traceback.
"""

from __future__ import annotations

__all__ = [
    "CodesteerError",
    "DatasetError",
    "ItemFormatError",
    "UnknownTaskError",
    "UserError",
]


class CodesteerError(Exception):
    """Base class of every error raised on purpose by codesteer."""


class UserError(CodesteerError):
    """Bad input from the user: reported as one line, exit code 2."""

    exit_code = 2


class UnknownTaskError(UserError):
    """A task name that is not one of the 37 SymBench tasks (or their aliases)."""


class ItemFormatError(UserError):
    """A SymBench item file (JSONL) that cannot be read or does not hold valid items."""


class DatasetError(UserError):
    """An original SymBench instance folder that cannot be read."""

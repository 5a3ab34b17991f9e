"""The one exception hierarchy of codesteer.

Every error a user can cause (a wrong path, a corrupt file, an unknown task name, a bad model
spec, a server that is down) is a :class:`UserError`: the CLI prints its message on one line and
exits with code 2, no traceback. Anything else escaping to the CLI is a bug and keeps its
traceback.
"""

from __future__ import annotations

__all__ = [
    "BackendError",
    "BackendUnavailableError",
    "CodesteerError",
    "ConfigError",
    "DatasetError",
    "ItemFormatError",
    "ModelNotFoundError",
    "ModelSpecError",
    "SandboxError",
    "SandboxUnavailableError",
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
    """Data that cannot be read or used: an original SymBench instance folder, an item file,
    training data (SFT / DPO JSONL, imported formats)."""


class ConfigError(UserError):
    """A configuration file that cannot be read or holds values that make no sense."""


class ModelSpecError(UserError):
    """A model spec string that does not name a backend and model (``openai:gpt-4o``)."""


class ModelNotFoundError(UserError):
    """A model that the backend does not have: a missing GGUF file, an unknown Ollama tag."""


class BackendError(CodesteerError):
    """A model backend failed to answer (after its retries), for a reason other than the
    user's input: a server error that persisted, a malformed reply."""


class BackendUnavailableError(BackendError, UserError):
    """A model server that cannot be reached, or refuses our credentials: the user must start
    it, fix the address or set the key. One line, exit code 2."""


class SandboxError(CodesteerError):
    """The sandbox itself failed (not the code it ran: that is a result, not an error)."""


class SandboxUnavailableError(SandboxError, UserError):
    """An isolation level was asked for that this machine cannot provide."""

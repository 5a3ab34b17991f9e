"""Errors of the export stage: each a :class:`~codesteer.errors.UserError` (one line, exit 2),
since each names something the user can fix: a path, a file, a missing download, a template."""

from __future__ import annotations

from codesteer.errors import UserError

__all__ = ["ConversionError", "ConverterUnavailableError", "UnknownTemplateError"]


class ConverterUnavailableError(UserError):
    """llama.cpp's conversion scripts are not cached and cannot be fetched (no network, pip
    failed): the message says how to get them."""


class ConversionError(UserError):
    """A conversion or quantisation step failed on the given input (an unsupported
    architecture, a corrupt folder, a file that is not a GGUF)."""


class UnknownTemplateError(UserError):
    """A chat template that no Ollama template is known to be equivalent to."""

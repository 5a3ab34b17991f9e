"""The code sandbox: generated code runs only here."""

from codesteer.local.sandbox._types import IsolationLevel, Limits, SandboxResult, SandboxStatus

__all__ = ["IsolationLevel", "Limits", "SandboxResult", "SandboxStatus"]

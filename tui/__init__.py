"""The Textual terminal front end (the ``tui`` extra): ``codesteer tui``."""

from codesteer.tui.app import DEMO_QUESTION, CodesteerApp, binding_table
from codesteer.tui.services import Services

__all__ = ["DEMO_QUESTION", "CodesteerApp", "Services", "binding_table"]

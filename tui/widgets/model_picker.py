"""A compact picker of model specs: the config's, the ones ``codesteer models`` lists, and any
typed in the command palette. The steerer's picker also offers ``none`` (no steering)."""

from __future__ import annotations

from collections.abc import Iterable

from textual.widgets import Select

from codesteer.local.session import NO_STEERER

__all__ = ["ModelPicker"]


class ModelPicker(Select[str]):
    def __init__(self, spec: str, *, steerer: bool = False, id: str | None = None) -> None:
        self.steerer = steerer
        self._specs = self._ordered([spec])
        super().__init__(
            [(s, s) for s in self._specs], value=spec, allow_blank=False, compact=True, id=id
        )

    @property
    def spec(self) -> str:
        return str(self.value)

    def offer(self, specs: Iterable[str], *, pick: str | None = None) -> None:
        """Offer ``specs`` too; keep the current pick unless ``pick`` is given."""
        value = pick or self.spec
        self._specs = self._ordered([value, *self._specs, *specs])
        self.set_options([(s, s) for s in self._specs])
        self.value = value

    def _ordered(self, specs: list[str]) -> list[str]:
        unique = list(dict.fromkeys(s for s in specs if s))
        if self.steerer and NO_STEERER not in unique:
            unique.append(NO_STEERER)
        return unique

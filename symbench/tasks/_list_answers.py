"""Answer parsers shared by the grid and counting tasks (pooling, light puzzles, mahjong,
statistical counting, matrix transformation, pattern recognition).

They complement :mod:`codesteer.symbench._parse` where a stricter token grammar is wanted:
grid cells are plain integers, decimals or fractions (no exponents, no thousands separators,
at most 30 digits), so ``1,234`` in a grid is two cells, never one number. Every function is
total: any string in, a value or ``None`` out, never an exception.
"""

from __future__ import annotations

import re
from fractions import Fraction

from codesteer.symbench._parse import strip_quotes

__all__ = ["MAX_LIST_CHARS", "flat_tokens", "number_list", "single_int"]

#: Longest list answer considered; the largest generated grids need well under this.
MAX_LIST_CHARS = 100_000

_BRACKETS_QUOTES = re.compile(r"[\[\]\(\)\{\}\"'`“”‘’]")
_SEPARATORS = re.compile(r"[\s,;]+")
# an integer, a decimal or a fraction of integers; digits capped so Fraction() stays cheap
_EXACT_NUMBER = re.compile(r"[+-]?(?:\d{1,30}(?:\.\d{0,30})?|\.\d{1,30})(?:/[+-]?\d{1,30})?")
_SPACED_SLASH = re.compile(r"\s*/\s*")


def flat_tokens(text: str) -> list[str] | None:
    """The tokens of a list written with any brackets, quotes, commas, semicolons or newlines.

    ``"[[1, 2], [3, 4]]"``, ``"1 2\\n3 4"`` and ``"'1','2','3','4'"`` all give
    ``["1", "2", "3", "4"]``; ``None`` when nothing is left or the text is absurdly long.
    """
    if len(text) > MAX_LIST_CHARS:
        return None
    s = strip_quotes(text)
    s = _BRACKETS_QUOTES.sub(" ", s)
    tokens = [t for t in _SEPARATORS.split(s) if t]
    return tokens or None


def number_list(text: str) -> list[Fraction] | None:
    """A flat list of exact numbers (``3``, ``-2.25``, ``31/3``, ``-7 / 4``) in any list layout.

    ``None`` if any token is not such a number (words, exponents, ``nan``, a zero denominator).
    """
    if len(text) > MAX_LIST_CHARS:
        return None
    tokens = flat_tokens(_SPACED_SLASH.sub("/", text))
    if tokens is None:
        return None
    numbers: list[Fraction] = []
    for token in tokens:
        if not _EXACT_NUMBER.fullmatch(token):
            return None
        try:
            numbers.append(Fraction(token))
        except (ValueError, ZeroDivisionError):
            return None
    return numbers


_LABELLED_INT = re.compile(
    r"(?:[A-Za-z][A-Za-z ]{0,40}[:=]\s*)?([+-]?\d{1,30})(?:\.0*)?(?:\s*points?)?",
    re.IGNORECASE,
)


def single_int(text: str) -> int | None:
    """One integer, optionally labelled: ``7``, ``"7"``, ``7.0``, ``[7]``, ``Total score: 7``,
    ``x = 7``, ``7 points``. Anything holding a second number or other words gives ``None``."""
    if len(text) > 400:
        return None
    s = strip_quotes(text)
    s = s.strip("[]() \t\n").rstrip(".")
    match = _LABELLED_INT.fullmatch(s.strip())
    return int(match.group(1)) if match else None

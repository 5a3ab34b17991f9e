"""Lenient, total parsers for model answers.

Every function here accepts any string and either returns a parsed value or ``None``; none of
them raises, and none evaluates the text (no ``eval``/``exec``). Verifiers build on these so that
harmless format variations (brackets, quotes, spacing, case) are forgiven in one place.
"""

from __future__ import annotations

import ast
import json
import re
from fractions import Fraction
from typing import Any

__all__ = [
    "MAX_ANSWER_CHARS",
    "extract_answer",
    "parse_coord_pairs",
    "parse_int",
    "parse_int_list",
    "parse_literal",
    "parse_number",
    "parse_token_list",
    "strip_quotes",
]

#: Answers longer than this are rejected before any parsing (keeps verifiers fast on junk).
MAX_ANSWER_CHARS = 200_000

_WRAPPED = re.compile(r"<<<(.*?)>>>", re.DOTALL)
_QUOTES = "\"'`“”‘’"


def extract_answer(text: str) -> tuple[str, bool]:
    """Return the content of the last ``<<<...>>>`` in ``text`` and whether one was found.

    Without a wrapper the whole text (stripped) is returned, so that a bare answer typed by a
    person still scores; verifiers stay strict about what that text must contain.
    """
    text = text[:MAX_ANSWER_CHARS]
    matches = _WRAPPED.findall(text)
    if matches:
        return matches[-1].strip(), True
    return text.strip(), False


_FENCED = re.compile(r"^```[\w+-]*[ \t]*\n?(.*?)\n?```$", re.DOTALL)


def strip_quotes(text: str) -> str:
    """Strip whitespace, a Markdown code fence, one trailing period, and matching outer quotes
    or backticks."""
    s = text.strip()
    fenced = _FENCED.match(s)
    if fenced:
        s = fenced.group(1).strip()
    if len(s) > 1 and s.endswith(".") and not s.endswith(".."):
        s = s[:-1].rstrip()
    while len(s) >= 2 and s[0] in _QUOTES and s[-1] in _QUOTES:
        s = s[1:-1].strip()
    return s


_NUMBER = re.compile(
    r"""^[+-]?(
        \d{1,3}(,\d{3})+(\.\d+)?      # 1,234,567.89
      | \d+(\.\d*)?([eE][+-]?\d{1,3})?  # 12, 12.5, 1e5 (exponents capped: 1e9999999 hangs)
      | \.\d+([eE][+-]?\d{1,3})?        # .5
    )$""",
    re.VERBOSE,
)
_FRACTION = re.compile(r"^([+-]?\d+)\s*/\s*([+-]?\d+)$")
_LATEX_FRAC = re.compile(r"^([+-]?)\\[dt]?frac\{\s*(\d+)\s*\}\{\s*(\d+)\s*\}$")


def parse_number(text: str) -> Fraction | None:
    """Parse an exact number: ``12``, ``-3.5``, ``1,234``, ``1e3``, ``3/4``, ``\\frac{3}{4}``."""
    if len(text) > 400:
        return None
    s = strip_quotes(text).replace("$", "").replace("\\!", "").strip()
    # spaces only as thousands separators ("1 234 567"), so that "1, 234" stays two numbers
    s = re.sub(r"(?<=\d)[ \u2009\u202f](?=\d{3}(?!\d))", "", s)
    s = s.rstrip("%") if s.endswith("%") and len(s) > 1 else s
    if not s:
        return None
    try:
        if _NUMBER.match(s):
            return Fraction(s.replace(",", ""))
        m = _FRACTION.match(s)
        if m:
            den = int(m.group(2))
            return Fraction(int(m.group(1)), den) if den else None
        m = _LATEX_FRAC.match(s)
        if m:
            den = int(m.group(3))
            value = Fraction(int(m.group(2)), den) if den else None
            return -value if value is not None and m.group(1) == "-" else value
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    return None


def parse_int(text: str) -> int | None:
    """Parse an integer (``7``, ``-7``, ``7.0``, ``1,000``); ``None`` for anything else."""
    value = parse_number(text)
    if value is None or value.denominator != 1:
        return None
    return int(value)


_INT_TOKEN = re.compile(r"[+-]?\d+")
_LIST_JUNK = re.compile(r"[\[\]\(\)\{\}\s,;]+")


def parse_int_list(text: str) -> list[int] | None:
    """Parse a flat list of integers written with any brackets, commas, spaces or newlines.

    ``"1, 2, 3"``, ``"[1,2,3]"``, ``"1 2 3"`` and ``"[[1, 2], [3]]"`` all give ``[1, 2, 3]``.
    Text with anything else in it (words, decimals) gives ``None``: the list must be the answer.
    """
    if len(text) > MAX_ANSWER_CHARS:
        return None
    s = strip_quotes(text).replace("'", "").replace('"', "")
    tokens = [t for t in _LIST_JUNK.split(s) if t]
    if not tokens or not all(_INT_TOKEN.fullmatch(t) for t in tokens):
        return None
    try:
        return [int(t) for t in tokens]
    except ValueError:  # more digits than int() accepts
        return None


def parse_token_list(text: str) -> list[str] | None:
    """Split a list of short tokens: ``A,B,C``, ``["A", "B"]``, ``[A B C]``, ``A B C``.

    Brackets and quotes are dropped; tokens are split on commas and whitespace.
    """
    if len(text) > MAX_ANSWER_CHARS:
        return None
    s = strip_quotes(text)
    s = re.sub(r"[\[\]\(\)\{\}]", " ", s)
    s = re.sub(f"[{_QUOTES}]", " ", s)
    tokens = [t for t in re.split(r"[\s,;]+", s) if t]
    return tokens or None


def parse_coord_pairs(text: str) -> list[tuple[int, int]] | None:
    """Parse integer pairs: ``"0 1, 2 3"``, ``"(0,1), (2,3)"``, ``"[[0, 1], [2, 3]]"``."""
    numbers = parse_int_list(text)
    if numbers is None or len(numbers) % 2:
        return None
    return [(numbers[i], numbers[i + 1]) for i in range(0, len(numbers), 2)]


def parse_literal(text: str) -> Any | None:
    """Parse JSON or a Python literal (lists, tuples, numbers, strings); ``None`` on failure.

    ``ast.literal_eval`` only builds literals, it runs no code; the size cap and the caught
    ``RecursionError``/``MemoryError`` keep hostile input from crashing the verifier.
    """
    if len(text) > MAX_ANSWER_CHARS:
        return None
    s = text.strip()
    if not s:
        return None
    try:
        return json.loads(s)
    except (ValueError, RecursionError):
        pass
    try:
        return ast.literal_eval(s)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None

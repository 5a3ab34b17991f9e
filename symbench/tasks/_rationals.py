"""Exact numeric answers: parsing and comparison shared by New Operator and the MATH tasks.

An answer is read as an exact rational (``12``, ``-2.5``, ``5/2``, ``\\frac{5}{2}``, ``1e3``).
A decimal also matches a value whose decimal expansion does not terminate (``13/9``) when it
is that value rounded or truncated to at least six decimal places, or when it is within float
noise of it (``7.3999999999999995`` for ``37/5``), so that a value printed by a program passes.
"""

from __future__ import annotations

import re
from fractions import Fraction

from codesteer.symbench._parse import parse_number, strip_quotes

__all__ = ["MIN_DECIMAL_PLACES", "decimal_matches", "format_rational", "read_number"]

#: A decimal approximation of a non-terminating value needs this many places.
MIN_DECIMAL_PLACES = 6
#: Relative error tolerated for long decimals (float noise of a printed double).
FLOAT_NOISE = Fraction(1, 10**12)

_DECIMAL = re.compile(r"^[+-]?(\d[\d,]*)?\.(\d+)(?:[eE]([+-]?\d+))?$")
_WRAPPERS = re.compile(r"^\s*(?:\\boxed\s*\{(.*)\}|\[(.*)\]|\((.*)\)|\$(.*)\$)\s*$", re.DOTALL)


def format_rational(value: Fraction) -> str:
    """``7``, ``-7/3``: the canonical text of an exact answer."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator}"


def _unwrap(text: str) -> str:
    """Drop outer ``$...$``, ``\\boxed{...}``, one pair of brackets and ``x =`` prefixes."""
    s = strip_quotes(text)
    for _ in range(4):
        m = _WRAPPERS.match(s)
        if not m:
            break
        s = next(group for group in m.groups() if group is not None).strip()
    return re.sub(r"^[A-Za-z]\w*\s*=\s*", "", s)


def read_number(text: str) -> tuple[Fraction, str] | None:
    """The exact value of an answer and its cleaned text, or ``None`` if it is not a number."""
    if len(text) > 400:
        return None
    s = _unwrap(text).replace("\\!", "").replace("{,}", ",").replace(" ", "")
    value = parse_number(s)
    if value is None:
        return None
    return value, s


def _decimal_places(text: str) -> int | None:
    m = _DECIMAL.match(text)
    if not m:
        return None
    exponent = int(m.group(3)) if m.group(3) else 0
    return len(m.group(2)) - exponent


def decimal_matches(given: Fraction, text: str, expected: Fraction) -> bool:
    """Whether ``given`` (written as ``text``) is ``expected`` or an accepted approximation."""
    if given == expected:
        return True
    places = _decimal_places(text)
    if places is None or places < MIN_DECIMAL_PLACES or places > 400:
        return False
    error = abs(given - expected)
    return error < Fraction(1, 10**places) or error < FLOAT_NOISE * abs(expected)

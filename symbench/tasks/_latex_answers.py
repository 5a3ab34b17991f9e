"""Final answers of MATH-style problems: the boxed target and a symbolic equivalence check.

Used by MATH Geometry and MATH Counting & Probability. ``equivalent(gold, given)`` tries, in
order: equal text after a light normalisation (spacing, ``\\dfrac``, ``^\\circ``, ``\\%``,
``\\$``, ``\\left``/``\\right``); equal exact numbers (``\\frac{1}{2}``, ``1/2``, ``0.5``; a
decimal of a non-terminating value needs six places, see ``_rationals``); then
math-verify's symbolic comparison (``12\\sqrt{3}`` = ``\\sqrt{432}``, ``(18,-18)``,
``\\{4,5,7\\}``).

math-verify's own timeout uses ``signal.alarm``, which only works in the main thread, and
these verifiers run in worker threads; it is called with its timeouts disabled, and instead
answers that could make SymPy work for long (long text, power towers, big factorials) are
refused before parsing (``sympy_safe``).
"""

from __future__ import annotations

import logging
import math
import re
from fractions import Fraction
from functools import cache, lru_cache
from typing import Any

from codesteer.symbench.tasks._rationals import decimal_matches, read_number

__all__ = ["equivalent", "last_boxed", "normalise", "sympy_safe"]

#: Answers longer than this are not compared symbolically.
MAX_SYMBOLIC_CHARS = 200
#: Largest product of the integer exponents in one answer (bounds the size of any power).
MAX_EXPONENT_PRODUCT = 10_000
MAX_DIGITS = 40

_BOXED = re.compile(r"\\(?:boxed|fbox)\b")


def last_boxed(text: str) -> str | None:
    """The content of the last ``\\boxed{...}`` or ``\\fbox{...}`` (nested braces allowed;
    ``\\boxed 5`` without braces gives ``5``), or ``None`` if there is none."""
    starts = [m.end() for m in _BOXED.finditer(text)]
    for start in reversed(starts):
        rest = text[start:]
        stripped = rest.lstrip()
        if not stripped.startswith("{"):
            m = re.match(r"\s+([^\s$]+)", rest)
            if m:
                return m.group(1)
            continue
        depth = 0
        offset = len(rest) - len(stripped)
        for index, char in enumerate(stripped):
            if char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    return rest[offset + 1 : offset + index].strip()
    return None


_TEXT_WRAPPERS = re.compile(r"\\(?:text|textbf|mathrm|mbox)\{([^{}]*)\}")
_DROP = (
    "\\left",
    "\\right",
    "\\!",
    "\\,",
    "\\;",
    "\\:",
    "\\ ",
    "\\displaystyle",
    "^{\\circ}",
    "^\\circ",
    "°",
    "\\%",
    "%",
    "\\$",
    "$",
)


def normalise(latex: str) -> str:
    """A light textual normal form, used only to accept identical answers quickly."""
    s = latex.strip()
    s = _TEXT_WRAPPERS.sub(r"\1", s)
    s = s.replace("\\dfrac", "\\frac").replace("\\tfrac", "\\frac")
    for token in _DROP:
        s = s.replace(token, "")
    s = re.sub(r"\s+", "", s)
    return s.rstrip(".")


def _number(latex: str) -> tuple[Fraction, str] | None:
    """An exact rational written plainly (``3/4``, ``\\frac{3}{4}``, ``-0.75``, ``1,000``)."""
    s = normalise(latex)
    if s[:1] in "([{":  # a tuple or interval such as (1, 234), never a bracketed number
        return None
    s = re.sub(r"\\frac(\d)(\d)$", r"\\frac{\1}{\2}", s)
    if s.startswith(("\\frac", "-\\frac")):  # thousands separators: \frac{1}{29,322,216}
        s = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", s)
    return read_number(s)


_OPENERS = {"{": "}", "(": ")", "[": "]"}


def _exponents(text: str) -> list[str] | None:
    """The exponent of every ``^`` (a braced group, a bracketed group, or one number, letter or
    command), or ``None`` if a group is not closed or an exponent is raised again (``2^2^9``)."""
    found: list[str] = []
    for m in re.finditer(r"\^", text):
        rest = text[m.end() :].lstrip()
        if rest[:1] in _OPENERS:
            closer, depth, end = _OPENERS[rest[0]], 0, -1
            for index, char in enumerate(rest):
                depth += char == rest[0]
                depth -= char == closer
                if depth == 0:
                    end = index + 1
                    break
            if end < 0:
                return None
            exponent = rest[1 : end - 1]
        else:
            token = re.match(r"\d+|\\?[A-Za-z]+|.?", rest)
            end = token.end() if token else 0
            exponent = rest[:end]
        if rest[end:].lstrip().startswith("^"):
            return None
        found.append(exponent)
    return found


def sympy_safe(text: str) -> bool:
    """Whether handing ``text`` to SymPy is safe: short, no huge numbers, no towers of powers,
    no factorial or binomial of anything large."""
    if len(text) > MAX_SYMBOLIC_CHARS or "\x00" in text:
        return False
    if any(len(run) > MAX_DIGITS for run in re.findall(r"\d+", text)):
        return False
    if re.search(r"\\(?:sum|prod|int|iint|oint|lim)|\bSum\b|\bIntegral\b", text):
        return False  # none of these is a final answer here, and SymPy may evaluate them
    exponents = _exponents(text.replace("**", "^"))
    if exponents is None:
        return False
    product = 1
    for exponent in exponents:
        if re.search(r"\^|\*|!|binom|choose", exponent):
            return False
        product *= math.prod(max(int(n), 1) for n in re.findall(r"\d+", exponent))
        if product > MAX_EXPONENT_PRODUCT:
            return False
    if exponents and re.search(r"!|binom|choose", text):
        return False
    for m in re.finditer(r"(\d*)\s*!", text):
        if not m.group(1) or int(m.group(1)) > 1000:
            return False
    return True


@cache
def _math_verify() -> Any:
    """Import math-verify on first use (it pulls in SymPy, which takes a second)."""
    import math_verify

    # Its timeouts are disabled (see the module docstring); it warns about that on every
    # process, and about inputs it cannot parse, which are ordinary wrong answers here.
    logging.getLogger("math_verify").setLevel(logging.ERROR)
    return math_verify


@lru_cache(maxsize=4096)
def _parse(latex: str) -> tuple[Any, ...]:
    mv = _math_verify()
    config = [mv.LatexExtractionConfig(), mv.ExprExtractionConfig()]
    try:
        return tuple(mv.parse(f"${latex}$", extraction_config=config, parsing_timeout=None))
    except Exception:  # math-verify documents no exceptions; SymPy may raise anything
        return ()


@lru_cache(maxsize=4096)
def _symbolic_equal(gold: str, given: str) -> bool:
    gold_parsed, given_parsed = _parse(gold), _parse(given)
    if not gold_parsed or not given_parsed:
        return False
    try:
        return bool(
            _math_verify().verify(list(gold_parsed), list(given_parsed), timeout_seconds=None)
        )
    except Exception:  # as above: a comparison that fails is not a match
        return False


def equivalent(gold: str, given: str) -> bool:
    """Whether the answer ``given`` is mathematically the same as the target ``gold``."""
    if len(given) > 10 * MAX_SYMBOLIC_CHARS:
        return False
    if normalise(gold) == normalise(given):
        return True
    gold_number, given_number = _number(gold), _number(given)
    if gold_number is not None and given_number is not None:
        return decimal_matches(given_number[0], given_number[1], gold_number[0])
    if not sympy_safe(given) or not sympy_safe(gold):
        return False
    return _symbolic_equal(gold.strip(), given.strip().replace("**", "^"))

"""Answer parsing shared by the BIG-Bench-Hard style tasks (date understanding, web of lies,
logical deduction, navigation): multiple-choice letters and Yes/No.

Both parsers are total (any string in, ``None`` out when it is not an answer) and lenient only
about presentation: ``A``, ``(A)``, ``A)``, ``option A``, ``(A) text``, or the text of exactly
one option; ``yes``, ``Yes.``, ``"No"``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from codesteer.symbench._parse import strip_quotes

__all__ = ["letter", "normalise_text", "parse_option", "parse_yes_no"]

#: Option answers longer than this are not an option (keeps matching cheap on junk).
MAX_OPTION_CHARS = 500

_PREFIX = r"(?:(?:the\s+)?(?:option|answer|choice)\s*:?\s*)?"
_LETTER_ONLY = re.compile(_PREFIX + r"\(?([a-z])\)?[.:]?", re.IGNORECASE)
_LETTER_AND_TEXT = re.compile(_PREFIX + r"\(([a-z])\)\s*(.+)", re.IGNORECASE | re.DOTALL)


def letter(index: int) -> str:
    """``0`` -> ``A``."""
    return chr(ord("A") + index)


def normalise_text(text: str) -> str:
    """Case, spacing, quotes and a final period do not matter when comparing option texts."""
    return re.sub(r"\s+", " ", strip_quotes(text)).strip().rstrip(".").strip().lower()


def parse_option(
    answer: str,
    options: Sequence[str],
    normalise: Callable[[str], str] = normalise_text,
) -> tuple[int | None, str]:
    """The index of the option ``answer`` names, or ``None`` and why it names none.

    A letter must be one of the offered ones; ``(B) text`` must have the text of option B; a
    bare text must match exactly one option after ``normalise``.
    """
    if len(answer) > MAX_OPTION_CHARS:
        return None, "answer too long to be an option"
    s = strip_quotes(answer).strip()
    if not s:
        return None, "empty answer"
    count = len(options)
    match = _LETTER_ONLY.fullmatch(s)
    if match:
        index = ord(match.group(1).upper()) - ord("A")
        if 0 <= index < count:
            return index, f"option {letter(index)}"
        return None, f"there is no option {match.group(1).upper()} (options A-{letter(count - 1)})"
    match = _LETTER_AND_TEXT.fullmatch(s)
    if match:
        index = ord(match.group(1).upper()) - ord("A")
        if not 0 <= index < count:
            return None, f"there is no option {match.group(1).upper()}"
        if normalise(match.group(2)) != normalise(options[index]):
            return None, f"the text after ({letter(index)}) is not the text of that option"
        return index, f"option {letter(index)}"
    wanted = normalise(s)
    hits = [i for i, option in enumerate(options) if wanted and normalise(option) == wanted]
    if len(hits) == 1:
        return hits[0], f"option {letter(hits[0])} (by its text)"
    if hits:
        return None, "the text matches several options"
    return None, "not an option letter or the text of an option"


def parse_yes_no(answer: str) -> bool | None:
    """``True`` for yes, ``False`` for no, ``None`` for anything else (including both)."""
    if len(answer) > 100:
        return None
    s = strip_quotes(answer).strip().lstrip("-").strip()
    s = re.sub(r"[.!]+$", "", s).strip()
    s = strip_quotes(s).lower()
    if s == "yes":
        return True
    if s == "no":
        return False
    return None

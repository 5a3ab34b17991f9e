"""Exact arithmetic on model-written expressions, by parsing, never by ``eval``.

Only integer literals, ``+ - * /``, unary signs and parentheses are accepted; the value is a
:class:`~fractions.Fraction`, so ``8/(3-8/3)`` is exactly 24. Common notations are normalised
first: ``×``/``\\times``/``x`` between numbers, ``÷``/``\\div``, ``\\frac{a}{b}``, ``[]``/``{}``.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from fractions import Fraction

__all__ = ["ArithError", "Evaluated", "evaluate"]

MAX_EXPRESSION_CHARS = 20_000
MAX_DEPTH = 200


class ArithError(ValueError):
    """The text is not an arithmetic expression we accept (the message says why)."""


@dataclass(frozen=True)
class Evaluated:
    """The exact value of an expression and its integer literals, in order of appearance."""

    value: Fraction
    numbers: tuple[int, ...]


_FRAC = re.compile(r"\\[dt]?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}")


def _normalise(text: str) -> str:
    s = text.strip().strip("$").strip()
    for _ in range(10):  # nested \frac, innermost first
        new = _FRAC.sub(r"((\1)/(\2))", s)
        if new == s:
            break
        s = new
    s = (
        s.replace("\\times", "*")
        .replace("\\cdot", "*")
        .replace("\\div", "/")
        .replace("\\left", "")
        .replace("\\right", "")
        .replace("×", "*")
        .replace("·", "*")
        .replace("÷", "/")
        .replace("−", "-")
        .replace("–", "-")
        .replace("[", "(")
        .replace("]", ")")
        .replace("{", "(")
        .replace("}", ")")
    )
    # "3 x 4" and "3x4" as multiplication, only between operands
    s = re.sub(r"(?<=[\d)])\s*[xX]\s*(?=[\d(])", "*", s)
    return s


def evaluate(text: str) -> Evaluated:
    """Evaluate ``text`` exactly; raise :class:`ArithError` if it is not plain arithmetic."""
    if len(text) > MAX_EXPRESSION_CHARS:
        raise ArithError("expression too long")
    source = _normalise(text)
    if not source:
        raise ArithError("empty expression")
    if "**" in source or "//" in source:
        raise ArithError("only + - * / and parentheses are allowed")
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
        raise ArithError(f"cannot parse expression: {source[:60]!r}") from exc
    numbers: list[int] = []
    try:
        value = _eval(tree.body, numbers, 0)
    except RecursionError as exc:
        raise ArithError("expression nested too deeply") from exc
    return Evaluated(value, tuple(numbers))


def _eval(node: ast.AST, numbers: list[int], depth: int) -> Fraction:
    if depth > MAX_DEPTH:
        raise ArithError("expression nested too deeply")
    if isinstance(node, ast.Constant) and type(node.value) is int:
        numbers.append(node.value)
        return Fraction(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        inner = _eval(node.operand, numbers, depth + 1)
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp):
        left = _eval(node.left, numbers, depth + 1)
        right = _eval(node.right, numbers, depth + 1)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Div):
            if right == 0:
                raise ArithError("division by zero")
            return left / right
        raise ArithError("only + - * / and parentheses are allowed")
    if isinstance(node, ast.Constant):
        raise ArithError(f"only integers are allowed, not {node.value!r}"[:80])
    raise ArithError(f"not arithmetic: {type(node).__name__}")

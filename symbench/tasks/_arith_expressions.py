"""Checking "reach the target with these numbers" answers (Game 24, Combinatorial Calculation).

Answers are arithmetic over the puzzle's integers with binary ``+ - * /`` and parentheses,
written as a plain expression (``(6 / 2) + 7``, optionally ``= 10``) or as the token list the
Combinatorial Calculation question asks for (``[6, /, 2, +, 7]``, quotes allowed). The value is
computed exactly (:mod:`codesteer.symbench._arith`, never ``eval``); unary signs are rejected
because the puzzles only allow operations *between* numbers.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from fractions import Fraction

from codesteer.symbench._arith import ArithError, evaluate
from codesteer.symbench._parse import parse_number, strip_quotes
from codesteer.symbench._types import Score

__all__ = [
    "Node",
    "check_expression",
    "expression_text",
    "leaves",
    "render",
    "signed_sum",
    "token_list",
    "value_of",
]

MAX_CHARS = 20_000
_QUOTES = re.compile("[\"'`“”‘’]")
#: A sign right after the start, an opening bracket or another operator is unary.
_UNARY = re.compile(r"(?:^|[(\[{+\-*/×÷·−–])\s*[+\-−–]")


def token_list(expression: str) -> str:
    """``(6/2)+7`` as the list form ``[(, 6, /, 2, ), +, 7]``."""
    return "[" + ", ".join(re.findall(r"\d+|[-+*/()]", expression)) + "]"


def expression_text(answer: str) -> str:
    """The answer as one expression string: a token list is joined, quotes are dropped."""
    text = strip_quotes(answer)
    if text.endswith("."):  # a full stop after the last number (all literals are integers)
        text = text[:-1]
    if "," in text:
        if text.startswith("[") and text.endswith("]"):
            text = text[1:-1]
        tokens = (_QUOTES.sub("", token).strip() for token in text.split(","))
        text = " ".join(token for token in tokens if token)
    return _QUOTES.sub("", text).strip()


def check_expression(
    answer: str, numbers: Sequence[int], target: Fraction | int, *, ordered: bool
) -> Score:
    """Score an expression that must use ``numbers`` (each once; in order if ``ordered``) and
    evaluate exactly to ``target``. An ``= value`` tail must state the target."""
    if len(answer) > MAX_CHARS:
        return Score(0.0, None, "answer too long")
    text = expression_text(answer)
    parts = text.split("=")
    left = parts[0].strip()
    if not left:
        return Score(0.0, None, "no expression")
    if _UNARY.search(left):
        return Score(0.0, left, "unary signs are not allowed; use + - * / between the numbers")
    try:
        result = evaluate(left)
    except ArithError as exc:
        return Score(0.0, left, f"not a valid expression: {exc}")
    if len(parts) > 1:
        # "= 24.0" is as good as "= 24"; the tail is a claim, not part of the expression
        claimed = parse_number(parts[-1])
        if claimed is None:
            try:
                claimed = evaluate(parts[-1]).value
            except ArithError:
                return Score(0.0, left, "the right-hand side of '=' is not a number")
        if claimed != target:
            return Score(0.0, left, f"the answer claims {claimed}, not the target {target}")
    problem = _numbers_problem(list(result.numbers), list(numbers), ordered)
    if problem:
        return Score(0.0, left, problem)
    if result.value != target:
        return Score(0.0, left, f"evaluates to {_show(result.value)}, not {target}")
    return Score(1.0, left, "correct")


def _numbers_problem(used: list[int], given: list[int], ordered: bool) -> str | None:
    if ordered and used == given:
        return None
    have, want = Counter(used), Counter(given)
    if have == want:
        return None if not ordered else "the numbers are not in the given order"
    for number, times in have.items():
        if times > want[number]:
            return (
                f"uses {number}, which is not given"
                if want[number] == 0
                else f"uses {number} {times} times, given {want[number]} times"
            )
    missing = sorted((want - have).elements())
    return f"does not use {', '.join(map(str, missing[:10]))}"


def _show(value: Fraction) -> str:
    text = str(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


# -- expression trees shared by the solvers ---------------------------------------------------

#: A leaf is an ``int``; an inner node is ``(op, left, right)`` with ``op`` in ``+ - * /``.
Node = int | tuple[str, "Node", "Node"]

_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}


def render(node: Node) -> str:
    """The expression with only the parentheses it needs: ``(1 + 2) * 8 / 1``."""
    if isinstance(node, int):
        return str(node)
    op, left, right = node
    return f"{_operand(left, op, False)} {op} {_operand(right, op, True)}"


def _operand(node: Node, parent: str, right_side: bool) -> str:
    text = render(node)
    if isinstance(node, int):
        return text
    own, outer = _PRECEDENCE[node[0]], _PRECEDENCE[parent]
    if own < outer or (right_side and own == outer and parent in "-/"):
        return f"({text})"
    return text


def value_of(node: Node) -> Fraction | None:
    """The exact value of a tree (``None`` on division by zero)."""
    if isinstance(node, int):
        return Fraction(node)
    op, left, right = node
    a, b = value_of(left), value_of(right)
    if a is None or b is None:
        return None
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    return a / b if b else None


def leaves(node: Node) -> list[int]:
    """The integers of a tree, left to right."""
    if isinstance(node, int):
        return [node]
    return leaves(node[1]) + leaves(node[2])


def signed_sum(numbers: Sequence[int], target: int, *, ordered: bool) -> Node | None:
    """``n1 ± n2 ± ... = target`` over positive ``numbers`` with a ``+`` first term (no unary
    minus), by subset sum on bitsets; ``None`` if no choice of signs works. ``ordered`` keeps
    the order of ``numbers``; otherwise the added numbers are written first."""
    if not numbers or any(n <= 0 for n in numbers):
        return None
    head = numbers[0] if ordered else 0
    rest = list(numbers[1:] if ordered else numbers)
    total = sum(rest)
    needed = target - head  # = plus - minus over ``rest``, where plus + minus = total
    if (total + needed) % 2 or not -total <= needed <= total:
        return None
    want = (total + needed) // 2
    if not ordered and want == 0:
        return None  # every number subtracted: the first would need a unary minus
    masks = [1]
    for n in rest:
        masks.append(masks[-1] | (masks[-1] << n))
    if not (masks[-1] >> want) & 1:
        return None
    plus = [False] * len(rest)
    for i in range(len(rest) - 1, -1, -1):
        if not (masks[i] >> want) & 1:
            plus[i] = True
            want -= rest[i]
    if ordered:
        terms = [("+", numbers[0])] + [
            ("+" if p else "-", n) for p, n in zip(plus, rest, strict=True)
        ]
    else:
        terms = [("+", n) for p, n in zip(plus, rest, strict=True) if p]
        terms += [("-", n) for p, n in zip(plus, rest, strict=True) if not p]
    node: Node = terms[0][1]
    for sign, n in terms[1:]:
        node = (sign, node, n)
    return node

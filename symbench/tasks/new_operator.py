"""New Operator (seen): evaluate an expression built from newly defined binary operators.

Each operator symbol (``# @ $ & % ~``) is defined by a formula in ``a`` and ``b``, one of the
original generator's templates: ``c1*a + c2*b``, ``c*a*b`` or ``(a + b)/b`` with c in 1..5.
Semantics, stated in every question: parentheses first; otherwise all the new operators have
the same precedence and are applied from left to right (``x~y&z`` is ``(x~y)&z``); division is
exact. The answer is unique, so it is compared exactly as a rational (``5/2``, ``2.5`` and
``\\frac{5}{2}`` are the same); a decimal for a non-terminating value must be rounded or
truncated to at least six places, or be within float noise (see ``_rationals``).

Levels 1 and 2 are the original test set: complexity 2 (one operator used twice, ``(a o b) o
c`` with operands 1..10) and complexity 5 (three operators, ``(3 o 4) o 5 o 6``, here with
operands 1..10). Higher levels grow longer expressions with nested right-hand groups.

Known defect of the original ground truth (reference section 1.2 item 14 and section 6): for
complexity 5 the stored value replaces the parenthesised part by its value and then applies
only *one* of the two outer operators, the first of them in the order ``# @ $ & % ~``, to the
numbers beside it, dropping the other. Our importer computes the left-to-right value; where it
differs from the stored one and the stored one is exactly that one-operator value, the item is
marked ``known_defect``. A stored value matching neither counts as a disagreement.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from codesteer.errors import DatasetError
from codesteer.symbench._task import Knobs, OriginalSource, RawInstance, Task
from codesteer.symbench._types import Item, Score, Split
from codesteer.symbench.tasks._rationals import decimal_matches, format_rational, read_number

#: The symbols of the original, in the order its buggy evaluator looked for them.
SYMBOLS = "#@$&%~"
MAX_RESULT_DIGITS = 60
DEFECT = "stored value applies only one outer operator"

#: A formula as JSON: ["lin", c1, c2] = c1*a + c2*b, ["mul", c] = c*a*b, ["ratio"] = (a + b)/b
Formula = list[Any]
#: An expression tree as JSON: an int leaf or [symbol, left, right]
Node = Any


@dataclass(frozen=True)
class NewOperatorKnobs(Knobs):
    #: how many operator symbols are defined
    symbols: int
    #: how many operator applications the expression holds
    operations: int
    #: how deeply right-hand parenthesised groups may nest (0: a plain left-to-right chain)
    max_depth: int
    max_operand: int = 10

    def validate(self) -> None:
        if not 1 <= self.symbols <= len(SYMBOLS):
            raise ValueError(f"symbols must be in 1..{len(SYMBOLS)}")
        if not self.symbols <= self.operations <= 60:
            raise ValueError("need symbols <= operations <= 60 (every symbol is used)")
        if not 0 <= self.max_depth <= 10:
            raise ValueError("max_depth must be in 0..10")
        if not 2 <= self.max_operand <= 1000:
            raise ValueError("max_operand must be in 2..1000")


# -- formulas and evaluation ---------------------------------------------------------------------


def apply(formula: Formula, a: Fraction, b: Fraction) -> Fraction:
    kind = formula[0]
    if kind == "lin":
        return int(formula[1]) * a + int(formula[2]) * b
    if kind == "mul":
        return int(formula[1]) * a * b
    if kind == "ratio":
        if b == 0:
            raise ZeroDivisionError("(a + b)/b with b = 0")
        return (a + b) / b
    raise ValueError(f"unknown formula {formula!r}")


def formula_text(formula: Formula) -> str:
    if formula[0] == "lin":
        return f"{formula[1]}*a + {formula[2]}*b"
    if formula[0] == "mul":
        return f"{formula[1]}*a*b"
    return "(a + b)/b"


_LIN = re.compile(r"^(\d+)\*a\+(\d+)\*b$")
_MUL = re.compile(r"^(\d+)\*a\*b$")


def parse_formula(text: str) -> Formula:
    s = text.replace(" ", "")
    if s == "(a+b)/b":
        return ["ratio"]
    m = _LIN.match(s)
    if m:
        return ["lin", int(m.group(1)), int(m.group(2))]
    m = _MUL.match(s)
    if m:
        return ["mul", int(m.group(1))]
    raise DatasetError(f"unknown operator formula {text!r}")


def evaluate(node: Node, operators: dict[str, Formula]) -> Fraction:
    if isinstance(node, int):
        return Fraction(node)
    symbol, left, right = node
    return apply(operators[symbol], evaluate(left, operators), evaluate(right, operators))


def render(node: Node) -> str:
    """Left-to-right text of a tree: a right operand that is an operation needs parentheses;
    a lone first operation is parenthesised as in the original (``(3~4)&5@6``)."""
    if isinstance(node, int):
        return str(node)
    symbol, left, right = node
    left_text = render(left)
    if isinstance(left, list) and isinstance(left[1], int) and isinstance(left[2], int):
        left_text = f"({left_text})"
    right_text = render(right)
    if isinstance(right, list):
        right_text = f"({right_text})"
    return f"{left_text}{symbol}{right_text}"


# -- parsing expression text (originals) ---------------------------------------------------------

_TOKEN = re.compile(r"\s*(\d+|[()]|[" + re.escape(SYMBOLS) + r"])")


def parse_expression(text: str) -> Node:
    """Parse ``(3~4)&5@6`` into a tree with the left-to-right semantics."""
    tokens: list[str] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise DatasetError(f"cannot read expression {text!r}")
        tokens.append(m.group(1))
        pos = m.end()
    node, rest = _chain(tokens, 0)
    if rest != len(tokens):
        raise DatasetError(f"trailing text in expression {text!r}")
    return node


def _chain(tokens: list[str], pos: int) -> tuple[Node, int]:
    node, pos = _operand(tokens, pos)
    while pos < len(tokens) and tokens[pos] in SYMBOLS:
        right, after = _operand(tokens, pos + 1)
        node, pos = [tokens[pos], node, right], after
    return node, pos


def _operand(tokens: list[str], pos: int) -> tuple[Node, int]:
    if pos >= len(tokens):
        raise DatasetError("expression ends early")
    if tokens[pos] == "(":
        node, pos = _chain(tokens, pos + 1)
        if pos >= len(tokens) or tokens[pos] != ")":
            raise DatasetError("unbalanced parentheses")
        return node, pos + 1
    if tokens[pos].isdigit():
        return int(tokens[pos]), pos + 1
    raise DatasetError(f"unexpected {tokens[pos]!r} in expression")


def one_outer_operator_value(node: Node, operators: dict[str, Formula]) -> Fraction | None:
    """The original evaluator's value for ``(x o1 y) o2 z o3 w``: only the outer operator that
    comes first in ``SYMBOLS`` is applied, to the numbers beside it."""
    try:
        outer3, rest, w = node
        outer2, group, z = rest
    except (TypeError, ValueError):
        return None
    if not isinstance(w, int) or not isinstance(z, int) or not isinstance(group, list):
        return None
    if SYMBOLS.index(outer2) <= SYMBOLS.index(outer3):
        return apply(operators[outer2], evaluate(group, operators), Fraction(z))
    return apply(operators[outer3], Fraction(z), Fraction(w))


# -- the task --------------------------------------------------------------------------------------


def question_for(expression: str, operators: dict[str, Formula]) -> str:
    definitions = "\n".join(
        f"  a{symbol}b = {formula_text(formula)}" for symbol, formula in operators.items()
    )
    return (
        "For numbers a and b, the following new binary operations are defined:\n"
        f"{definitions}\n\n"
        f"Compute the value of: {expression}\n\n"
        "Evaluation rules: anything in parentheses is evaluated first; apart from that, all the "
        "new operations have the same precedence and are applied from left to right, so x#y@z "
        "means (x#y)@z. Arithmetic is exact (no rounding).\n\n"
        "Give the value as an integer, a fraction such as 7/3, or a decimal (a decimal for a "
        "value that does not terminate needs at least 6 decimal places), wrapped like <<<7/3>>>."
    )


class NewOperator(Task[NewOperatorKnobs]):
    name = "new_operator"
    title = "New Operator"
    split = Split.SEEN
    aliases = ("new operator", "new operators")
    answer_format = "the exact value: an integer, a fraction or a decimal, e.g. <<<7/3>>>"
    levels = {
        1: NewOperatorKnobs(symbols=1, operations=2, max_depth=0),  # original complexity 2
        2: NewOperatorKnobs(symbols=3, operations=3, max_depth=0),  # original complexity 5
        3: NewOperatorKnobs(symbols=3, operations=5, max_depth=1),
        4: NewOperatorKnobs(symbols=4, operations=8, max_depth=2),
        5: NewOperatorKnobs(symbols=5, operations=12, max_depth=3),
        6: NewOperatorKnobs(symbols=6, operations=20, max_depth=4),
    }
    default_levels = (1, 2)
    original_sources = (OriginalSource("new_operator_dataset/sample_*", "dir"),)

    def _generate(self, rng: random.Random, knobs: NewOperatorKnobs) -> Item:
        for _ in range(200):
            symbols = rng.sample(SYMBOLS, knobs.symbols)
            operators = {symbol: _random_formula(rng) for symbol in symbols}
            uses = symbols + [rng.choice(symbols) for _ in range(knobs.operations - len(symbols))]
            rng.shuffle(uses)
            tree = _random_tree(rng, uses, knobs.max_depth, knobs.max_operand)
            value = evaluate(tree, operators)
            if max(abs(value.numerator), value.denominator) < 10**MAX_RESULT_DIGITS:
                break
        expression = render(tree)
        return Item(
            task=self.name,
            id="",
            question=question_for(expression, operators),
            answer=format_rational(value),
            meta={"expression": expression, "operators": operators},
        )

    def check(self, answer: str, item: Item) -> Score:
        operators: dict[str, Formula] = item.meta["operators"]
        expected = evaluate(parse_expression(item.meta["expression"]), operators)
        read = read_number(answer)
        if read is None:
            return Score(0.0, None, "the answer is not a number")
        given, text = read
        if decimal_matches(given, text, expected):
            return Score(1.0, text, "correct")
        return Score(0.0, text, f"wrong value (expected {format_rational(expected)})")

    def parse_original(self, raw: RawInstance) -> Item:
        solution = json.loads(raw.data["solution.json"])
        question = raw.data["question.txt"]
        m = re.search(r"Calculate\s+(.+?)\.\s*$", question, re.MULTILINE)
        if not m:
            raise DatasetError("no 'Calculate ...' line")
        expression = m.group(1).strip()
        operators = {s: parse_formula(f) for s, f in solution["operator_definitions"].items()}
        tree = parse_expression(expression)
        value = evaluate(tree, operators)
        stored = float(solution["solution"])
        defect = None
        if float(value) != stored:
            buggy = one_outer_operator_value(tree, operators)
            if buggy is not None and float(buggy) == stored:
                defect = DEFECT
        item = Item(
            task=self.name,
            id="",
            question=question_for(render(tree), operators),
            answer=format_rational(value),
            meta={"expression": expression, "operators": operators},
        )
        return self.as_original(
            raw,
            item,
            original_answer=_float_text(stored),
            complexity=solution.get("complexity"),
            known_defect=defect,
        )


def _float_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def _random_formula(rng: random.Random) -> Formula:
    kind = rng.choice(("lin", "mul", "ratio"))
    if kind == "lin":
        return ["lin", rng.randint(1, 5), rng.randint(1, 5)]
    if kind == "mul":
        return ["mul", rng.randint(1, 5)]
    return ["ratio"]


def _random_tree(rng: random.Random, uses: list[str], max_depth: int, max_operand: int) -> Node:
    """A tree applying ``uses`` in order: a left-to-right chain whose right operands are either
    numbers or (while ``max_depth`` allows) parenthesised sub-chains taking some of the uses."""
    if not uses:
        return rng.randint(1, max_operand)
    node: Node = [uses[0], rng.randint(1, max_operand), rng.randint(1, max_operand)]
    pos = 1
    while pos < len(uses):
        symbol = uses[pos]
        pos += 1
        remaining = len(uses) - pos
        if max_depth > 0 and remaining > 0 and rng.random() < 0.4:
            size = rng.randint(1, min(remaining, 4))
            right = _random_tree(rng, uses[pos : pos + size], max_depth - 1, max_operand)
            pos += size
        else:
            right = rng.randint(1, max_operand)
        node = [symbol, node, right]
    return node


TASK = NewOperator()

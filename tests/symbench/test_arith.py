from __future__ import annotations

from fractions import Fraction

import pytest

from codesteer.symbench._arith import ArithError, evaluate


@pytest.mark.parametrize(
    ("text", "value", "numbers"),
    [
        ("8/(3-8/3)", Fraction(24), (8, 3, 8, 3)),
        ("(1+2+3)*4", Fraction(24), (1, 2, 3, 4)),
        ("3 × 8", Fraction(24), (3, 8)),
        ("3 x 8", Fraction(24), (3, 8)),
        ("48 ÷ 2", Fraction(24), (48, 2)),
        ("\\frac{48}{2}", Fraction(24), (48, 2)),
        ("2 \\times [3 \\times 4]", Fraction(24), (2, 3, 4)),
        ("-(-24)", Fraction(24), (24,)),
        ("1/3 + 1/3 + 1/3", Fraction(1), (1, 3, 1, 3, 1, 3)),
    ],
)
def test_exact_values_and_literals(text: str, value: Fraction, numbers: tuple[int, ...]) -> None:
    result = evaluate(text)
    assert result.value == value
    assert result.numbers == numbers


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2**10",
        "7//2",
        "1/0",
        "4 / (2 - 2)",
        "1.5*16",
        "abs(-24)",
        "__import__('os').system('true')",
        "x + 1",
        "[1, 2]",
        "(" * 1000 + "1" + ")" * 1000,
        "1+" * 20_000 + "1",
        "'24'",
    ],
)
def test_rejects_anything_but_plain_arithmetic(text: str) -> None:
    with pytest.raises(ArithError):
        evaluate(text)

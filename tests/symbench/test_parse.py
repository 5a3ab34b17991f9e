from __future__ import annotations

from fractions import Fraction

import pytest

from codesteer.symbench._parse import (
    extract_answer,
    parse_coord_pairs,
    parse_int,
    parse_int_list,
    parse_literal,
    parse_number,
    parse_token_list,
    strip_quotes,
)


def test_extract_takes_the_last_wrapped_answer() -> None:
    assert extract_answer("first <<<1>>> then <<< 2 >>>") == ("2", True)
    assert extract_answer("multi\n<<<a\nb>>>") == ("a\nb", True)
    assert extract_answer("  bare  ") == ("bare", False)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12", Fraction(12)),
        ("-3.5", Fraction(-7, 2)),
        ("1,234", Fraction(1234)),
        ("1e3", Fraction(1000)),
        ("3/4", Fraction(3, 4)),
        ("\\frac{3}{4}", Fraction(3, 4)),
        ("-\\frac{1}{2}", Fraction(-1, 2)),
        ("$5", Fraction(5)),
        (" 42. ", Fraction(42)),
        ("'7'", Fraction(7)),
        ("1 234 567", Fraction(1234567)),
        ("3 / 4", Fraction(3, 4)),
    ],
)
def test_parse_number(text: str, value: Fraction) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(
    "text",
    ["", "abc", "1/0", "1,23", "12 apples", "1e", "--1", "9" * 500, "1e9999999", "1, 234", "1 2"],
)
def test_parse_number_rejects(text: str) -> None:
    assert parse_number(text) is None


def test_parse_int() -> None:
    assert parse_int("7.0") == 7
    assert parse_int("7.5") is None
    assert parse_int("x") is None


def test_parse_int_list_is_lenient_about_layout_only() -> None:
    for text in ("1, 2, 3", "[1,2,3]", "1 2 3", "[[1, 2], [3]]", "(1;2;3)", "'1','2','3'"):
        assert parse_int_list(text) == [1, 2, 3], text
    assert parse_int_list("-1, +2") == [-1, 2]
    for text in ("1, 2, three", "1.5, 2", "", "[]"):
        assert parse_int_list(text) is None, text


def test_parse_token_list() -> None:
    assert parse_token_list('["5", "3", "F", "A"]') == ["5", "3", "F", "A"]
    assert parse_token_list("A,B , C") == ["A", "B", "C"]
    assert parse_token_list("[]") is None


def test_parse_coord_pairs() -> None:
    assert parse_coord_pairs("0 1, 2 3") == [(0, 1), (2, 3)]
    assert parse_coord_pairs("[(0,1),(2,3)]") == [(0, 1), (2, 3)]
    assert parse_coord_pairs("0 1, 2") is None


def test_parse_literal_never_runs_code() -> None:
    assert parse_literal("[1, 'a', (2, 3)]") == [1, "a", (2, 3)]
    assert parse_literal('{"a": 1}') == {"a": 1}
    assert parse_literal("__import__('os').getcwd()") is None
    assert parse_literal("[" * 10_000 + "]" * 10_000) is None
    assert parse_literal("") is None


def test_strip_quotes() -> None:
    assert strip_quotes(' "ABC". ') == "ABC"
    assert strip_quotes("`x`") == "x"
    assert strip_quotes("```json\n[1, 2]\n```") == "[1, 2]"
    assert strip_quotes("```\nABC\n```") == "ABC"
    assert strip_quotes("3.") == "3"

"""The symbolic checker reads the AST, never the raw text, and never runs the code."""

from __future__ import annotations

from pathlib import Path

from codesteer.local.checks.symbolic import analyze_code


def test_constant_print_is_too_simple() -> None:
    report = analyze_code('print("<<<391>>>")\n')
    assert report.valid and report.score == 0
    assert report.prints_constants_only and report.too_simple
    assert "computes nothing" in report.summary() and "too simple" in report.summary()


def test_search_with_every_itertools_import_form() -> None:
    for line in (
        "import itertools",
        "from itertools import permutations",
        "import itertools as it",
    ):
        report = analyze_code(f"{line}\n")
        assert any("itertools" in reason for reason in report.searching), line


def test_loops_branches_and_arithmetic_score() -> None:
    code = (
        "from itertools import permutations\n"
        "for p in permutations([1, 2, 3, 4]):\n"
        "    if p[0] * p[1] + p[2] - p[3] == 24:\n"
        "        print(p)\n"
    )
    report = analyze_code(code)
    # one loop, one branch, three binary operations
    assert report.score == 1 + 1 + 0.75
    assert any("for loop" in reason for reason in report.searching)
    assert any("permutations()" in reason for reason in report.searching)
    assert len(report.numeric) == 3 and not report.too_simple


def test_words_in_comments_strings_and_names_do_not_count() -> None:
    # The original's regex counted 'for', 'if', 'try' inside identifiers and comments.
    code = "# for while if try\nformat_info = 'for if else try except'\nprint(format_info)\n"
    report = analyze_code(code)
    assert report.score == 0 and not report.searching and not report.symbolic


def test_symbolic_libraries_and_calls() -> None:
    code = "from fractions import Fraction\nimport sympy as sp\nx = sp.symbols('x')\n"
    code += "print(sp.solve(x**2 - 4, x), Fraction(1, 3))\n"
    report = analyze_code(code)
    joined = " ".join(report.symbolic)
    assert "fractions" in joined and "sympy" in joined
    assert "solve()" in joined and "Fraction()" in joined and "symbols()" in joined


def test_recursion_and_comprehensions_are_searching() -> None:
    code = "def f(n):\n    return 1 if n < 2 else n * f(n - 1)\nprint([f(i) for i in range(5)])\n"
    reasons = " ".join(analyze_code(code).searching)
    assert "recursive function f()" in reasons and "comprehension" in reasons


def test_invalid_code_is_reported_not_raised() -> None:
    report = analyze_code("def broken(:\n")
    assert not report.valid and report.too_simple
    assert report.error and "line 1" in report.error
    assert report.summary().startswith("The code does not parse")


def test_analysis_never_runs_the_code(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    analyze_code(f"open({str(marker)!r}, 'w').write('x')\n")
    assert not marker.exists()

"""The symbolic checker: what a piece of generated code does, read from its syntax tree.

CodeSteer shows the steering model whether the task model's code searches, computes
symbolically or numerically, and how complex it is, so that it can push back on code that only
prints an answer worked out in the head. The original counted regular-expression matches of
``for|while|if|...`` in the raw source (identifiers and comments included) and missed
``from itertools import permutations``; this one reads the AST only. The code is parsed, never
run.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

__all__ = ["SIMPLE_THRESHOLD", "SymbolicReport", "analyze_code"]

#: At or below this score the code is too simple to have computed much (the original's rule).
SIMPLE_THRESHOLD = 2.0

_SEARCH_MODULES = frozenset({"itertools"})
_SYMBOLIC_MODULES = frozenset({"sympy", "fractions", "decimal", "z3", "networkx", "constraint"})
_NUMERIC_MODULES = frozenset({"math", "numpy", "statistics", "cmath", "scipy"})
_SEARCH_CALLS = frozenset(
    {"permutations", "combinations", "combinations_with_replacement", "product"}
)
_SYMBOLIC_CALLS = frozenset(
    {"Fraction", "Decimal", "symbols", "Symbol", "solve", "simplify", "Eq", "Rational", "nsimplify"}
)


@dataclass(frozen=True)
class SymbolicReport:
    """``valid`` is False when the code does not parse (``error`` says why); the three tuples
    hold one reason per construct found; ``score`` weighs control flow 1 and arithmetic 0.25."""

    valid: bool
    error: str | None = None
    searching: tuple[str, ...] = ()
    symbolic: tuple[str, ...] = ()
    numeric: tuple[str, ...] = ()
    score: float = 0.0
    #: True when every print prints only constants: the answer was not computed.
    prints_constants_only: bool = False

    @property
    def too_simple(self) -> bool:
        return not self.valid or self.score <= SIMPLE_THRESHOLD

    def summary(self) -> str:
        """The text the steering model reads."""
        if not self.valid:
            return f"The code does not parse: {self.error}. Complexity score: 0."
        lines = []
        for name, reasons in (
            ("Searching", self.searching),
            ("Symbolic computing", self.symbolic),
            ("Numerical computing", self.numeric),
        ):
            if reasons:
                lines.append(f"{name}: {'; '.join(_dedupe(reasons))}.")
        if not lines:
            lines.append("No searching, symbolic or numerical computing found.")
        if self.prints_constants_only:
            lines.append("Every print prints a constant: the code computes nothing it prints.")
        lines.append(f"Complexity score: {self.score:g}.")
        if self.too_simple:
            lines.append(
                "The code may be too simple to compute the answer: it should search, "
                "enumerate or calculate rather than state the result."
            )
        return "\n".join(lines)


def _dedupe(reasons: tuple[str, ...]) -> list[str]:
    counts: dict[str, int] = {}
    for reason in reasons:
        counts[reason] = counts.get(reason, 0) + 1
    return [f"{reason} (x{n})" if n > 1 else reason for reason, n in counts.items()]


def _root(name: str | None) -> str:
    return (name or "").split(".")[0]


def _call_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


class _Visitor(ast.NodeVisitor):
    def __init__(self) -> None:
        self.searching: list[str] = []
        self.symbolic: list[str] = []
        self.numeric: list[str] = []
        self.control = 0
        self.arithmetic = 0
        self.recursive: set[str] = set()
        self._current: list[str] = []
        self.prints = 0
        self.constant_prints = 0

    # imports: every form, `from itertools import permutations` included
    def _imported(self, module: str, line: int) -> None:
        root = _root(module)
        if root in _SEARCH_MODULES:
            self.searching.append(f"imports {root} (line {line})")
        elif root in _SYMBOLIC_MODULES:
            self.symbolic.append(f"imports {root} (line {line})")
        elif root in _NUMERIC_MODULES:
            self.numeric.append(f"imports {root} (line {line})")

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._imported(alias.name, node.lineno)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self._imported(node.module or "", node.lineno)

    def _loop(self, node: ast.AST, what: str) -> None:
        self.control += 1
        self.searching.append(f"{what} (line {getattr(node, 'lineno', '?')})")
        self.generic_visit(node)

    def visit_For(self, node: ast.For) -> None:
        self._loop(node, "for loop")

    def visit_AsyncFor(self, node: ast.AsyncFor) -> None:
        self._loop(node, "for loop")

    def visit_While(self, node: ast.While) -> None:
        self._loop(node, "while loop")

    def visit_comprehension(self, node: ast.comprehension) -> None:
        self.control += 1
        self.searching.append(f"comprehension (line {getattr(node.target, 'lineno', '?')})")
        self.generic_visit(node)

    def _branch(self, node: ast.AST) -> None:
        self.control += 1
        self.generic_visit(node)

    def visit_If(self, node: ast.If) -> None:
        self._branch(node)

    def visit_IfExp(self, node: ast.IfExp) -> None:
        self._branch(node)

    def visit_Try(self, node: ast.Try) -> None:
        self._branch(node)

    def visit_Match(self, node: ast.Match) -> None:
        self._branch(node)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.control += 1
        self._current.append(node.name)
        self.generic_visit(node)
        self._current.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._function(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._function(node)

    def visit_BinOp(self, node: ast.BinOp) -> None:
        self.arithmetic += 1
        self.numeric.append(f"{type(node.op).__name__.lower()} arithmetic")
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self.arithmetic += 1
        self.numeric.append(f"{type(node.op).__name__.lower()} arithmetic")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        name = _call_name(node)
        line = node.lineno
        if name in _SEARCH_CALLS:
            self.searching.append(f"{name}() (line {line})")
        elif name in _SYMBOLIC_CALLS:
            self.symbolic.append(f"{name}() (line {line})")
        if name and self._current and name == self._current[-1]:
            self.recursive.add(name)
        if name == "print" and isinstance(node.func, ast.Name):
            self.prints += 1
            if all(_is_constant(arg) for arg in node.args):
                self.constant_prints += 1
        self.generic_visit(node)


def _is_constant(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.JoinedStr):
        return all(isinstance(value, ast.Constant) for value in node.values)
    return False


def analyze_code(code: str) -> SymbolicReport:
    """Analyse ``code`` without running it."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError) as exc:
        where = f" (line {exc.lineno})" if isinstance(exc, SyntaxError) and exc.lineno else ""
        message = exc.msg if isinstance(exc, SyntaxError) else str(exc)
        return SymbolicReport(valid=False, error=f"{message}{where}")
    visitor = _Visitor()
    visitor.visit(tree)
    searching = list(visitor.searching)
    for name in sorted(visitor.recursive):
        searching.append(f"recursive function {name}()")
    return SymbolicReport(
        valid=True,
        searching=tuple(searching),
        symbolic=tuple(visitor.symbolic),
        numeric=tuple(visitor.numeric),
        score=visitor.control + 0.25 * visitor.arithmetic,
        prints_constants_only=visitor.prints > 0 and visitor.prints == visitor.constant_prints,
    )

"""GSM-Hard (seen): grade-school word problems with large numbers.

Generated items chain several arithmetic steps on one running quantity (a stock of crates, a
bank balance, litres in a tank, books in a library): production at a rate (workers x amount
per hour x hours), purchases or shipments (count x price), percentages, equal shares and
multiples, with numbers of a chosen size. Each step is applied in exact rational arithmetic and
only where the result stays a whole, non-negative number, so the answer is one exact integer.

Verifier: the answer is one number; ``1,234``, ``$1234``, ``1234.0``, ``1.234e3`` and a short
text holding exactly one number (``1234 dollars``) are accepted. It is right when its relative
difference from the reference is at most 1e-3, the tolerance the original GPT-4o judge was told
to use (absolute 1e-6 when the reference is 0). Deterministic, no LLM judge.

Originals (``gsmhardv2.jsonl``, 1319 rows: ``input``, ``code``, ``target``): the reference is
the stored target. We check it independently by interpreting each row's program (``code``) in
exact arithmetic from its syntax tree (assignments, ``+ - * / // % **``, ``int``, ``round``,
``min``, ``max``, ``abs``; never executed): all 1301 programs in that subset give the stored
target; the other 18 use loops or library calls and are not interpreted.

Known defects (flagged): GSM-Hard was made by replacing one number of a GSM8K question with a
large one, in the text and in the program (whose docstring keeps the GSM8K question). Where the
text replacement also hit digits inside other numbers (``15`` -> ``18387270``, ``$2.50`` ->
``$8437946.50``), or the program was not updated at all, the hard question states a number that
its program neither contains nor computes from its constants; the stored target then answers a
different question. We flag exactly those rows (a number of the hard question that is absent
from the GSM8K question and from every constant expression of the program): 62 rows.

Known but not flagged (no rule can prove them): rows where every occurrence of the replaced
number changed in the text but only one variable changed in the program (``3 sprints 3 times
a week`` -> both become 1793815, the program keeps ``days = 3``), negative amounts of money or
objects, and fractional counts of people or objects; their targets are the program's output.
"""

from __future__ import annotations

import ast
import math
import random
import re
from dataclasses import dataclass
from fractions import Fraction

from codesteer.symbench._parse import parse_number
from codesteer.symbench._task import Knobs, OriginalSource, RawInstance, Task
from codesteer.symbench._types import Item, Score, Split

RELATIVE_TOLERANCE = Fraction(1, 1000)
IGNORED_NUMBER_DEFECT = (
    "the question states a number its program never uses (meta ignored_numbers; the number "
    "substitution garbled the question or skipped the program): the target answers a "
    "different question"
)
ZERO_TOLERANCE = Fraction(1, 10**6)
#: answers longer than this are not one number (keeps the number search cheap)
MAX_ANSWER_CHARS = 300


@dataclass(frozen=True)
class GsmHardKnobs(Knobs):
    min_steps: int
    max_steps: int
    #: digits of the large numbers (start amount, prices, shipment sizes)
    min_digits: int
    max_digits: int

    def validate(self) -> None:
        if not 1 <= self.min_steps <= self.max_steps <= 100:
            raise ValueError("need 1 <= min_steps <= max_steps <= 100")
        if not 1 <= self.min_digits <= self.max_digits <= 30:
            raise ValueError("need 1 <= min_digits <= max_digits <= 30")


# -- numbers ------------------------------------------------------------------------------------


def render(value: Fraction) -> str:
    """An exact integer as digits; anything else as a decimal good to 12 significant digits."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.12g}"


_NUMBER_IN_TEXT = re.compile(r"[-+]?\$?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?|[-+]?\$?\.\d+")


def read_number(answer: str) -> Fraction | None:
    """The one number of ``answer``: a bare number, or a short text holding exactly one."""
    if len(answer) > MAX_ANSWER_CHARS:
        return None
    value = parse_number(answer)
    if value is not None:
        return value
    found = _NUMBER_IN_TEXT.findall(answer)
    if len(found) != 1:
        return None
    return parse_number(found[0].rstrip(","))


def close_enough(given: Fraction, expected: Fraction) -> bool:
    if expected == 0:
        return abs(given) <= ZERO_TOLERANCE
    return abs(given - expected) <= RELATIVE_TOLERANCE * abs(expected)


# -- the task -----------------------------------------------------------------------------------


def question_for(story: str) -> str:
    return (
        f"{story}\n\nGive the final number only (no units), wrapped like <<<12345>>>. "
        "A decimal answer is fine where the result is not whole."
    )


class GsmHard(Task[GsmHardKnobs]):
    name = "gsm_hard"
    title = "GSM-Hard"
    split = Split.SEEN
    aliases = ("gsm", "gsmhard", "gsm-hard")
    answer_format = "one number, e.g. <<<3431580>>>"
    levels = {
        1: GsmHardKnobs(2, 2, 2, 3),  # GSM8K-sized
        2: GsmHardKnobs(3, 4, 5, 7),  # GSM-Hard-sized numbers
        3: GsmHardKnobs(5, 6, 6, 8),
        4: GsmHardKnobs(8, 10, 8, 10),
        5: GsmHardKnobs(15, 20, 10, 13),
        6: GsmHardKnobs(30, 40, 14, 18),
    }
    default_levels = (2,)
    original_sources = (OriginalSource("gsmhardv2.jsonl", "jsonl"),)

    def _generate(self, rng: random.Random, knobs: GsmHardKnobs) -> Item:
        theme = rng.choice(THEMES)
        steps = rng.randint(knobs.min_steps, knobs.max_steps)
        story, value = _story(rng, theme, steps, knobs.min_digits, knobs.max_digits)
        return Item(
            task=self.name,
            id="",
            question=question_for(story),
            answer=render(value),
            meta={"target": str(value)},
        )

    def check(self, answer: str, item: Item) -> Score:
        given = read_number(answer)
        if given is None:
            return Score(0.0, None, "the answer must be one number")
        expected = Fraction(str(item.meta["target"]))
        shown = render(given)
        if close_enough(given, expected):
            return Score(1.0, shown, "correct")
        return Score(0.0, shown, "wrong value (more than 0.1% away from the reference)")

    def parse_original(self, raw: RawInstance) -> Item:
        text = str(raw.data["input"])
        code = str(raw.data["code"])
        target = Fraction(repr(float(raw.data["target"])))
        computed = interpret(code)
        if computed is not None and not close_enough(computed, target):
            raise ValueError(f"the program gives {render(computed)}, the target {render(target)}")
        ignored = ignored_numbers(text, code)
        meta: dict[str, object] = {"target": str(target)}
        if ignored:
            meta["ignored_numbers"] = ignored
        item = Item(
            task=self.name, id="", question=question_for(text), answer=render(target), meta=meta
        )
        return self.as_original(
            raw,
            item,
            original_answer=render(target),
            known_defect=IGNORED_NUMBER_DEFECT if ignored else None,
            original_question=text,
        )


# -- reading the original programs (by syntax tree, never executed) ------------------------------


class _Unsupported(Exception):
    pass


def _value(node: ast.AST, env: dict[str, Fraction]) -> Fraction:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return Fraction(repr(node.value))
    if isinstance(node, ast.Name) and node.id in env:
        return env[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        operand = _value(node.operand, env)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp):
        return _binary(node.op, _value(node.left, env), _value(node.right, env))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        return _call(node.func.id, [_value(arg, env) for arg in node.args])
    raise _Unsupported(type(node).__name__)


def _binary(op: ast.operator, a: Fraction, b: Fraction) -> Fraction:
    if isinstance(op, ast.Add):
        return a + b
    if isinstance(op, ast.Sub):
        return a - b
    if isinstance(op, ast.Mult):
        return a * b
    if isinstance(op, ast.Div | ast.FloorDiv | ast.Mod) and b == 0:
        raise _Unsupported("division by zero")
    if isinstance(op, ast.Div):
        return a / b
    if isinstance(op, ast.FloorDiv):
        return Fraction(math.floor(a / b))
    if isinstance(op, ast.Mod):
        return a - b * math.floor(a / b)
    if isinstance(op, ast.Pow) and b.denominator == 1 and abs(b) <= 64:
        if a == 0 and b < 0:
            raise _Unsupported("zero to a negative power")
        return a ** int(b)
    raise _Unsupported(type(op).__name__)


def _call(name: str, args: list[Fraction]) -> Fraction:
    if name == "int" and len(args) == 1:
        return Fraction(int(args[0]))
    if name == "abs" and len(args) == 1:
        return abs(args[0])
    if name in ("min", "max") and len(args) >= 2:
        return min(args) if name == "min" else max(args)
    if name == "round" and len(args) == 1:
        return Fraction(round(args[0]))
    if name == "round" and len(args) == 2 and args[1].denominator == 1:
        return Fraction(round(args[0], int(args[1])))
    raise _Unsupported(f"call to {name}")


def _function(code: str) -> ast.FunctionDef | None:
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    functions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    return functions[0] if len(functions) == 1 else None


def interpret(code: str) -> Fraction | None:
    """The value a straight-line ``solution()`` returns, in exact arithmetic; ``None`` when the
    program uses anything else (loops, conditions, library calls)."""
    function = _function(code)
    if function is None:
        return None
    env: dict[str, Fraction] = {}
    try:
        for statement in function.body:
            if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
                continue  # the docstring
            if (
                isinstance(statement, ast.Assign)
                and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)
            ):
                env[statement.targets[0].id] = _value(statement.value, env)
            elif isinstance(statement, ast.AugAssign) and isinstance(statement.target, ast.Name):
                current = _value(statement.target, env)
                env[statement.target.id] = _binary(
                    statement.op, current, _value(statement.value, env)
                )
            elif isinstance(statement, ast.Return) and statement.value is not None:
                return _value(statement.value, env)
            else:
                return None
    except (_Unsupported, ArithmeticError, ValueError, OverflowError):
        return None
    return None


_TEXT_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def _numbers(text: str) -> list[str]:
    return [match.replace(",", "") for match in _TEXT_NUMBER.findall(text)]


def ignored_numbers(question: str, code: str) -> list[str]:
    """Numbers the hard question states that neither the GSM8K question (the program's
    docstring) nor any constant expression of the program has: the program cannot have used
    them. Empty when the program has no docstring to compare with."""
    function = _function(code)
    docstring = ast.get_docstring(function) if function is not None else None
    if function is None or docstring is None:
        return []
    original = {Fraction(n) for n in _numbers(docstring)}
    constants: list[Fraction] = []
    for node in ast.walk(function):
        if isinstance(node, ast.Constant | ast.BinOp | ast.UnaryOp):
            try:
                constants.append(_value(node, {}))
            except (_Unsupported, ArithmeticError, ValueError, OverflowError):
                continue
    ignored: list[str] = []
    for text in _numbers(question):
        number = Fraction(text)
        if number in original or text in ignored:
            continue
        if not any(abs(number - c) <= abs(number) * Fraction(1, 10**9) for c in constants):
            ignored.append(text)
    return ignored


# -- generation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Theme:
    opening: str  # "{start}" is the starting amount
    unit: str
    produce: str  # "{w} workers each ... {r} ... per hour for {h} hours"
    remove: str  # "{n} ... of {m} ... each"
    lose: str  # "{p}% of ..."
    share: str  # "... {d} ..."
    question: str


THEMES: tuple[Theme, ...] = (
    Theme(
        "A warehouse holds {start} crates.",
        "crates",
        "Then {w} packing lines each add {r} crates per hour for {h} hours.",
        "Next it ships {n} orders of {m} crates each.",
        "An inspection finds that {p}% of the crates it now holds are damaged, and those are "
        "thrown away.",
        "The crates are then split equally among {d} stores; the warehouse keeps one store's "
        "share and sends out the rest.",
        "How many crates does the warehouse hold at the end?",
    ),
    Theme(
        "Mara has ${start} in her savings account.",
        "dollars",
        "She then works {h} hours on each of {w} days at ${r} per hour and deposits all of it.",
        "Next she buys {n} laptops for her firm at ${m} each, paid from the account.",
        "She then pays a levy of {p}% of her current balance.",
        "She then splits her balance into {d} equal parts, keeps one part in the account and "
        "gives the other parts away.",
        "How many dollars are in the account at the end?",
    ),
    Theme(
        "A reservoir holds {start} litres of water.",
        "litres",
        "Then {w} pumps each add {r} litres per hour for {h} hours.",
        "Next {n} tanker trucks each take away {m} litres.",
        "Evaporation then removes {p}% of the water in the reservoir.",
        "The water is then split into {d} equal parts, and all but one part is released "
        "downstream.",
        "How many litres does the reservoir hold at the end?",
    ),
    Theme(
        "A national library owns {start} books.",
        "books",
        "Then {w} donors each give {r} books per month for {h} months.",
        "Next it sends {n} boxes of {m} books each to partner schools.",
        "It then retires {p}% of the books it currently owns.",
        "The collection is then split into {d} equal shares; the library keeps one share and "
        "hands the others to new branches it no longer owns.",
        "How many books does the library own at the end?",
    ),
)

_PERCENTS = (5, 10, 12, 15, 20, 25, 30, 40, 50, 60, 75, 80)
_MULTIPLIERS = {2: "doubles", 3: "triples", 4: "quadruples"}


def _big(rng: random.Random, low: int, high: int) -> int:
    return rng.randint(10 ** (low - 1), 10**high - 1)


def _story(
    rng: random.Random, theme: Theme, steps: int, low: int, high: int
) -> tuple[str, Fraction]:
    value = _big(rng, low, high)
    sentences = [theme.opening.format(start=f"{value:,}" if rng.random() < 0.3 else value)]
    done = 0
    for _ in range(50 * steps):  # produce and multiply always apply, so this ends early
        if done == steps:
            break
        step = _step(rng, theme, value, low, high)
        if step is not None:
            sentence, value = step
            sentences.append(sentence)
            done += 1
    sentences.append(theme.question)
    return " ".join(sentences), Fraction(value)


def _step(
    rng: random.Random, theme: Theme, value: int, low: int, high: int
) -> tuple[str, int] | None:
    """One operation on the running amount, or ``None`` where it would not stay whole and
    non-negative (the caller draws another)."""
    kind = rng.choice(("produce", "remove", "lose", "share", "multiply"))
    if kind == "produce":
        w, h = rng.randint(2, 40), rng.randint(2, 24)
        r = _big(rng, max(1, low - 2), max(1, high - 2))
        return theme.produce.format(w=w, r=r, h=h), value + w * r * h
    if kind == "remove":
        n = rng.randint(2, 30)
        if value // n < 1:
            return None
        m = rng.randint(1, value // n)
        return theme.remove.format(n=n, m=m), value - n * m
    if kind == "lose":
        percents = [p for p in _PERCENTS if value * p % 100 == 0]
        if not percents:
            return None
        p = rng.choice(percents)
        return theme.lose.format(p=p), value - value * p // 100
    if kind == "share":
        divisors = [d for d in range(2, 13) if value % d == 0]
        if not divisors:
            return None
        d = rng.choice(divisors)
        return theme.share.format(d=d), value // d
    factor = rng.choice(tuple(_MULTIPLIERS))
    return f"After that the number of {theme.unit} {_MULTIPLIERS[factor]}.", value * factor


TASK = GsmHard()

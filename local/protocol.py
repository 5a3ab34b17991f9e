"""The steering protocol, versioned: every prompt, the steering reply format, its grammar and
its parser. Pure: no I/O. The runtime (:mod:`codesteer.local.loop`) and ``train/`` both build
their messages here, so a model trained on synthesized trajectories sees at run time exactly
what it saw in training.

The exchange, following CodeSteer (Chen et al., 2025), in our own words:

- Turn 0: the steering model reads the question and decides ``Code`` or ``Text``, with
  guidance; the task model answers with the matching method prompt, the guidance and the
  question.
- Each review round: the steering model reads the task model's answer, what its code printed
  in the sandbox, the symbolic check of the code and the task model's check of its own answer,
  and decides again: ``Code`` or ``Text`` (answer again with this method and guidance),
  ``Return Answer`` (the answer stands) or ``Terminate`` (no further progress is likely).

A steering reply is exactly two lines::

    Decision: Code
    Guidance: Enumerate every ordering of the four numbers with itertools ...

Bump :data:`PROTOCOL_VERSION` whenever a prompt or the format changes: trained steering models
record the version they were trained on.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from codesteer.local.sandbox import SandboxResult

__all__ = [
    "CODE_PROMPT",
    "FORMAT_REMINDER",
    "PROTOCOL_VERSION",
    "STEERER_SYSTEM",
    "TEXT_PROMPT",
    "Action",
    "Decision",
    "Method",
    "ReviewInput",
    "SteeringFormatError",
    "decision_grammar",
    "execution_summary",
    "fallback_decision",
    "parse_decision",
    "render_decision",
    "self_check_prompt",
    "steerer_first_input",
    "steerer_review_input",
    "task_first_prompt",
    "task_followup_prompt",
]

PROTOCOL_VERSION = "codesteer-protocol/1"

#: Longest guidance kept, in characters: a steering turn is advice, not an answer.
MAX_GUIDANCE_CHARS = 1200
#: How much of an answer, an output or a check the steering model is shown.
MAX_SHOWN_CHARS = 6000


class Method(str, enum.Enum):
    CODE = "code"
    TEXT = "text"


class Action(str, enum.Enum):
    CODE = "Code"
    TEXT = "Text"
    RETURN_ANSWER = "Return Answer"
    TERMINATE = "Terminate"

    @property
    def method(self) -> Method | None:
        return {Action.CODE: Method.CODE, Action.TEXT: Method.TEXT}.get(self)

    @property
    def ends(self) -> bool:
        return self in (Action.RETURN_ANSWER, Action.TERMINATE)


@dataclass(frozen=True)
class Decision:
    action: Action
    guidance: str = ""

    @property
    def ends(self) -> bool:
        return self.action.ends

    @property
    def method(self) -> Method | None:
        return self.action.method


class SteeringFormatError(ValueError):
    """A steering reply that does not follow the format. Internal: the loop retries once and
    then falls back to a recorded default; it never reaches the user as a failure."""


STEERER_SYSTEM = """\
You steer another language model, the task model, towards a correct answer. You never solve \
the question yourself: you decide how the task model should work and tell it what to watch.

Reply in exactly two lines:
Decision: <Code | Text | Return Answer | Terminate>
Guidance: <one short paragraph for the task model>

Code: the task model answers by writing a Python program that computes the answer.
Text: the task model answers by reasoning step by step in words, without code.
Return Answer: the latest answer is right; stop and keep it.
Terminate: the task model is not getting closer; stop.

Code suits search, enumeration, counting, exact arithmetic, simulation and puzzles with many \
constraints. Text suits questions of language, common sense or a few steps of logic. After \
each answer you see the task model's reply, what its code printed, a symbolic analysis of the \
code and a check the task model wrote for its own answer. If the code only prints an answer \
worked out in the head, ask for code that really searches or computes. If the answers keep \
failing with one method, switch to the other. Decide Return Answer only when the answer is \
complete, in <<<...>>>, and passes the checks."""

CODE_PROMPT = """\
Answer by writing Python. First think briefly about how to compute the answer, then give \
exactly one ```python code block that computes it (search, count or calculate: do not work \
the answer out in your head and print it) and prints the final answer wrapped like \
<<<answer>>>. The code runs with the standard library, numpy and sympy; it cannot read input."""

TEXT_PROMPT = """\
Answer by reasoning in text, without writing code. Work step by step, note the points that \
need care, check each step, then end with the final answer wrapped like <<<answer>>>."""

FORMAT_REMINDER = """\
Your reply did not follow the format. Reply again in exactly two lines:
Decision: <Code | Text | Return Answer | Terminate>
Guidance: <one short paragraph for the task model>"""

_FIRST_ACTIONS = (Action.CODE, Action.TEXT)
_ALL_ACTIONS = tuple(Action)


def _actions(first: bool) -> tuple[Action, ...]:
    return _FIRST_ACTIONS if first else _ALL_ACTIONS


def render_decision(decision: Decision) -> str:
    """The steering reply as the model writes it (and as training data shows it)."""
    return f"Decision: {decision.action.value}\nGuidance: {decision.guidance}"


def decision_grammar(*, first: bool) -> str:
    """A GBNF grammar that admits exactly the replies :func:`parse_decision` accepts (for turn 0
    only ``Code`` and ``Text``). Guidance is one line, so decoding ends at the model's EOS."""
    actions = " | ".join(f'"{action.value}"' for action in _actions(first))
    return (
        'root ::= "Decision: " action "\\nGuidance: " guidance\n'
        f"action ::= {actions}\n"
        f"guidance ::= [^\\n]{{0,{MAX_GUIDANCE_CHARS}}}\n"
    )


_DECISION = re.compile(
    r"\A\s*Decision:[ \t]*(?P<action>[^\n]*?)[ \t]*(?:\n(?P<rest>.*))?\Z", re.DOTALL
)
_GUIDANCE = re.compile(r"\A\s*Guidance:[ \t]*(?P<guidance>.*)\Z", re.DOTALL)


def parse_decision(text: str, *, first: bool) -> Decision:
    """Parse a steering reply strictly: ``Decision:`` first, one of the allowed actions
    (case and surrounding ``*``/``<<< >>>`` aside), then optionally ``Guidance:`` and its text.

    Raises :class:`SteeringFormatError` with the reason otherwise.
    """
    match = _DECISION.match(text)
    if not match:
        raise SteeringFormatError("the reply does not start with 'Decision:'")
    word = match.group("action").strip("*<> \t").casefold()
    allowed = {action.value.casefold(): action for action in _actions(first)}
    if word not in allowed:
        names = ", ".join(action.value for action in _actions(first))
        raise SteeringFormatError(f"decision {match.group('action')!r} is not one of {names}")
    rest = match.group("rest") or ""
    guidance = ""
    if rest.strip():
        found = _GUIDANCE.match(rest)
        if not found:
            raise SteeringFormatError("the second line does not start with 'Guidance:'")
        guidance = found.group("guidance").strip()
    return Decision(allowed[word], guidance[:MAX_GUIDANCE_CHARS])


def fallback_decision(*, first: bool) -> Decision:
    """What the loop does when a steering model cannot produce a well-formed reply: code for
    the first answer (it scales where text does not), else keep the answer it has."""
    if first:
        return Decision(Action.CODE, "")
    return Decision(Action.RETURN_ANSWER, "")


# -- steering model inputs --------------------------------------------------------------------


def _clip(text: str, limit: int = MAX_SHOWN_CHARS) -> str:
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}\n[... {len(text) - limit} characters left out ...]\n{text[-half:]}"


def steerer_first_input(question: str) -> str:
    return (
        f"Question:\n{question.strip()}\n\n"
        "Decide whether the task model should answer with Code or Text, and give guidance."
    )


@dataclass(frozen=True)
class ReviewInput:
    """What the steering model reads in a review round."""

    round: int
    rounds: int
    answer: str
    #: None when the answer held no code.
    execution: str | None
    symbolic: str | None
    self_check: str | None


def steerer_review_input(review: ReviewInput) -> str:
    parts = [
        f"Review {review.round} of {review.rounds}. The task model answered:",
        f"<answer>\n{_clip(review.answer.strip())}\n</answer>",
    ]
    if review.execution is None:
        parts.append("The answer holds no Python code.")
    else:
        parts.append(f"Its code ran in the sandbox:\n{_clip(review.execution.strip())}")
    if review.symbolic is not None:
        parts.append(f"Symbolic analysis of the code:\n{review.symbolic.strip()}")
    if review.self_check is not None:
        parts.append(f"The task model's check of its own answer:\n{_clip(review.self_check)}")
    parts.append("Decide: Code, Text, Return Answer or Terminate, and give guidance.")
    return "\n\n".join(parts)


# -- task model inputs ------------------------------------------------------------------------


def _method_prompt(method: Method) -> str:
    return CODE_PROMPT if method is Method.CODE else TEXT_PROMPT


def task_first_prompt(question: str, method: Method | None, guidance: str = "") -> str:
    """The task model's first message. ``method=None`` is the plain question (baselines)."""
    if method is None:
        return question.strip()
    parts = [_method_prompt(method)]
    if guidance.strip():
        parts.append(f"Guidance: {guidance.strip()}")
    parts.append(f"Question:\n{question.strip()}")
    return "\n\n".join(parts)


def task_followup_prompt(method: Method, guidance: str = "") -> str:
    parts = []
    if guidance.strip():
        parts.append(f"Guidance: {guidance.strip()}")
    parts.append(f"Answer the question again. {_method_prompt(method)}")
    return "\n\n".join(parts)


def self_check_prompt(question: str, answer: str) -> str:
    """Ask the task model for a program that checks an answer against the question."""
    return (
        "Another assistant answered the question below. Write one Python program that checks "
        "that answer against every condition the question states. It prints exactly 'Correct' "
        "if all hold, otherwise one line naming the condition that fails. Check, do not merely "
        "re-solve, where checking is possible. Give exactly one ```python code block.\n\n"
        f"Question:\n{question.strip()}\n\n"
        f"Answer:\n{_clip(answer.strip())}"
    )


def execution_summary(result: SandboxResult) -> str:
    """A sandbox outcome as the steering model reads it."""
    head = f"status: {result.status}"
    if result.exit_code is not None:
        head += f" (exit code {result.exit_code})"
    if result.limits_hit:
        head += f"; limits hit: {', '.join(result.limits_hit)}"
    parts = [head, f"output:\n{result.stdout.strip() or '(nothing)'}"]
    if result.stderr.strip():
        parts.append(f"errors:\n{result.stderr.strip()}")
    if result.truncated:
        parts.append("(the output was cut: only its beginning and end are shown)")
    return "\n".join(parts)

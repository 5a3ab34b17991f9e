"""The steering protocol: reply format, grammar, parser, prompts."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from codesteer.local import protocol
from codesteer.local.protocol import (
    Action,
    Decision,
    Method,
    ReviewInput,
    SteeringFormatError,
    decision_grammar,
    fallback_decision,
    parse_decision,
    render_decision,
)
from codesteer.local.sandbox import IsolationLevel, SandboxResult


def test_all_is_exported_and_complete() -> None:
    for name in protocol.__all__:
        assert hasattr(protocol, name), name


@pytest.mark.parametrize("action", list(Action))
def test_render_then_parse_round_trips(action: Action) -> None:
    decision = Decision(action, "Enumerate all orderings with itertools.permutations.")
    first = action in (Action.CODE, Action.TEXT)
    assert parse_decision(render_decision(decision), first=False) == decision
    if first:
        assert parse_decision(render_decision(decision), first=True) == decision


@pytest.mark.parametrize(
    ("text", "action", "guidance"),
    [
        ("Decision: Code\nGuidance: use sympy", Action.CODE, "use sympy"),
        ("  Decision:   text  \nGuidance:   think  \n", Action.TEXT, "think"),
        ("Decision: **Return Answer**", Action.RETURN_ANSWER, ""),
        ("Decision: <<<Terminate>>>\nGuidance: hopeless", Action.TERMINATE, "hopeless"),
        ("Decision: Code\nGuidance: line one\nline two", Action.CODE, "line one\nline two"),
    ],
)
def test_parse_accepts_the_format(text: str, action: Action, guidance: str) -> None:
    assert parse_decision(text, first=False) == Decision(action, guidance)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Code",
        "I think code is better. Decision: Code",
        "Decision: Python\nGuidance: x",
        "Decision: Code\nAdvice: x",
        "<<<Code>>>",
    ],
)
def test_parse_rejects_anything_else(text: str) -> None:
    with pytest.raises(SteeringFormatError):
        parse_decision(text, first=False)


@pytest.mark.parametrize("action", [Action.RETURN_ANSWER, Action.TERMINATE])
def test_first_turn_only_chooses_a_method(action: Action) -> None:
    with pytest.raises(SteeringFormatError, match="not one of Code, Text"):
        parse_decision(f"Decision: {action.value}", first=True)


@given(st.text(max_size=300))
def test_parse_never_raises_anything_but_format_errors(text: str) -> None:
    try:
        decision = parse_decision(text, first=False)
    except SteeringFormatError:
        return
    assert isinstance(decision.action, Action)


def test_grammar_names_exactly_the_allowed_actions() -> None:
    first = decision_grammar(first=True)
    later = decision_grammar(first=False)
    assert '"Code" | "Text"\n' in first and "Terminate" not in first
    for action in Action:
        assert f'"{action.value}"' in later
    assert re.search(r"guidance ::= \[\^\\n\]\{0,\d+\}", later)


def test_fallbacks_are_code_first_then_keep_the_answer() -> None:
    assert fallback_decision(first=True).action is Action.CODE
    assert fallback_decision(first=False).action is Action.RETURN_ANSWER
    assert fallback_decision(first=False).ends


def test_task_prompts_carry_method_guidance_and_question() -> None:
    code = protocol.task_first_prompt("What is 17*23?", Method.CODE, "multiply exactly")
    assert "```python" in code and "multiply exactly" in code and code.endswith("What is 17*23?")
    text = protocol.task_first_prompt("What is 17*23?", Method.TEXT)
    assert "without writing code" in text and "Guidance" not in text
    assert protocol.task_first_prompt("  plain? ", None) == "plain?"
    follow = protocol.task_followup_prompt(Method.TEXT, "switch to words")
    assert follow.startswith("Guidance: switch to words")


def test_review_input_shows_answer_execution_and_checks_clipped() -> None:
    long_answer = "x" * 20_000
    text = protocol.steerer_review_input(
        ReviewInput(2, 5, long_answer, "status: ok", "Complexity score: 1.", "Correct.")
    )
    assert text.startswith("Review 2 of 5")
    assert "characters left out" in text and len(text) < 10_000
    assert "status: ok" in text and "Complexity score" in text and "Correct." in text
    no_code = protocol.steerer_review_input(ReviewInput(1, 5, "42", None, None, None))
    assert "holds no Python code" in no_code


def test_execution_summary_reports_status_limits_and_truncation() -> None:
    result = SandboxResult(
        status="timeout",
        exit_code=None,
        stdout="partial",
        stderr="Traceback",
        truncated=True,
        limits_hit=("timeout",),
        wall_s=10.0,
        level=IsolationLevel.RLIMITS,
    )
    summary = protocol.execution_summary(result)
    assert summary.startswith("status: timeout; limits hit: timeout")
    assert "partial" in summary and "Traceback" in summary and "cut" in summary

"""The Markdown transcript, read back with markdown-it (the CommonMark parser the TUI renders
with): headings and fences must come out as written, whatever the models put in their text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from codesteer.errors import UserError
from codesteer.local.backends import Usage
from codesteer.local.checks.self_check import SelfCheck
from codesteer.local.checks.symbolic import analyze_code
from codesteer.local.sandbox import IsolationLevel, Limits, Sandbox, SandboxResult
from codesteer.local.transcript import (
    ItemRef,
    RoundRecord,
    SteeringTurn,
    TaskTurn,
    Transcript,
)
from codesteer.local.transcript_markdown import transcript_to_markdown, write_transcript_markdown
from tests.local.scripted_runs import QUESTION, steered_transcript

TRICKY_CODE = 'FENCE = "```"\nLONG = "`````"\nprint(FENCE + LONG)\n```\n'
# the ``` line of the code does not close a four-backtick fence: the reply ends inside it
UNCLOSED_REPLY = "Let me try:\n````python\n" + TRICKY_CODE


def tokens(markdown: str) -> list[Token]:
    return MarkdownIt("commonmark").parse(markdown)


def headings(markdown: str) -> list[str]:
    found = tokens(markdown)
    return [
        "#" * int(token.tag[1]) + " " + found[i + 1].content
        for i, token in enumerate(found)
        if token.type == "heading_open"
    ]


def fences(markdown: str) -> list[tuple[str, str]]:
    return [(t.info, t.content) for t in tokens(markdown) if t.type == "fence"]


def sandbox_result(**changes: object) -> SandboxResult:
    fields: dict[str, object] = {
        "status": "ok",
        "exit_code": 0,
        "stdout": "<<<391>>>\n",
        "stderr": "",
        "truncated": False,
        "limits_hit": (),
        "wall_s": 0.25,
        "level": IsolationLevel.RLIMITS,
    }
    fields.update(changes)
    return SandboxResult(**fields)  # type: ignore[arg-type]


def steering(decision: str, guidance: str = "go on", **changes: object) -> SteeringTurn:
    fields: dict[str, object] = {
        "input": "review",
        "reply": f"Decision: {decision}\nGuidance: {guidance}",
        "decision": decision,
        "guidance": guidance,
        "parse": "ok",
        "usage": Usage(10, 3),
        "seconds": 0.5,
    }
    fields.update(changes)
    return SteeringTurn(**fields)  # type: ignore[arg-type]


def transcript(*rounds: RoundRecord, **changes: object) -> Transcript:
    fields: dict[str, object] = {
        "protocol": "codesteer-protocol/1",
        "codesteer_version": "0.1.0",
        "question": QUESTION,
        "task_model": "openai:gpt-4o",
        "steerer": "ollama:codesteer",
        "rounds_limit": 5,
        "sandbox_level": "rlimits",
        "options": {"rounds": 5},
        "started_at": "2025-01-02T03:04:05+00:00",
        "rounds": list(rounds),
        "final_answer": "391",
        "final_source": "code",
        "stop_reason": "return_answer",
        "task_usage": Usage(100, 40),
        "steerer_usage": Usage(300, 12),
        "seconds": 4.5,
    }
    fields.update(changes)
    return Transcript(**fields)  # type: ignore[arg-type]


def full_transcript() -> Transcript:
    """Three rounds with every part filled: fallback parsing, code with fences inside it, a
    truncated run that hit limits, both checks, a round without a task turn."""
    first = RoundRecord(
        index=0,
        steering=steering("Code", "use itertools"),
        task=TaskTurn("prompt", UNCLOSED_REPLY, Usage(50, 20), 1.0, "stop"),
        code=TRICKY_CODE,
        sandbox=sandbox_result(
            status="killed",
            exit_code=None,
            stdout="head\n[... 900 bytes dropped ...]\ntail\n",
            stderr="MemoryError\n",
            truncated=True,
            limits_hit=("memory", "output"),
        ),
        symbolic=analyze_code(TRICKY_CODE),
        self_check=SelfCheck(
            "incorrect", "17*23 is not 392\n", "print('17*23 is not 392')", 1, Usage(5, 5)
        ),
    )
    second = RoundRecord(
        index=1,
        steering=steering("Text", "think again", parse="fallback", rejected=("junk", "more")),
        task=TaskTurn("prompt", "The answer is <<<391>>>.", Usage(50, 20), 1.0),
    )
    third = RoundRecord(index=2, steering=steering("Return Answer", ""))
    return transcript(
        first,
        second,
        third,
        item=ItemRef("number_multiply", "number_multiply-0-0", "generated"),
        score={"value": 1.0, "answer": "391", "reason": "matches <<<391>>> *exactly*"},
        error=None,
    )


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(Limits(timeout_s=20)) as box:
        yield box


def test_a_real_run_reads_round_by_round(sandbox: Sandbox) -> None:
    run = steered_transcript(sandbox)
    markdown = transcript_to_markdown(run)
    assert headings(markdown) == [
        "# codesteer transcript",
        "## Question",
        "## Round 0",
        "### Steering",
        "### Task reply",
        "### Code",
        "### Sandbox",
        "### Symbolic check",
        "### Self-check",
        "## Round 1",
        "### Steering",
        "## Outcome",
        "## Token usage",
    ]
    first = run.rounds[0]
    assert first.code is not None and first.sandbox is not None
    blocks = fences(markdown)
    assert ("text", QUESTION + "\n") in blocks
    assert ("text", "multiply exactly\n") in blocks
    # the reply's own fence, then the extracted code, then what it printed
    assert blocks.count(("python", first.code)) == 2
    assert ("text", first.sandbox.stdout) in blocks
    assert "- Decision: **Code**" in markdown and "- Decision: **Return Answer**" in markdown
    assert "- Final answer: `391`" in markdown
    assert "- Stop reason: return_answer" in markdown
    task, steer = run.task_usage, run.steerer_usage
    assert f"| task | {task.prompt_tokens} | {task.completion_tokens} |" in markdown
    assert f"| steerer | {steer.prompt_tokens} | {steer.completion_tokens} |" in markdown


def test_every_part_of_a_full_transcript_in_order() -> None:
    markdown = transcript_to_markdown(full_transcript())
    assert headings(markdown) == [
        "# codesteer transcript",
        "## Question",
        "## Round 0",
        "### Steering",
        "### Task reply",
        "### Code",
        "### Sandbox",
        "### Symbolic check",
        "### Self-check",
        "## Round 1",
        "### Steering",
        "### Task reply",
        "## Round 2",
        "### Steering",
        "## Outcome",
        "## Token usage",
    ]
    assert "- SymBench item: `number_multiply-0-0`" in markdown
    assert "- Steerer: `ollama:codesteer`" in markdown
    assert "- Rounds limit: 5" in markdown
    assert "- Status: **killed**, exit code none, 0.25 s" in markdown
    assert "- Limits hit: `memory`, `output`" in markdown
    assert "- Output truncated" in markdown
    assert ("text", "MemoryError\n") in fences(markdown)
    assert "- Verdict: **incorrect**" in markdown
    assert ("text", "17*23 is not 392\n") in fences(markdown)
    assert "- Parse: fallback" in markdown
    assert [c for i, c in fences(markdown) if i == "text"].count("junk\n") == 1
    assert "No task turn" in markdown
    assert "- Score: **1**, graded answer `391`" in markdown
    # the reason is text, not Markdown: no emphasis, no raw HTML
    found = tokens(markdown)
    inline = [child for t in found if t.children for child in t.children]
    assert not any(child.type in {"em_open", "html_inline"} for child in inline)
    assert "matches <<<391>>> *exactly*" in "".join(c.content for c in inline)


def test_code_with_fences_inside_stays_in_one_block() -> None:
    markdown = transcript_to_markdown(full_transcript())
    assert ("python", TRICKY_CODE) in fences(markdown)
    assert "``````python\n" in markdown  # one backtick longer than the longest run


def test_an_unclosed_fence_in_a_reply_is_closed() -> None:
    # round 0's reply opens a fence that never closes: the rest must still be headings
    markdown = transcript_to_markdown(full_transcript())
    # the reply's fence ends where the reply does: the code section is a block of its own
    assert fences(markdown).count(("python", TRICKY_CODE)) == 2
    assert headings(markdown)[4:6] == ["### Task reply", "### Code"]


@pytest.mark.parametrize(
    "reply",
    [
        "Here:\n```python\nx = 1",
        "Here:\n~~~~\nx = 1\n~~~\n",  # a shorter closer does not close
        "   ````\nx = 1\n```",
        # closed by its list item's end: a closer added at the top level would open a fence
        "Steps:\n\n1. compute\n   ```python\n   x = 1",
    ],
)
def test_unclosed_fences_of_every_kind(reply: str) -> None:
    record = RoundRecord(0, task=TaskTurn("prompt", reply), code="x = 1\n")
    markdown = transcript_to_markdown(transcript(record, RoundRecord(1)))
    assert headings(markdown)[-4:] == ["### Code", "## Round 1", "## Outcome", "## Token usage"]
    assert ("python", "x = 1\n") in fences(markdown)


def test_a_closed_reply_is_kept_as_written() -> None:
    reply = "Intro\n\n```python\nx = 1\n```\n\n> quoted\n> ```\n\n- item\n  ```\n  y\n  ```"
    record = RoundRecord(0, task=TaskTurn("prompt", reply))
    markdown = transcript_to_markdown(transcript(record))
    assert reply + "\n\n" in markdown
    assert headings(markdown)[-2:] == ["## Outcome", "## Token usage"]


def test_a_question_full_of_markdown_stays_one_text_block() -> None:
    question = "```\n# not a heading\n<pre>\n````` five\n| a | b |"
    markdown = transcript_to_markdown(transcript(question=question))
    assert ("text", question + "\n") in fences(markdown)
    assert headings(markdown) == [
        "# codesteer transcript",
        "## Question",
        "## Outcome",
        "## Token usage",
    ]


def test_no_steerer_no_score_and_a_multiline_answer_with_an_error() -> None:
    record = RoundRecord(0, task=TaskTurn("prompt", ""))
    markdown = transcript_to_markdown(
        transcript(
            record,
            steerer=None,
            final_answer="line one\nline two",
            stop_reason="error",
            error="server said ```no```",
        )
    )
    assert "- Steerer: none" in markdown
    assert "*(empty reply)*" in markdown
    assert "Score" not in markdown
    assert ("text", "line one\nline two\n") in fences(markdown)
    assert ("text", "server said ```no```\n") in fences(markdown)


def test_secrets_never_reach_the_document(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # underscores and a star: escaping them first would hide the secret from the redactor
    secret = "hunter2_top*secret_value"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    run = steered_transcript(sandbox, question=f"My key is {secret}. What is 17 * 23?")
    by_hand = full_transcript()
    by_hand.item = ItemRef("number_multiply", secret, "generated")
    by_hand.score = {"value": 0.0, "answer": secret, "reason": f"saw {secret}"}
    by_hand.error = f"failed with {secret}"
    for document in (transcript_to_markdown(run), transcript_to_markdown(by_hand)):
        assert "hunter2" not in document
    assert "[OPENAI_API_KEY redacted]" in transcript_to_markdown(run)


def test_written_atomically_and_replacing_the_old_file(tmp_path: Path) -> None:
    path = tmp_path / "exports" / "run.md"
    write_transcript_markdown(transcript(), path)
    path.write_text("old", encoding="utf-8")
    data = full_transcript()
    write_transcript_markdown(data, path)
    assert path.read_text(encoding="utf-8") == transcript_to_markdown(data)
    assert [p.name for p in path.parent.iterdir()] == ["run.md"]


def test_an_unwritable_path_is_a_user_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(UserError, match=r"cannot write transcript .*not-a-dir"):
        write_transcript_markdown(transcript(), blocker / "run.md")
    assert blocker.read_text(encoding="utf-8") == "x"

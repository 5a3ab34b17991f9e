"""The self-answer checker: the task model writes a program that checks its own answer against
the question, and the sandbox runs it. Its verdict is a hint for the steering model, not a
grade: the program can be wrong too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from codesteer.local.backends import Backend, GenerationOptions, Message, Usage
from codesteer.local.extract import first_python_block
from codesteer.local.protocol import self_check_prompt
from codesteer.local.sandbox import SandboxResult

__all__ = ["CheckTry", "CodeRunner", "SelfCheck", "Verdict", "self_check"]

Verdict = Literal["correct", "incorrect", "inconclusive"]
#: Runs code in the sandbox: ``await runner(code)``.
CodeRunner = Callable[[str], Awaitable[SandboxResult]]

_NO_BLOCK = "Give exactly one ```python code block that checks the answer and prints the verdict."


@dataclass(frozen=True)
class CheckTry:
    """One reply of the checking model and what its program did: with these a recorded run can
    be replayed exactly (``codesteer.train.replay``), failed tries included."""

    reply: str
    #: ``None`` when the reply held no code block.
    sandbox: SandboxResult | None = None


@dataclass(frozen=True)
class SelfCheck:
    verdict: Verdict
    #: What the checking program printed, or why no verdict could be had.
    output: str
    code: str | None
    attempts: int
    usage: Usage
    sandbox: SandboxResult | None = None
    #: Every try, in order (the last one is the one ``code`` and ``sandbox`` describe).
    tries: tuple[CheckTry, ...] = ()

    def summary(self) -> str:
        if self.verdict == "correct":
            return "The checking program printed: Correct."
        if self.verdict == "incorrect":
            return f"The checking program found a problem:\n{self.output.strip()}"
        return f"No verdict: {self.output.strip()}"


def _verdict(stdout: str) -> Verdict:
    lines = [line.strip() for line in stdout.strip().splitlines() if line.strip()]
    if not lines:
        return "inconclusive"
    return "correct" if lines[-1].strip(" .!'\"").casefold() == "correct" else "incorrect"


async def self_check(
    question: str,
    answer: str,
    *,
    backend: Backend,
    run_code: CodeRunner,
    options: GenerationOptions,
    attempts: int = 2,
) -> SelfCheck:
    """Ask ``backend`` for a checking program, run it; retry (up to ``attempts`` replies in
    all) when the reply has no code block or the program fails."""
    messages = [Message("user", self_check_prompt(question, answer))]
    usage = Usage()
    last_problem = "the model wrote no checking program"
    code: str | None = None
    result: SandboxResult | None = None
    tries: list[CheckTry] = []
    for attempt in range(1, attempts + 1):
        reply = await backend.chat(messages, options)
        usage = usage + reply.usage
        messages.append(Message("assistant", reply.text))
        code = first_python_block(reply.text)
        if code is None:
            tries.append(CheckTry(reply.text))
            last_problem = "the model wrote no checking program"
            messages.append(Message("user", _NO_BLOCK))
            continue
        result = await run_code(code)
        tries.append(CheckTry(reply.text, result))
        if result.status == "ok" and result.stdout.strip():
            return SelfCheck(
                _verdict(result.stdout), result.stdout, code, attempt, usage, result, tuple(tries)
            )
        tail = (result.stderr or result.stdout).strip()[-1500:] or result.status
        last_problem = f"the checking program failed ({result.status}): {tail}"
        messages.append(Message("user", f"The program failed ({result.status}):\n{tail}\nFix it."))
    return SelfCheck("inconclusive", last_problem, code, attempts, usage, result, tuple(tries))

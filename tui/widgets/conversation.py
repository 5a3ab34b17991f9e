"""The steering conversation: the runtime's events rendered as cards, one per round.

Holds no steering logic: :meth:`Conversation.show` takes each :mod:`codesteer.local.events`
event (live, or replayed from a transcript) and updates the card it belongs to.
"""

from __future__ import annotations

import re

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Markdown, Static
from textual.widgets.markdown import MarkdownStream

from codesteer.local.describe import (
    round_title,
    sandbox_summary,
    score_summary,
    short_spec,
    symbolic_summary,
)
from codesteer.local.events import (
    CodeExtracted,
    Event,
    FinalAnswer,
    RoundStarted,
    RunFinished,
    RunStarted,
    SandboxFinished,
    SelfChecked,
    SteeringDecided,
    SymbolicChecked,
    TaskDelta,
    TaskReplied,
)
from codesteer.local.protocol import Action
from codesteer.local.sandbox import SandboxResult

__all__ = ["Conversation", "FinalPanel", "QuestionCard", "RoundCard"]

#: Lines of sandbox output shown per stream; the rest is marked as cut (the transcript has it).
OUTPUT_LINES = 12
_FENCE = re.compile(r"^(`{3,}|~{3,})[^\n]*\n(.*?)^\1\s*$", re.MULTILINE | re.DOTALL)
_ACTION_STYLE = {
    Action.CODE: "bold $accent",
    Action.TEXT: "bold $secondary",
    Action.RETURN_ANSWER: "bold $success",
    Action.TERMINATE: "bold $error",
}


def last_code_block(markdown: str) -> str | None:
    blocks = _FENCE.findall(markdown)
    return blocks[-1][1] if blocks else None


def output_text(result: SandboxResult) -> list[tuple[str, str]]:
    """stdout and stderr as (text, style) pieces, each cut to its last :data:`OUTPUT_LINES`
    lines, the cuts marked."""
    pieces: list[tuple[str, str]] = []
    for name, stream, style in (("stdout", result.stdout, ""), ("stderr", result.stderr, "red")):
        lines = stream.rstrip("\n").splitlines()
        if not lines:
            continue
        pieces.append((f"\n{name}:", "dim"))
        if len(lines) > OUTPUT_LINES:
            pieces.append((f"\n… {len(lines) - OUTPUT_LINES} earlier lines not shown", "dim"))
            lines = lines[-OUTPUT_LINES:]
        pieces.append(("\n" + "\n".join(lines), style))
    if result.truncated:
        pieces.append(("\n[the sandbox truncated this output at its limit]", "$warning"))
    return pieces


class QuestionCard(Static):
    """The question and who answers it."""

    def __init__(self, event: RunStarted) -> None:
        steerer = short_spec(event.steerer) if event.steerer else "none (task model alone)"
        body = Content.assemble(
            event.question,
            (
                f"\n\ntask model {short_spec(event.task_model)} · steerer {steerer} · "
                f"up to {event.rounds} review rounds",
                "dim",
            ),
        )
        super().__init__(body, classes="card question")
        self.border_title = "question"


class RoundCard(Vertical, can_focus=True):
    """One round: the steering decision, the task model's reply (streamed as Markdown), the
    sandbox result and the checks. Focus it to copy its reply or code."""

    BINDINGS = [
        Binding("c", "copy_message", "Copy reply", id="card.copy_message"),
        Binding("y", "copy_code", "Copy code", id="card.copy_code"),
    ]

    def __init__(self, index: int) -> None:
        super().__init__(classes="card round")
        self.index = index
        self.border_title = round_title(index)
        self.decision: Action | None = None
        self.reply = ""
        self.code: str | None = None
        self.checks: list[Content] = []
        self._stream: MarkdownStream | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="decision", classes="part")
        yield Markdown(id="reply", classes="part")
        yield Static(id="sandbox", classes="part")
        yield Static(id="checks", classes="part")

    def _part(self, name: str) -> Static:
        part = self.query_one(f"#{name}", Static)
        part.display = True
        return part

    def show_decision(self, event: SteeringDecided) -> None:
        self.decision = event.decision.action
        action = event.decision.action
        pieces: list[str | tuple[str, str]] = [
            ("steer → ", ""),
            (action.value, _ACTION_STYLE[action]),
        ]
        if event.parse != "ok":
            pieces.append((f"  ({event.parse})", "$warning"))
        if event.decision.guidance:
            pieces.append("\n" + event.decision.guidance)
        self._part("decision").update(Content.assemble(*pieces))

    async def stream(self, event: TaskDelta) -> None:
        if self._stream is None:
            reply = self.query_one("#reply", Markdown)
            reply.display = True
            # The stream gathers the deltas that arrive while it renders and appends them in
            # one go: a long reply does not re-render per token.
            self._stream = Markdown.get_stream(reply)
        self.reply += event.text
        await self._stream.write(event.text)

    async def end_stream(self) -> None:
        if self._stream is not None:
            await self._stream.stop()
            self._stream = None

    async def show_reply(self, event: TaskReplied) -> None:
        await self.end_stream()
        # Rendered once more whole: fences streamed in pieces can be left blank otherwise.
        self.reply = event.text
        reply = self.query_one("#reply", Markdown)
        reply.display = True
        await reply.update(event.text)

    def show_code(self, event: CodeExtracted) -> None:
        self.code = event.code

    def show_sandbox(self, event: SandboxFinished) -> None:
        result = event.result
        style = "$success" if result.status == "ok" else "$error"
        self._part("sandbox").update(
            Content.assemble((f"sandbox: {sandbox_summary(result)}", style), *output_text(result))
        )

    def show_check(self, line: Content) -> None:
        self.checks.append(line)
        self._part("checks").update(Content("\n").join(self.checks))

    def action_copy_message(self) -> None:
        self.app.copy_to_clipboard(self.reply)
        self.notify(f"Copied the reply of {round_title(self.index)}")

    def action_copy_code(self) -> None:
        code = self.code or last_code_block(self.reply)
        if code is None:
            self.notify("This round has no code", severity="warning")
            return
        self.app.copy_to_clipboard(code)
        self.notify(f"Copied the code of {round_title(self.index)}")


class FinalPanel(Static, can_focus=True):
    BINDINGS = [Binding("c", "copy_message", "Copy answer", id="final.copy")]

    def __init__(self, event: FinalAnswer) -> None:
        self.answer = event.answer or ""
        body = Content(event.answer if event.answer is not None else "(no answer given)")
        classes = "card final"
        if event.score is not None:
            style = "bold $success" if event.score.correct else "bold $error"
            body = Content.assemble(body, ("\n" + score_summary(event.score), style))
            classes += " correct" if event.score.correct else " wrong"
        super().__init__(body, classes=classes)
        self.border_title = "final answer"
        if event.source:
            self.border_subtitle = f"from the {event.source}"

    def action_copy_message(self) -> None:
        self.app.copy_to_clipboard(self.answer)
        self.notify("Copied the final answer")


class Conversation(VerticalScroll):
    """The cards of one run. Feed it events with :meth:`show`; :meth:`clear` starts over."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._cards: dict[int, RoundCard] = {}

    @property
    def cards(self) -> list[RoundCard]:
        return list(self._cards.values())

    async def end_streams(self) -> None:
        """Stop any reply still streaming (the run was cancelled or failed)."""
        for card in self._cards.values():
            await card.end_stream()

    async def clear(self) -> None:
        await self.end_streams()
        self._cards.clear()
        await self.remove_children()

    async def show(self, event: Event) -> None:
        if not self.is_attached:  # the app is shutting down: a cancelled run's last events
            return
        if isinstance(event, RunStarted):
            await self.mount(QuestionCard(event))
        elif isinstance(event, RoundStarted):
            card = RoundCard(event.round)
            self._cards[event.round] = card
            await self.mount(card)
        elif isinstance(event, FinalAnswer):
            await self.mount(FinalPanel(event))
        elif isinstance(event, RunFinished):
            await self.end_streams()  # a cancelled run can end mid-reply
            reason = event.transcript.stop_reason or "finished"
            note = f"stopped: {reason.replace('_', ' ')}"
            if event.transcript.error:
                note += f" ({event.transcript.error})"
            await self.mount(Static(Content.styled(note, "dim"), classes="stop"))
        else:
            await self._show_in_card(event)
        self.scroll_end(animate=False)

    async def _show_in_card(self, event: Event) -> None:
        card = self._cards.get(getattr(event, "round", -1))
        if card is None:
            return
        if isinstance(event, SteeringDecided):
            card.show_decision(event)
        elif isinstance(event, TaskDelta):
            await card.stream(event)
        elif isinstance(event, TaskReplied):
            await card.show_reply(event)
        elif isinstance(event, CodeExtracted):
            card.show_code(event)
        elif isinstance(event, SandboxFinished):
            card.show_sandbox(event)
        elif isinstance(event, SymbolicChecked):
            style = "$warning" if event.report.too_simple else "dim"
            card.show_check(
                Content.styled(f"symbolic check: {symbolic_summary(event.report)}", style)
            )
        elif isinstance(event, SelfChecked):
            verdict = event.check.verdict
            style = {"correct": "$success", "incorrect": "$error"}.get(verdict, "$warning")
            card.show_check(Content.styled(f"self-check: {verdict}", style))

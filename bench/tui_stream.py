"""How the Steer screen keeps up with a fast model: a long reply streamed into a round card.

The card writes each token delta into Textual's MarkdownStream, which appends whatever
arrived while it was rendering in one go (codesteer's way); the baseline re-renders the whole
reply on every delta (``Markdown.update``), what a naive chat client does. Both run headless in
the same process on the same reply; the figure is the ratio of their wall times, and how many
times each re-parsed the Markdown.

    python bench/tui_stream.py [--tokens 400] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

from textual.app import App, ComposeResult
from textual.widgets import Markdown

from codesteer.local.backends import Usage
from codesteer.local.events import RoundStarted, RunStarted, TaskDelta, TaskReplied
from codesteer.tui.widgets.conversation import Conversation


def reply(tokens: int) -> list[str]:
    """A reply of about ``tokens`` pieces: prose, a list and a code block, like a model's."""
    pieces: list[str] = []
    line = 0
    while len(pieces) < tokens:
        line += 1
        pieces += [f"Step {line}: ", "we ", "compute ", "the ", "value ", "exactly.\n\n"]
        if line % 10 == 0:
            pieces += ["```python\n", f"x = {line} * 17\n", "print(x)\n", "```\n\n"]
    return pieces[:tokens]


PARSES = {"count": 0}


def counted(method: Any) -> Any:
    """``method`` that counts its calls: each one re-parses (part of) the document."""

    def wrapper(self: Markdown, markdown: str) -> Any:
        PARSES["count"] += 1
        return method(self, markdown)

    return wrapper


# A benchmark's instrument, not the app's code: every Markdown widget counts its parses.
Markdown.update = counted(Markdown.update)  # type: ignore[method-assign]
Markdown.append = counted(Markdown.append)  # type: ignore[method-assign]


class Bench(App[None]):
    def __init__(self, mode: str, pieces: list[str]) -> None:
        super().__init__()
        self.mode, self.pieces = mode, pieces
        self.seconds = 0.0

    def compose(self) -> ComposeResult:
        yield Conversation(id="conversation") if self.mode == "stream" else Markdown()

    async def on_mount(self) -> None:
        PARSES["count"] = 0
        start = time.perf_counter()
        if self.mode == "stream":
            conversation = self.query_one(Conversation)
            await conversation.show(RunStarted("q", "task", None, 0, "rlimits", "1"))
            await conversation.show(RoundStarted(0))
            for piece in self.pieces:
                await conversation.show(TaskDelta(0, piece))
            await conversation.show(TaskReplied(0, "".join(self.pieces), Usage(), 0.0))
        else:
            markdown = self.query_one(Markdown)
            text = ""
            for piece in self.pieces:
                text += piece
                await markdown.update(text)
        self.seconds = time.perf_counter() - start
        self.exit()


async def measure(mode: str, pieces: list[str]) -> tuple[float, int]:
    app = Bench(mode, pieces)
    async with app.run_test(size=(100, 40)):
        pass
    return app.seconds, PARSES["count"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=400)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    pieces = reply(args.tokens)
    naive, naive_parses = asyncio.run(measure("update", pieces))
    stream, stream_parses = asyncio.run(measure("stream", pieces))
    result = {
        "tokens": len(pieces),
        "per_token_update_s": round(naive, 3),
        "markdown_stream_s": round(stream, 3),
        "speedup": round(naive / stream, 1),
        "parses": {"per_token_update": naive_parses, "markdown_stream": stream_parses},
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"{len(pieces)} deltas: re-render per token {naive:.2f} s ({naive_parses} parses), "
            f"codesteer's stream {stream:.2f} s ({stream_parses} parses): "
            f"{naive / stream:.1f}x faster"
        )


if __name__ == "__main__":
    main()

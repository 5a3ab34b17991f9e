"""Chat templates: rendering them as llama.cpp and transformers do, and recognising the turn
format a Jinja template implements, so that an equivalent Ollama (Go) template can be written.

Recognition renders the template on probe conversations rather than reading its source: two
templates that differ in spelling but print the same text are the same format, and one that
prints something else (a default system prompt, a date) is caught by the comparison.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "CHATML",
    "FORMATS",
    "LLAMA3",
    "ChatFormat",
    "Message",
    "TurnFormat",
    "go_template",
    "recognise",
    "render_continuation",
    "render_jinja",
    "render_turns",
]

#: A chat message as templates see it.
Message = Mapping[str, str]
#: ``(messages, add_generation_prompt) -> text``: a template, however it is rendered.
Renderer = Callable[[Sequence[Message], bool], str]


@dataclass(frozen=True)
class TurnFormat:
    """How one family of templates writes a turn: ``prefix + role + suffix + content + end``."""

    name: str
    prefix: str
    suffix: str
    end: str
    #: Strings that end a reply: the end-of-turn marker and the start of a next turn.
    stops: tuple[str, ...]

    def turn(self, role: str, content: str) -> str:
        return f"{self.prefix}{role}{self.suffix}{content}{self.end}"

    def header(self, role: str) -> str:
        return f"{self.prefix}{role}{self.suffix}"


CHATML = TurnFormat("chatml", "<|im_start|>", "\n", "<|im_end|>\n", ("<|im_end|>", "<|im_start|>"))
LLAMA3 = TurnFormat(
    "llama3",
    "<|start_header_id|>",
    "<|end_header_id|>\n\n",
    "<|eot_id|>",
    ("<|eot_id|>", "<|start_header_id|>", "<|end_header_id|>"),
)
FORMATS = (CHATML, LLAMA3)


@dataclass(frozen=True)
class ChatFormat:
    """A recognised template: its turn format, the system prompt it adds when a conversation
    has none, and the BOS text it writes itself (empty when the runtime adds BOS)."""

    turns: TurnFormat
    default_system: str | None = None
    bos: str = ""

    @property
    def name(self) -> str:
        return self.turns.name


def render_jinja(
    template: str,
    messages: Sequence[Message],
    *,
    bos_token: str,
    eos_token: str,
    add_generation_prompt: bool,
) -> str:
    """Render a Jinja chat template the way llama-cpp-python does at inference (its
    ``Jinja2ChatFormatter``: a sandboxed environment with transformers' settings and helpers)."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    formatter = Jinja2ChatFormatter(
        template,
        eos_token=eos_token,
        bos_token=bos_token,
        add_generation_prompt=add_generation_prompt,
    )
    return formatter(messages=[dict(message) for message in messages]).prompt  # type: ignore[misc]


def render_continuation(render: Renderer, messages: Sequence[Message]) -> str:
    """The prompt that continues the final (assistant) message, as transformers'
    ``continue_final_message=True`` makes it: the full render, cut after that message's text."""
    text = render(messages, False)
    final = messages[-1]["content"].strip()
    cut = text.rfind(final)
    if not final or cut < 0:
        raise ValueError("the final message's text is not in the rendered conversation")
    return text[: cut + len(final)]


def render_turns(chat: ChatFormat, messages: Sequence[Message]) -> str:
    """What the Ollama template of :func:`go_template` renders for ``messages``: a prompt that
    asks for the next assistant turn, or continues a final assistant message."""
    turns = chat.turns
    parts = [chat.bos]
    for index, message in enumerate(messages):
        role, content = message["role"], message["content"]
        last = index == len(messages) - 1
        if index == 0 and role != "system" and chat.default_system is not None:
            parts.append(turns.turn("system", chat.default_system))
        parts.append(turns.header(role) + content)
        if role != "assistant" or not last:
            parts.append(turns.end)
        if last and role != "assistant":
            parts.append(turns.header("assistant"))
    return "".join(parts)


def _go_string(text: str) -> str:
    """A Go template string constant printing ``text`` (JSON escapes are valid Go escapes)."""
    return "{{ " + json.dumps(text, ensure_ascii=False) + " }}"


def go_template(chat: ChatFormat) -> str:
    """The Ollama (Go text/template) equivalent of ``chat``, over ``.Messages``.

    Every literal is a quoted string constant, so the ``{{-`` trim markers that lay the
    template out on lines can never eat a newline that belongs to the prompt.
    """
    turns = chat.turns
    lines = []
    if chat.bos:
        lines.append(_go_string(chat.bos))
    lines.append("{{- range $i, $_ := .Messages }}")
    lines.append("{{- $last := eq (len (slice $.Messages $i)) 1 }}")
    if chat.default_system is not None:
        system = _go_string(turns.turn("system", chat.default_system))
        lines.append('{{- if and (eq $i 0) (ne .Role "system") }}' + system + "{{ end }}")
    lines.append(
        "{{- "
        + json.dumps(turns.prefix)
        + " }}{{ .Role }}"
        + _go_string(turns.suffix)
        + "{{ .Content }}"
    )
    lines.append(
        '{{- if or (ne .Role "assistant") (not $last) }}' + _go_string(turns.end) + "{{ end }}"
    )
    lines.append(
        '{{- if and $last (ne .Role "assistant") }}'
        + _go_string(turns.header("assistant"))
        + "{{ end }}"
    )
    lines.append("{{- end }}")
    return "\n".join(lines)


# Probe conversations: every position a system, user or assistant turn can take, contents
# with inner newlines and quotes, and the two endings Ollama renders (ask for a reply, or
# continue a final assistant message).
_SYSTEM = {"role": "system", "content": 'You are a probe.\nAnswer "briefly".'}
_USER = {"role": "user", "content": "First question?"}
_ASSISTANT = {"role": "assistant", "content": "First answer.\nSecond line."}
_USER2 = {"role": "user", "content": "Second question: {x} <b>?"}
_PROBES_REPLY: tuple[tuple[Message, ...], ...] = (
    (_USER,),
    (_SYSTEM, _USER),
    (_USER, _ASSISTANT, _USER2),
    (_SYSTEM, _USER, _ASSISTANT, _USER2),
)
_PROBES_CONTINUE: tuple[tuple[Message, ...], ...] = (
    (_USER, _ASSISTANT),
    (_SYSTEM, _USER, _ASSISTANT),
)


def recognise(render: Renderer, *, bos_text: str = "", add_bos: bool = False) -> ChatFormat | None:
    """The :class:`ChatFormat` that renders exactly as ``render`` on every probe, or None.

    ``bos_text`` is the BOS token's text; when the runtime adds BOS itself (``add_bos``) a
    template that also writes it is compared without it, as the BOS token is added once.
    """
    runtime_bos = bos_text if add_bos else ""
    for turns in FORMATS:
        for chat in _candidates(render, turns, bos_text, add_bos):
            if _agrees(render, chat, runtime_bos):
                return chat
    return None


def _candidates(
    render: Renderer, turns: TurnFormat, bos_text: str, add_bos: bool
) -> list[ChatFormat]:
    """Formats of family ``turns`` that fit the render of one user message: what comes before
    the user turn is nothing, a default system turn, the BOS text, or BOS and system. (BOS can
    also be a turn marker, as SmolLM2's ``<|im_start|>``: both readings are tried.)"""
    try:
        text = render([_USER], True)
    except Exception:  # a template that raises on this probe is not this format
        return []
    at = text.find(turns.turn("user", _USER["content"]))
    if at < 0:
        return []
    leading = text[:at]
    readings = [(leading, "")]
    if bos_text and leading.startswith(bos_text):
        readings.append((leading[len(bos_text) :], "" if add_bos else bos_text))
    found = []
    header = turns.header("system")
    for rest, bos in readings:
        if not rest:
            found.append(ChatFormat(turns, None, bos))
        elif rest.startswith(header) and rest.endswith(turns.end):
            found.append(ChatFormat(turns, rest[len(header) : len(rest) - len(turns.end)], bos))
    return found


def _agrees(render: Renderer, chat: ChatFormat, runtime_bos: str) -> bool:
    try:
        for messages in _PROBES_REPLY:
            if _strip(render(messages, True), runtime_bos) != render_turns(chat, messages):
                return False
        for messages in _PROBES_CONTINUE:
            continued = render_continuation(render, messages)
            if _strip(continued, runtime_bos) != render_turns(chat, messages):
                return False
    except Exception:  # any template error on a probe: not recognised
        return False
    return True


def _strip(text: str, prefix: str) -> str:
    return text[len(prefix) :] if prefix and text.startswith(prefix) else text

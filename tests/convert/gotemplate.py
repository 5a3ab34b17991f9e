"""A tiny renderer for the subset of Go's text/template that our Ollama templates use, so the
tests can check what Ollama would print without Ollama (which cannot be installed here).

Supported: text with ``{{-``/``-}}`` trimming; ``range $i, $x := PIPE``, ``if``/``else``,
``$v := PIPE``, printing a pipeline; operands ``.Field``, ``$.Field``, ``$v``, ``"string"``,
integers, ``(...)``; functions ``eq ne and or not len slice``. Anything else raises, so a
template that strays from the subset fails the test instead of rendering wrongly.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["render"]

_ACTION = re.compile(r"\{\{(-\s)?(.*?)(\s-)?\}\}", re.DOTALL)
_TOKEN = re.compile(
    r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<open>\()|(?P<close>\))|(?P<assign>:=)|(?P<comma>,)'
    r"|(?P<var>\$[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*|\$(?:\.[A-Za-z_]\w*)*)"
    r"|(?P<field>(?:\.[A-Za-z_]\w*)+|\.)|(?P<num>-?\d+)|(?P<ident>[A-Za-z_]\w*))"
)


@dataclass
class _Text:
    text: str


@dataclass
class _Print:
    pipe: list[Any]


@dataclass
class _Assign:
    name: str
    pipe: list[Any]


@dataclass
class _If:
    cond: list[Any]
    body: list[Any] = field(default_factory=list)
    orelse: list[Any] = field(default_factory=list)


@dataclass
class _Range:
    index: str | None
    value: str | None
    pipe: list[Any]
    body: list[Any] = field(default_factory=list)


def _tokens(source: str) -> list[tuple[str, str]]:
    tokens = []
    position = 0
    source = source.rstrip()
    while position < len(source):
        match = _TOKEN.match(source, position)
        if match is None or match.end() == position:
            raise ValueError(f"cannot parse action at: {source[position:]!r}")
        kind = match.lastgroup
        assert kind is not None
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


def _parse(template: str) -> list[Any]:
    pieces: list[tuple[str, str]] = []  # ("text", s) or ("action", s)
    last = 0
    for match in _ACTION.finditer(template):
        text = template[last : match.start()]
        if match.group(1):
            text = text.rstrip()
        if pieces and pieces[-1][0] == "trim-right":
            pieces.pop()
            text = text.lstrip()
        pieces.append(("text", text))
        pieces.append(("action", match.group(2)))
        if match.group(3):
            pieces.append(("trim-right", ""))
        last = match.end()
    tail = template[last:]
    if pieces and pieces[-1][0] == "trim-right":
        pieces.pop()
        tail = tail.lstrip()
    pieces.append(("text", tail))

    root: list[Any] = []
    stack: list[tuple[Any, list[Any]]] = [(None, root)]
    for kind, value in pieces:
        body = stack[-1][1]
        if kind == "text":
            if value:
                body.append(_Text(value))
            continue
        tokens = _tokens(value)
        head = tokens[0] if tokens else ("", "")
        if head == ("ident", "end"):
            stack.pop()
        elif head == ("ident", "else"):
            node = stack[-1][0]
            assert isinstance(node, _If), "else outside if"
            stack[-1] = (node, node.orelse)
        elif head == ("ident", "if"):
            node = _If(tokens[1:])
            body.append(node)
            stack.append((node, node.body))
        elif head == ("ident", "range"):
            rest = tokens[1:]
            names: list[str] = []
            if any(t[0] == "assign" for t in rest):
                split = [t[0] for t in rest].index("assign")
                names = [t[1] for t in rest[:split] if t[0] == "var"]
                rest = rest[split + 1 :]
            index, item = (
                (names[0], names[1]) if len(names) == 2 else (None, names[0] if names else None)
            )
            node = _Range(index, item, rest)
            body.append(node)
            stack.append((node, node.body))
        elif len(tokens) > 1 and tokens[0][0] == "var" and tokens[1][0] == "assign":
            body.append(_Assign(tokens[0][1], tokens[2:]))
        else:
            body.append(_Print(tokens))
    assert len(stack) == 1, "unclosed block"
    return root


def _truth(value: Any) -> bool:
    return bool(value)


def _call(name: str, args: list[Any]) -> Any:
    if name == "eq":
        return args[0] == args[1]
    if name == "ne":
        return args[0] != args[1]
    if name == "not":
        return not _truth(args[0])
    if name == "and":
        for arg in args:
            if not _truth(arg):
                return arg
        return args[-1]
    if name == "or":
        for arg in args:
            if _truth(arg):
                return arg
        return args[-1]
    if name == "len":
        return len(args[0])
    if name == "slice":
        return args[0][args[1] : args[2] if len(args) > 2 else None]
    raise ValueError(f"function {name!r} is outside the supported subset")


def _lookup(value: Any, path: str) -> Any:
    for name in [p for p in path.split(".") if p]:
        value = value[name]
    return value


def _eval(tokens: list[tuple[str, str]], scope: dict[str, Any]) -> Any:
    values, _ = _operands(tokens, 0, scope)
    if values and callable(values[0]):
        return values[0](values[1:])
    assert len(values) == 1, f"cannot evaluate {tokens}"
    return values[0]


def _operands(
    tokens: list[tuple[str, str]], start: int, scope: dict[str, Any]
) -> tuple[list[Any], int]:
    values: list[Any] = []
    i = start
    while i < len(tokens):
        kind, text = tokens[i]
        if kind == "close":
            return values, i + 1
        if kind == "open":
            inner, i = _operands(tokens, i + 1, scope)
            values.append(inner[0](inner[1:]) if inner and callable(inner[0]) else inner[0])
            continue
        if kind == "str":
            values.append(json.loads(text))
        elif kind == "num":
            values.append(int(text))
        elif kind == "field":
            values.append(_lookup(scope["."], text))
        elif kind == "var":
            name, _, path = text.partition(".")
            values.append(_lookup(scope[name], path))
        elif kind == "ident":
            values.append(lambda args, name=text: _call(name, args))
        else:
            raise ValueError(f"unexpected {text!r}")
        i += 1
    return values, i


def _run(nodes: list[Any], scope: dict[str, Any], out: list[str]) -> None:
    for node in nodes:
        if isinstance(node, _Text):
            out.append(node.text)
        elif isinstance(node, _Print):
            out.append(str(_eval(node.pipe, scope)))
        elif isinstance(node, _Assign):
            scope[node.name] = _eval(node.pipe, scope)
        elif isinstance(node, _If):
            branch = node.body if _truth(_eval(node.cond, scope)) else node.orelse
            _run(branch, dict(scope), out)
        elif isinstance(node, _Range):
            for index, item in enumerate(_eval(node.pipe, scope)):
                inner = {**scope, ".": item}
                if node.index:
                    inner[node.index] = index
                if node.value:
                    inner[node.value] = item
                _run(node.body, inner, out)


def render(template: str, messages: list[dict[str, str]]) -> str:
    """What Ollama prints for ``messages`` (lower-case keys, as in its API)."""
    data = {"Messages": [{"Role": m["role"], "Content": m["content"]} for m in messages]}
    out: list[str] = []
    _run(_parse(template), {".": data, "$": data}, out)
    return "".join(out)

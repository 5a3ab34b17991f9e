"""A protocol-faithful stand-in for an Ollama server, on loopback, for the adapter's tests.

No Ollama binary can be installed here, so this serves the part of the REST API
(https://github.com/ollama/ollama/blob/main/docs/api.md) that codesteer and the official
``ollama`` client use, with the real field names and shapes:

- ``GET /`` -> ``Ollama is running``; ``GET /api/version`` -> ``{"version": ...}``
- ``GET /api/tags`` -> ``{"models": [{name, model, modified_at, size, digest, details}]}``
- ``POST /api/show`` -> ``{modelfile, parameters, template, details, model_info, ...}``
- ``POST /api/chat`` -> streamed NDJSON (``application/x-ndjson``, chunked) of
  ``{model, created_at, message: {role, content}, done: false}`` objects and a final
  ``{..., done: true, done_reason, total_duration, load_duration, prompt_eval_count,
  prompt_eval_duration, eval_count, eval_duration}``; or one object with ``"stream": false``.
- an unknown model -> 404 ``{"error": "model 'x' not found"}``; a bad body -> 400.

The replies are real text: each model name maps to a GGUF file and is answered by llama.cpp
(llama-cpp-python, the file's own chat template), honouring ``num_predict``, ``temperature``,
``top_p``, ``seed`` and ``stop``. Fault injection: :meth:`OllamaDouble.fail_next` answers the
next *k* chat requests with an HTTP error (500 by default) before any output.

Use it in-process (:meth:`start` / :meth:`stop`) or from a shell:
``python -m tests.local.backends.ollama_double --port 11434 smollm2:135m=/path/model.gguf``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from llama_cpp import Llama

__all__ = ["OllamaDouble"]

VERSION = "0.6.5"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def _full_name(name: str) -> str:
    """Ollama's default tag: ``smollm2`` is ``smollm2:latest``."""
    return name if ":" in name else f"{name}:latest"


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up (a cancelled stream, a closed test client) is normal here.
        if not isinstance(sys.exc_info()[1], (ConnectionError, BrokenPipeError)):
            super().handle_error(request, client_address)


class OllamaDouble:
    def __init__(self, models: dict[str, Path], host: str = "127.0.0.1", port: int = 0) -> None:
        self.models = {_full_name(name): Path(path) for name, path in models.items()}
        self._llamas: dict[str, Llama] = {}
        self._llama_lock = threading.Lock()
        self._faults: list[int] = []
        self._faults_lock = threading.Lock()
        self.chat_requests = 0
        self.server = _Server((host, port), self._handler())
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> OllamaDouble:
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def fail_next(self, count: int, status: int = 500) -> None:
        """Answer the next ``count`` chat requests with ``status`` and an ``error`` body."""
        with self._faults_lock:
            self._faults = [status] * count

    def _take_fault(self) -> int | None:
        with self._faults_lock:
            return self._faults.pop(0) if self._faults else None

    def _llama(self, name: str) -> Llama:
        with self._llama_lock:
            if name not in self._llamas:
                self._llamas[name] = Llama(
                    model_path=str(self.models[name]), n_ctx=2048, n_threads=1, verbose=False
                )
            return self._llamas[name]

    def _describe(self, name: str) -> dict[str, Any]:
        path = self.models[name]
        return {
            "name": name,
            "model": name,
            "modified_at": datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).isoformat(),
            "size": path.stat().st_size,
            "digest": hashlib.sha256(str(path).encode()).hexdigest(),
            "details": {
                "parent_model": "",
                "format": "gguf",
                "family": "llama",
                "families": ["llama"],
                "parameter_size": "135M",
                "quantization_level": "Q4_1",
            },
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        double = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet in tests
                pass

            def _json(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> dict[str, Any] | None:
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                except json.JSONDecodeError:
                    return None
                return body if isinstance(body, dict) else None

            def do_HEAD(self) -> None:
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self) -> None:
                if self.path == "/":
                    data = b"Ollama is running"
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                elif self.path == "/api/version":
                    self._json(200, {"version": VERSION})
                elif self.path == "/api/tags":
                    self._json(200, {"models": [double._describe(n) for n in double.models]})
                else:
                    self._json(404, {"error": "404 page not found"})

            def do_POST(self) -> None:
                body = self._body()
                if body is None:
                    self._json(400, {"error": "invalid request body"})
                    return
                name = _full_name(str(body.get("model") or body.get("name") or ""))
                if self.path == "/api/show":
                    if name not in double.models:
                        self._json(404, {"error": f"model '{body.get('model')}' not found"})
                        return
                    self._json(200, self._show(name))
                elif self.path == "/api/chat":
                    self._chat(name, body)
                else:
                    self._json(404, {"error": "404 page not found"})

            def _show(self, name: str) -> dict[str, Any]:
                described = double._describe(name)
                llama = double._llama(name)
                return {
                    "modelfile": f"FROM {double.models[name]}\n",
                    "parameters": "",
                    "template": llama.metadata.get("tokenizer.chat_template", ""),
                    "details": described["details"],
                    "model_info": {
                        "general.architecture": "llama",
                        "llama.context_length": int(llama.n_ctx()),
                    },
                    "capabilities": ["completion"],
                    "modified_at": described["modified_at"],
                }

            def _chat(self, name: str, body: dict[str, Any]) -> None:
                with double._faults_lock:
                    double.chat_requests += 1
                fault = double._take_fault()
                if fault is not None:
                    self._json(fault, {"error": "injected fault: the model runner crashed"})
                    return
                if not body.get("model"):
                    self._json(400, {"error": "model is required"})
                    return
                if name not in double.models:
                    self._json(404, {"error": f"model '{body['model']}' not found"})
                    return
                messages = body.get("messages") or []
                options = body.get("options") or {}
                started = time.perf_counter_ns()
                llama = double._llama(name)
                if not messages:  # Ollama's "load a model" request
                    self._json(200, self._final(name, started, "load", 0, 0, content=""))
                    return
                stream = body.get("stream", True)
                with double._llama_lock:
                    chunks = llama.create_chat_completion(
                        messages=messages,
                        stream=True,
                        max_tokens=int(options.get("num_predict", 128)),
                        temperature=float(options.get("temperature", 0.8)),
                        top_p=float(options.get("top_p", 0.9)),
                        seed=options.get("seed"),
                        stop=options.get("stop") or [],
                    )
                    if stream:
                        self.send_response(200)
                        self.send_header("Content-Type", "application/x-ndjson")
                        self.send_header("Transfer-Encoding", "chunked")
                        self.end_headers()
                    pieces: list[str] = []
                    reason = "stop"
                    for chunk in chunks:
                        choice = chunk["choices"][0]
                        text = choice["delta"].get("content") or ""
                        if choice.get("finish_reason"):
                            reason = choice["finish_reason"]
                        if text:
                            pieces.append(text)
                            if stream:
                                self._send_line(
                                    {
                                        "model": name,
                                        "created_at": _now(),
                                        "message": {"role": "assistant", "content": text},
                                        "done": False,
                                    }
                                )
                    prompt_tokens, completion_tokens = _counts(llama, len(pieces))
                final = self._final(
                    name,
                    started,
                    "length" if reason == "length" else "stop",
                    prompt_tokens,
                    completion_tokens,
                    content="" if stream else "".join(pieces),
                )
                if stream:
                    self._send_line(final)
                    self.wfile.write(b"0\r\n\r\n")
                else:
                    self._json(200, final)

            def _final(
                self,
                name: str,
                started: int,
                reason: str,
                prompt_tokens: int,
                completion_tokens: int,
                content: str,
            ) -> dict[str, Any]:
                total = time.perf_counter_ns() - started
                return {
                    "model": name,
                    "created_at": _now(),
                    "message": {"role": "assistant", "content": content},
                    "done": True,
                    "done_reason": reason,
                    "total_duration": total,
                    "load_duration": 0,
                    "prompt_eval_count": prompt_tokens,
                    "prompt_eval_duration": total // 2,
                    "eval_count": completion_tokens,
                    "eval_duration": total // 2,
                }

            def _send_line(self, obj: dict[str, Any]) -> None:
                data = json.dumps(obj).encode() + b"\n"
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()

        return Handler


def _counts(llama: Llama, chunks: int) -> tuple[int, int]:
    """Prompt and reply tokens of the request just run: llama.cpp's evaluated tokens hold the
    prompt and all but the last sampled token."""
    completion = max(chunks, 1)
    return max(int(llama.n_tokens) - completion + 1, 1), completion


def main() -> None:
    parser = argparse.ArgumentParser(description="A loopback Ollama API double backed by GGUFs.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=11434)
    parser.add_argument("models", nargs="+", metavar="NAME=PATH.gguf")
    args = parser.parse_args()
    models = dict(item.split("=", 1) for item in args.models)
    double = OllamaDouble({k: Path(v) for k, v in models.items()}, args.host, args.port)
    print(f"serving {', '.join(double.models)} on {double.url}", flush=True)
    double.server.serve_forever()


if __name__ == "__main__":
    main()

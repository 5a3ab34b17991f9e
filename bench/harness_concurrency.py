"""The harness's concurrency against a slow remote model.

64 items through ``codesteer bench``'s engine (mode all-code: each item is one model call and,
where the reply holds code, one sandboxed run) against llm-katan's OpenAI-compatible echo
server on loopback, which adds 200 ms to every request; wall time at concurrency 1 and at 8,
in the same run, and their ratio against the aim of >= 6x.

    python bench/harness_concurrency.py [--items 64] [--latency-ms 200] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from codesteer.local.config import BackendsConfig, Config
from codesteer.local.harness import Bench, BenchConfig, Mode

AIM = 6.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_katan(latency_ms: int, folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [str(Path(sys.executable).with_name("llm-katan")), "--model", "katan-echo"]
    command += ["--backend", "echo", "--providers", "openai", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--latency-ms", str(latency_ms), "--max-concurrent", "64"]
    command += ["--stats-file", str(folder / "katan.json")]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
            return process, f"http://127.0.0.1:{port}/v1"
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("llm-katan did not start")


def timed_run(url: str, items: int, concurrency: int, folder: Path) -> float:
    tasks = ("number_multiply", "game24", "string_insertion", "letters")
    config = BenchConfig(
        tasks=tasks,
        mode=Mode.ALL_CODE,
        n=items // len(tasks),
        task_model=f"openai:katan-echo@{url}",
        steerer=None,
        max_tokens=64,
        concurrency=concurrency,
    )
    app = Config(backends=BackendsConfig(timeout_s=30, retries=2))
    bench = Bench.create(folder / f"k{concurrency}", config, app)
    start = time.perf_counter()
    summary = asyncio.run(bench.run())
    wall = time.perf_counter() - start
    assert summary.done == items and summary.errors == 0, summary
    return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=64)
    parser.add_argument("--latency-ms", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        process, url = start_katan(args.latency_ms, folder)
        try:
            timed_run(url, 8, 8, folder / "warm")  # imports, sandbox start
            serial = timed_run(url, args.items, 1, folder)
            parallel = timed_run(url, args.items, 8, folder)
        finally:
            process.terminate()
            process.wait()
    speedup = serial / parallel
    result: dict[str, Any] = {
        "items": args.items,
        "latency_ms": args.latency_ms,
        "concurrency_1_s": round(serial, 2),
        "concurrency_8_s": round(parallel, 2),
        "speedup": round(speedup, 2),
        "aim": AIM,
        "speedup_vs_aim": round(speedup / AIM, 2),
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"{args.items} items, {args.latency_ms} ms added per request (llm-katan echo, loopback)")
    print(f"  concurrency 1: {serial:6.2f} s  ({serial / args.items * 1000:.0f} ms/item)")
    print(f"  concurrency 8: {parallel:6.2f} s  ({parallel / args.items * 1000:.0f} ms/item)")
    print(f"  speed-up {speedup:.1f}x = {speedup / AIM:.2f}x the aim of {AIM:.0f}x")


if __name__ == "__main__":
    main()

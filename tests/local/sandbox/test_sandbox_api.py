"""The sandbox as a library: results, state between runs, concurrency, cancellation, levels."""

from __future__ import annotations

import asyncio
import importlib
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import threading
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

import codesteer.local.sandbox as public
from codesteer.errors import SandboxUnavailableError, UserError
from codesteer.local.sandbox import (
    ATTACKS,
    GUARANTEES,
    IsolationLevel,
    LevelReport,
    Sandbox,
    probe,
)
from codesteer.local.sandbox import _sandbox as sandbox_module
from codesteer.local.sandbox._output import CappedStream
from tests.local.sandbox.conftest import AVAILABLE, processes_with


def test_public_names_come_from_the_private_modules() -> None:
    for module_name in ("_types", "_probe", "_sandbox", "_guarantees", "_output", "_cgroup"):
        module = importlib.import_module(f"codesteer.local.sandbox.{module_name}")
        for name in module.__all__:
            assert hasattr(module, name), f"{module_name}.__all__ names missing {name}"
    for name in public.__all__:
        assert getattr(public, name) is not None


def test_result_of_a_plain_run(sandbox: Sandbox, level: IsolationLevel) -> None:
    result = sandbox.run("import sys\nprint('out')\nprint('err', file=sys.stderr)\nsys.exit(3)")
    assert (result.status, result.exit_code) == ("error", 3)
    assert (result.stdout, result.stderr) == ("out\n", "err\n")
    assert not result.truncated
    assert result.level is level
    assert result.to_dict()["level"] == level.value


def test_syntax_error_is_a_result_not_an_exception(sandbox: Sandbox) -> None:
    result = sandbox.run("def (:")
    assert result.status == "error"
    assert "SyntaxError" in result.stderr


def test_the_code_runs_isolated_from_the_caller(sandbox: Sandbox) -> None:
    code = """
        import os, sys
        print(os.getcwd() == os.environ["HOME"], sys.flags.isolated, sys.stdin.read() == "")
        print(os.environ["OPENBLAS_NUM_THREADS"], sorted(os.listdir(".")))
    """
    result = sandbox.run(textwrap.dedent(code))
    assert result.stdout == "True 1 True\n1 []\n", result.stderr


def test_nothing_leaks_from_one_run_to_the_next(sandbox: Sandbox) -> None:
    first = """
        import builtins, json, os, sys
        open("state.txt", "w").write("run 1")
        open(os.path.join(os.environ["TMPDIR"], "tmp.txt"), "w").write("run 1")
        builtins.LEAK = 1
        json.LEAK = 1
        sys.modules["planted"] = json
        GLOBAL = 1
    """
    assert sandbox.run(textwrap.dedent(first)).status == "ok"
    second = """
        import builtins, json, os, sys
        print(os.listdir("."), os.listdir(os.environ["TMPDIR"]))
        print(hasattr(builtins, "LEAK"), hasattr(json, "LEAK"), "planted" in sys.modules)
        print("GLOBAL" in globals())
    """
    result = sandbox.run(textwrap.dedent(second))
    assert result.stdout == "[] []\nFalse False False\nFalse\n", result.stderr


def test_concurrent_runs_each_get_their_own_output_and_work_dir(sandbox: Sandbox) -> None:
    results: dict[int, str] = {}

    def one(index: int) -> None:
        code = f"""
            import os, time
            open("mine.txt", "w").write("{index}")
            time.sleep(0.2)
            print({index}, open("mine.txt").read(), os.listdir("."))
        """
        results[index] = sandbox.run(textwrap.dedent(code)).stdout

    threads = [threading.Thread(target=one, args=(i,)) for i in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {i: f"{i} {i} ['mine.txt']\n" for i in range(5)}


def test_cancelling_arun_kills_the_process_tree(sandbox: Sandbox) -> None:
    tag = f"{uuid.uuid4().int % 10**6 + 1000}.5"
    code = f"""
        import os
        if os.fork() == 0:
            os.setsid()
            os.execv("/bin/sleep", ["sleep", "{tag}"])
        os.execv("/bin/sleep", ["sleep", "{tag}"])
    """

    async def scenario() -> None:
        task = asyncio.create_task(sandbox.arun(textwrap.dedent(code), timeout_s=30))
        for _ in range(200):
            if len(processes_with(tag)) == 2:
                break
            await asyncio.sleep(0.025)
        assert len(processes_with(tag)) == 2
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(scenario())
    assert processes_with(tag) == []
    assert sandbox.run("print('still fine')").stdout == "still fine\n"


def test_arun_does_not_block_the_loop(sandbox: Sandbox) -> None:
    async def scenario() -> tuple[str, int]:
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.01)

        ticker = asyncio.create_task(tick())
        result = await sandbox.arun("import time\ntime.sleep(0.5)\nprint('done')")
        ticker.cancel()
        return result.stdout, ticks

    stdout, ticks = asyncio.run(scenario())
    assert stdout == "done\n"
    assert ticks > 5


def test_cold_sandbox_runs_and_async_context_manager(level: IsolationLevel) -> None:
    async def scenario() -> str:
        async with Sandbox(level=level, warm=False) as cold:
            return (await cold.arun("print(2 + 2)")).stdout

    assert asyncio.run(scenario()) == "4\n"


def test_closed_sandbox_refuses_runs(level: IsolationLevel) -> None:
    sandbox = Sandbox(level=level, warm=False)
    sandbox.close()
    with pytest.raises(Exception, match="closed"):
        sandbox.run("pass")


def test_asking_for_a_missing_level_is_a_one_line_user_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    found = probe()
    missing = LevelReport(IsolationLevel.BUBBLEWRAP, False, "bwrap is not installed")
    fake = replace(found, levels=(missing, *found.levels[1:]))
    monkeypatch.setattr(sandbox_module, "probe", lambda: fake)
    with pytest.raises(SandboxUnavailableError, match="bwrap is not installed") as caught:
        Sandbox(level=IsolationLevel.BUBBLEWRAP)
    assert isinstance(caught.value, UserError)
    assert "\n" not in str(caught.value)


def test_bubblewrap_is_available_in_ci() -> None:
    found = probe()
    if not found.available(IsolationLevel.BUBBLEWRAP):
        message = f"bubblewrap unavailable: {found.report(IsolationLevel.BUBBLEWRAP).reason}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    assert found.best is IsolationLevel.BUBBLEWRAP


def test_guarantee_table_covers_every_attack_at_every_level() -> None:
    for level in IsolationLevel:
        assert set(GUARANTEES[level]) == set(ATTACKS)
        assert set(probe().guarantees(level)) == set(ATTACKS)
    strongest = GUARANTEES[IsolationLevel.BUBBLEWRAP]
    assert all(strongest.values())


def test_probe_is_cached_and_reports_every_level() -> None:
    assert probe() is probe()
    data = probe().to_dict()
    assert [entry["level"] for entry in data["levels"]] == [lvl.value for lvl in IsolationLevel]
    assert data["best"] in {lvl.value for lvl in probe().available_levels()}


def test_capped_stream_keeps_head_and_tail() -> None:
    stream = CappedStream(10)
    for chunk in (b"abc", b"defgh", b"ijklmnop", b"qrst"):
        stream.feed(chunk)
    assert stream.truncated
    assert stream.dropped == 10
    assert stream.text() == "abcde\n[... 10 bytes dropped ...]\npqrst"
    small = CappedStream(10)
    small.feed("é".encode() * 4)
    assert not small.truncated
    assert small.text() == "éééé"


def test_timeout_must_be_positive(sandbox: Sandbox) -> None:
    with pytest.raises(ValueError, match="positive"):
        sandbox.run("pass", timeout_s=0)


def test_work_area_of_a_closed_sandbox_is_removed(
    level: IsolationLevel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A private temp dir: other test workers create sandboxes in the shared one meanwhile.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with Sandbox(level=level) as sandbox:
        sandbox.run("open('x', 'w').write('x')")
        assert list(tmp_path.glob("codesteer-sandbox-*"))  # the warm interpreter's work area
    assert not list(tmp_path.glob("codesteer-sandbox-*"))


@pytest.mark.slow
def test_an_interpreter_under_tmp_keeps_every_level(tmp_path: Path) -> None:
    # A checkout (and so its venv) under /tmp must not cost the strongest level: bubblewrap
    # once failed there ("Can't make symlink at /tmp").
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    (site,) = (venv / "lib").glob("python3*/site-packages")
    # this venv sees the test venv's packages (codesteer's editable install included)
    parents = [p for p in sys.path if p.endswith("site-packages")]
    (site / "codesteer_parent.pth").write_text(
        "".join(f"import site; site.addsitedir({p!r})\n" for p in parents)
    )
    code = (
        "import json, sys\n"
        "from codesteer.local.sandbox import Sandbox, probe\n"
        "assert sys.prefix.startswith('/tmp/') or 'pytest' in sys.prefix, sys.prefix\n"
        "levels = [r.level.value for r in probe().levels if r.available]\n"
        "with Sandbox() as box:\n"
        "    result = box.run('import tempfile; print(tempfile.gettempdir())')\n"
        "print(json.dumps({'levels': levels, 'level': box.level.value, 'out': result.stdout}))\n"
    )
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["levels"] == [level.value for level in AVAILABLE]
    assert report["level"] == AVAILABLE[0].value and report["out"].strip()

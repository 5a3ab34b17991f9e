"""Settings persist in the user's config file: comments survive, bad values are refused, and
the app reads its theme and key map from it and saves what the user changes."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from codesteer.errors import ConfigError
from codesteer.local.config import load_config
from codesteer.local.scripted import ScriptedBackend
from codesteer.tui import DEMO_QUESTION, binding_table
from codesteer.tui.settings import save_settings
from codesteer.tui.widgets.status_line import StatusLine
from tests.cli.helpers import codesteer
from tests.tui.fakes import CODE_REPLY, QUESTION, STEER_CODE, GatedBackend, Models, make_services
from tests.tui.helpers import SIZE, NotedApp, ask, settle, wait_for

COMMENTED = """\
# my settings
rounds = 3  # three is enough

[models]
task = "task"   # the big one
steerer = "steer"
"""


def test_save_keeps_comments_and_other_keys(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED, encoding="utf-8")
    config = save_settings(
        path, {"rounds": 4, "tui.theme": "nord", "tui.keys": {"app.bench": "f6"}}
    )
    text = path.read_text(encoding="utf-8")
    assert "# my settings" in text and "# the big one" in text and "# three is enough" in text
    assert config.rounds == 4 and config.tui.theme == "nord"
    assert load_config(path) == config
    assert config.tui.keys == {"app.bench": "f6"}


def test_a_bad_value_or_a_broken_file_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(COMMENTED, encoding="utf-8")
    with pytest.raises(ConfigError, match="rounds"):
        save_settings(path, {"rounds": 500})
    assert path.read_text(encoding="utf-8") == COMMENTED
    path.write_text("rounds = [", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        save_settings(path, {"rounds": 2})
    assert path.read_text(encoding="utf-8") == "rounds = ["


def test_a_missing_file_is_created(tmp_path: Path) -> None:
    path = tmp_path / "new" / "config.toml"
    save_settings(path, {"models.task": "ollama:qwen2.5:7b"})
    assert load_config(path).models.task == "ollama:qwen2.5:7b"


def test_the_app_saves_models_rounds_and_theme(tmp_path: Path) -> None:
    models = Models(
        {
            "task": lambda: ScriptedBackend([CODE_REPLY]),
            "other": lambda: ScriptedBackend([CODE_REPLY]),
            "steer": lambda: ScriptedBackend([STEER_CODE]),
        }
    )
    services = make_services(tmp_path, models, config_text=COMMENTED)
    app = NotedApp(services)

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = app.screen
            screen.use_spec("task", "other")
            screen.query_one("#rounds").value = "0"
            await ask(pilot, QUESTION)
            await settle(pilot)
            app.theme = "nord"
            await pilot.pause()

    asyncio.run(main())
    saved = load_config(services.config_file)
    assert (saved.models.task, saved.rounds, saved.tui.theme) == ("other", 0, "nord")
    assert "# my settings" in services.config_file.read_text(encoding="utf-8")

    async def restarted() -> tuple[str, str]:
        again = NotedApp(make_services(tmp_path / "again", models, config_text=""))
        again.services = again.services.with_config(saved)
        async with again.run_test(size=SIZE) as pilot:
            await pilot.pause()
            return again.theme, str(again.screen.query_one("#task-model").value)

    assert asyncio.run(restarted()) == ("nord", "other")


def test_keys_are_remapped_by_binding_id(tmp_path: Path) -> None:
    gated: list[GatedBackend] = []

    def task() -> GatedBackend:
        gated.append(GatedBackend([CODE_REPLY], at=0))
        return gated[-1]

    models = Models({"task": task, "steer": lambda: ScriptedBackend([STEER_CODE])})
    config = '[models]\ntask = "task"\nsteerer = "steer"\n[tui.keys]\n"steer.cancel" = "f8"\n'
    app = NotedApp(make_services(tmp_path, models, config_text=config))

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            screen = await ask(pilot, QUESTION)
            await wait_for(pilot, lambda: bool(gated) and gated[0].waiting.is_set(), "a model call")
            await pilot.press("escape")  # no longer bound to cancel
            await pilot.pause()
            assert screen.running
            await pilot.press("f8")
            await settle(pilot)
            assert screen.query_one(StatusLine).state == "cancelled"

    asyncio.run(main())


def test_binding_ids_are_unique_and_listed_by_the_cli() -> None:
    table = binding_table()
    ids = [row["id"] for row in table]
    assert len(ids) == len(set(ids))
    assert {"steer.cancel", "steer.run", "card.copy_code", "card.copy_message"} <= set(ids)
    result = codesteer("tui", "--keys", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == table


def test_unknown_binding_ids_are_a_warning(tmp_path: Path) -> None:
    config = '[tui.keys]\n"steer.cancle" = "f8"\n'
    app = NotedApp(make_services(tmp_path, Models({}), config_text=config))

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()

    asyncio.run(main())
    assert any("steer.cancle" in note for severity, note in app.notes if severity == "warning")


def test_the_demo_runs_at_once_and_leaves_the_config_alone(tmp_path: Path) -> None:
    models = Models(
        {
            "task": lambda: ScriptedBackend([CODE_REPLY]),
            "steer": lambda: ScriptedBackend([STEER_CODE]),
        }
    )
    services = make_services(tmp_path, models, config_text=COMMENTED)
    app = NotedApp(services, demo=True)

    async def main() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.screen.last_transcript is not None, "the demo run")
            await settle(pilot)
            assert app.screen.last_transcript.question == DEMO_QUESTION
            app.screen.query_one("#rounds").value = "1"
            app.theme = "nord"
            await pilot.pause()

    asyncio.run(main())
    assert services.config_file.read_text(encoding="utf-8") == COMMENTED

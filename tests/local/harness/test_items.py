"""Which items a run asks: deterministic, the same for every mode, sampled with a seed."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from codesteer.errors import UserError
from codesteer.local.harness import BenchConfig, Mode, plan_items
from codesteer.symbench import get_task
from tests.local.harness.helpers import echo_items
from tests.paths import original_root


def test_generated_items_are_the_same_for_every_mode() -> None:
    config = BenchConfig(tasks=("game24", "letters"), n=3, seed=4, mode=Mode.ALL_TEXT)
    first = plan_items(config)
    again = plan_items(dataclasses.replace(config, mode=Mode.CODESTEER))
    assert [i.id for i in first] == [i.id for i in again]
    assert [i.question for i in first] == [i.question for i in again]
    assert [i.task for i in first] == ["game24"] * 3 + ["letters"] * 3
    other = plan_items(dataclasses.replace(config, seed=5))
    assert [i.question for i in other] != [i.question for i in first]


def test_a_sweep_runs_the_figures_levels() -> None:
    config = BenchConfig(tasks=("number_multiply",), n=2, complexity_sweep=True)
    levels = [item.complexity for item in plan_items(config)]
    assert levels == [5, 5, 6, 6, 7, 7, 8, 8, 9, 9]
    assert get_task("number_multiply").sweep_levels == (5, 6, 7, 8, 9)


def test_bad_settings_are_user_errors() -> None:
    with pytest.raises(UserError, match="not both"):
        BenchConfig(tasks=("game24",), complexity=2, complexity_sweep=True).validate()
    with pytest.raises(UserError, match="needs a PATH"):
        BenchConfig(tasks=("game24",), source="original").validate()
    with pytest.raises(UserError, match="complexity must be one of"):
        plan_items(BenchConfig(tasks=("game24",), complexity=99))


def test_an_item_file_is_sampled_with_the_seed(tmp_path: Path) -> None:
    path = echo_items(tmp_path / "items.jsonl", 10)
    config = BenchConfig(tasks=("number_multiply",), n=4, source="file", source_path=str(path))
    first = [item.id for item in plan_items(config)]
    assert len(first) == 4 and len(set(first)) == 4
    assert first == [item.id for item in plan_items(config)]
    shifted = [item.id for item in plan_items(dataclasses.replace(config, seed=1))]
    assert shifted != first


@pytest.mark.original
def test_original_runs_use_the_test_instances_only() -> None:
    root = original_root()
    config = BenchConfig(
        tasks=("letters", "boxlift", "game24"), n=30, source="original", source_path=str(root)
    )
    items = plan_items(config)
    by_task = {name: [i for i in items if i.task == name] for name in config.tasks}
    # the 10-25 letter folders, not the long varied-complexity ones
    assert all("max_length_15" in i.source or "max_length_20" in i.source or "max_length_25"
               in i.source for i in by_task["letters"])  # fmt: skip
    assert by_task["boxlift"] and not any("_SFT" in i.source for i in by_task["boxlift"])
    assert all("game24_dataset/24/24.csv" in i.source for i in by_task["game24"])
    assert all(len(group) == 30 for group in by_task.values())
    sweep = plan_items(
        dataclasses.replace(config, tasks=("number_multiply",), n=3, complexity_sweep=True)
    )
    assert {i.complexity for i in sweep} == {5, 6, 7, 8, 9}
    assert all("varied_complexity" in i.source for i in sweep)

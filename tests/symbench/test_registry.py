from __future__ import annotations

import csv

import pytest

from codesteer.errors import UnknownTaskError
from codesteer.symbench import TASK_NAMES, Split, all_tasks, get_task, resolve_names
from codesteer.symbench.paper import paper_table
from tests.paths import require_shared, shared_dir


def test_thirty_seven_tasks_28_seen_9_unseen() -> None:
    tasks = all_tasks()
    assert len(tasks) == len(set(TASK_NAMES)) == 37
    assert sum(task.split is Split.SEEN for task in tasks) == 28
    assert sum(task.split is Split.UNSEEN for task in tasks) == 9


def test_titles_and_splits_match_the_paper_table_in_order() -> None:
    rows = paper_table()
    assert [(t.title, t.split.value) for t in all_tasks()] == [(r.title, r.split) for r in rows]


def test_shipped_paper_table_equals_the_reference_copy() -> None:
    reference = require_shared(shared_dir() / "reference" / "paper-table.csv")
    with reference.open(encoding="utf-8") as handle:
        expected = {row["task"]: row for row in csv.DictReader(handle)}
    for row in paper_table():
        assert row.split == expected[row.title]["split"]
        for column, value in row.scores.items():
            assert value == float(expected[row.title][column])

    # the headline number of the paper, recomputed: GPT-4o 53.3 -> 86.4 (Ave. Norm. Total)
    def ave_norm(column: str) -> float:
        rows = paper_table()
        return sum(r.scores[column] / max(r.scores.values()) for r in rows) / len(rows) * 100

    assert round(ave_norm("OnlyQuestion"), 1) == 53.3
    assert round(ave_norm("GPT-4o+CodeSteer"), 1) == 86.4


@pytest.mark.parametrize(
    ("alias", "name"),
    [
        ("Game 24", "game24"),
        ("GAME24", "game24"),
        ("Permut. and Combina.", "permutations_combinations"),
        ("2048", "game_2048"),
        ("eight_queens", "eight_queens"),
        ("mahjong_pattern", "mahjong"),
    ],
)
def test_aliases_resolve(alias: str, name: str) -> None:
    assert get_task(alias).name == name


def test_unknown_task_is_a_user_error() -> None:
    with pytest.raises(UnknownTaskError, match="symbench list"):
        get_task("game25")


def test_resolve_names() -> None:
    assert len(resolve_names("all")) == 37
    assert len(resolve_names("seen")) == 28
    assert resolve_names("unseen")[0].name == "letters"
    assert [t.name for t in resolve_names("game24, Letters,game24")] == ["game24", "letters"]
    with pytest.raises(UnknownTaskError):
        resolve_names(" , ")


def test_every_task_describes_itself() -> None:
    for task in all_tasks():
        described = task.describe()
        assert described["name"] == task.name
        assert described["answer_format"]
        assert set(task.default_levels) <= set(task.levels)
        assert list(task.levels) == list(range(1, len(task.levels) + 1)), task.name
        for knobs in task.levels.values():
            knobs.validate()

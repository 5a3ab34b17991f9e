"""The summary arithmetic: task scores, split averages, Ave. Norm., errors kept apart."""

from __future__ import annotations

import pytest

from codesteer.local.harness import SampleRecord, normalized_averages, summarize, summary_markdown
from codesteer.local.harness._records import ScoreRecord, TokenCounts
from codesteer.local.harness.summary import paper_columns
from codesteer.symbench import Item, get_task
from codesteer.symbench.paper import paper_table


def sample(item: Item, value: float | None, *, error: str | None = None) -> SampleRecord:
    return SampleRecord(
        index=0,
        task=item.task,
        item_id=item.id,
        source=item.source,
        complexity=item.complexity,
        mode="only-question",
        score=None if value is None else ScoreRecord(value=value, reason="r"),
        error=error,
        task_tokens=TokenCounts(prompt=10, completion=10),
        seconds=1.5,
        started_at="t",
        ended_at="t",
    )


def test_scores_are_means_over_scored_items_and_errors_stay_apart() -> None:
    g24 = [get_task("game24").generate(0, i) for i in range(4)]
    mult = [get_task("number_multiply").generate(0, i) for i in range(2)]
    samples = [
        sample(g24[0], 1.0),
        sample(g24[1], 0.0),
        sample(g24[2], 0.5),
        sample(g24[3], None, error="server said 500"),
        sample(mult[0], 1.0),
    ]
    summary = summarize("only-question", g24 + mult, samples)
    by_task = {t.task: t for t in summary.tasks}
    assert by_task["game24"].score == pytest.approx(50.0)
    assert by_task["game24"].errors == 1 and by_task["game24"].done == 4
    assert by_task["game24"].correct == 1
    assert by_task["number_multiply"].score == 100.0
    assert by_task["number_multiply"].done == 1 and by_task["number_multiply"].planned == 2
    assert summary.averages == {"seen": 50.0, "unseen": 100.0, "total": 75.0}
    assert summary.errors == 1 and summary.error_examples == ("server said 500",)
    assert summary.task_tokens.total == 5 * 20
    assert "| Game 24 | seen | 50.0 | 1 | 4/4 | 1 |" in summary_markdown(summary, "t")


def test_ave_norm_divides_by_the_best_run_per_task() -> None:
    splits = {"A": "seen", "B": "seen", "C": "unseen"}
    columns = {
        "x": {"A": 50.0, "B": 20.0, "C": 0.0},
        "y": {"A": 100.0, "B": 10.0, "C": 0.0},
    }
    result = normalized_averages(columns, splits)
    assert result["x"]["seen"] == pytest.approx((50 + 100) / 2)
    assert result["y"]["seen"] == pytest.approx((100 + 50) / 2)
    # a task nobody scores on says nothing about anyone
    assert result["x"]["unseen"] is None and result["x"]["total"] == result["x"]["seen"]


def test_paper_columns_reproduce_the_papers_normalised_average() -> None:
    """The paper reports Ave. Norm. 86.4 for GPT-4o + CodeSteer over its 13 methods (abstract);
    our arithmetic on its own table must give that figure back."""
    columns = paper_columns()
    splits = {row.title: row.split for row in paper_table()}
    result = normalized_averages(columns, splits)
    assert result["GPT-4o+CodeSteer"]["total"] == pytest.approx(86.4, abs=0.05)
    assert result["OnlyQuestion"]["total"] == pytest.approx(53.3, abs=0.05)

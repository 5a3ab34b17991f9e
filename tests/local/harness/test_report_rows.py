"""The comparison table as rows of text, the way every front end prints it: a row per task in
the paper's order, the split averages, then Ave. Norm. where there is more than one column."""

from __future__ import annotations

from codesteer.local.harness import RunSummary, SampleRecord, summarize
from codesteer.local.harness._records import ScoreRecord
from codesteer.local.harness.report import compare, score_text, table_rows
from codesteer.symbench import get_task


def run(scores: dict[str, float]) -> RunSummary:
    """A summary with one item per task, scored ``scores[task]``."""
    items = [get_task(name).generate(0, 0) for name in scores]
    samples = [
        SampleRecord(
            index=number,
            task=item.task,
            item_id=item.id,
            source=item.source,
            complexity=item.complexity,
            mode="only-question",
            score=ScoreRecord(value=scores[item.task], reason="r"),
            started_at="t",
            ended_at="t",
        )
        for number, item in enumerate(items)
    ]
    return summarize("only-question", items, samples)


def test_score_text_has_one_decimal_and_a_dash_for_none() -> None:
    assert [score_text(v) for v in (None, 0.0, 50.0, 66.666)] == ["–", "0.0", "50.0", "66.7"]


def test_one_run_has_task_rows_then_averages_and_no_ave_norm() -> None:
    rows = table_rows(compare([("a", run({"number_multiply": 1.0, "game24": 0.0}), False)]))
    # the paper's order (Game 24 first), whatever order the run had
    assert [(r.label, r.split, r.cells, r.kind) for r in rows] == [
        ("Game 24", "seen", ("0.0",), "task"),
        ("Number Multiply", "unseen", ("100.0",), "task"),
        ("seen average", "", ("0.0",), "average"),
        ("unseen average", "", ("100.0",), "average"),
        ("total average", "", ("50.0",), "average"),
    ]


def test_two_runs_add_ave_norm_and_a_task_one_run_lacks_is_a_dash() -> None:
    first = run({"number_multiply": 1.0, "game24": 0.5})
    second = run({"number_multiply": 0.5})
    rows = {r.label: r for r in table_rows(compare([("a", first, False), ("b", second, False)]))}
    assert rows["Game 24"].cells == ("50.0", "–")
    assert rows["Number Multiply"].cells == ("100.0", "50.0")
    assert rows["Ave. Norm. unseen"].cells == ("100.0", "50.0")
    assert rows["Ave. Norm. seen"].cells == ("100.0", "–")
    assert [r.kind for r in rows.values()][-3:] == ["ave_norm"] * 3


def test_the_paper_columns_come_after_the_runs() -> None:
    comparison = compare([("a", run({"game24": 1.0}), False)], paper=True)
    (row,) = [r for r in table_rows(comparison) if r.kind == "task"]
    assert len(row.cells) == 1 + 13
    assert row.cells[0] == "100.0"
    assert comparison.columns[1].name.startswith("paper: ")

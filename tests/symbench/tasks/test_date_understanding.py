from __future__ import annotations

import datetime as dt

import pytest

from codesteer.symbench import get_task
from codesteer.symbench.tasks.date_understanding import (
    apply_question,
    nth_weekday,
    parse_date,
    shift_months,
)
from tests.symbench import helpers

TASK = get_task("date_understanding")


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=20)


def test_options_are_distinct_dates_with_one_answer() -> None:
    for level in TASK.levels:
        for index in range(20):
            item = TASK.generate(2, index, level)
            options = item.meta["options"]
            assert len(set(options)) == len(options) == TASK.levels[level].options
            assert all(parse_date(option) for option in options)


def test_calendar_rules() -> None:
    assert nth_weekday(2001, 11, 3, 3) == dt.date(2001, 11, 22)  # fourth Thursday
    assert nth_weekday(2024, 2, 3, -1) == dt.date(2024, 2, 29)  # last Thursday, leap year
    assert shift_months(dt.date(2020, 1, 15), -1) == [dt.date(2019, 12, 15)]
    # a missing day allows both readings
    assert shift_months(dt.date(2008, 3, 31), -1) == [dt.date(2008, 2, 29), dt.date(2008, 3, 2)]
    assert apply_question(dt.date(1900, 2, 28), "tomorrow", 1) == [dt.date(1900, 3, 1)]
    assert apply_question(dt.date(2000, 2, 28), "days_later", 2) == [dt.date(2000, 3, 1)]
    assert parse_date("2/30/2001") is None
    assert parse_date("2001-02-03") == dt.date(2001, 2, 3)


def test_lenient_formats() -> None:
    item = TASK.generate(0, 0, 2)
    answer = item.answer
    date = item.meta["options"][item.meta["correct"]]
    month, day, year = date.split("/")
    for variant in (
        answer,
        answer.lower(),
        f"({answer})",
        f"option {answer}",
        f"({answer}) {date}",
        date,
        f"{int(month)}/{int(day)}/{year}",
        f"{year}-{month}-{day}",
    ):
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_near_misses() -> None:
    item = TASK.generate(0, 1, 3)
    correct = item.meta["correct"]
    wrong = (correct + 1) % len(item.meta["options"])
    wrong_letter = chr(ord("A") + wrong)
    right_date = dt.datetime.strptime(item.meta["options"][correct], "%m/%d/%Y").date()
    off_by_one = (right_date + dt.timedelta(days=1)).strftime("%m/%d/%Y")
    helpers.assert_below_one(
        TASK,
        item,
        [
            wrong_letter,
            item.meta["options"][wrong],
            f"({item.answer}) {item.meta['options'][wrong]}",
            off_by_one,  # the day after the right date, not an option unless it is wrong
            f"{item.answer} or {wrong_letter}",
            "Z",
        ],
    )


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=250)
    assert agreement.agree == 230
    assert agreement.known_defects == 20
    assert len(agreement.defect_reasons) == 4

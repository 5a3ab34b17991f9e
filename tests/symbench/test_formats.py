"""Across all 37 tasks: harmless wrapping of a right answer never costs the point."""

from __future__ import annotations

import pytest

from codesteer.symbench import TASK_NAMES, get_task

WRAPPINGS = {
    "double quotes": '"{}"',
    "backticks": "`{}`",
    "trailing period": "{}.",
    "code fence": "```\n{}\n```",
    "surrounding blanks": "  \n{}\n ",
    "prose around the brackets": "After checking every step, the answer is <<<{}>>> as shown.",
}


@pytest.mark.parametrize("name", TASK_NAMES)
def test_harmless_wrapping_keeps_a_right_answer_right(name: str) -> None:
    task = get_task(name)
    for index in range(3):
        item = task.generate(seed=11, index=index)
        for label, wrapping in WRAPPINGS.items():
            text = wrapping.format(item.answer)
            text = text if "<<<" in text else f"<<<{text}>>>"
            score = task.score(text, item)
            assert score.value == 1.0, (label, item.id, score.reason)


@pytest.mark.parametrize("name", TASK_NAMES)
def test_only_the_last_wrapped_answer_counts(name: str) -> None:
    task = get_task(name)
    item = task.generate(seed=12, index=0)
    wrong = "<<<none of these>>>"
    assert task.score(f"<<<{item.answer}>>> ... on second thought {wrong}", item).value < 1
    assert task.score(f"first guess {wrong}, final: <<<{item.answer}>>>", item).value == 1

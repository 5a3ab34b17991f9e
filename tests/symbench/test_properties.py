"""Property tests over all 37 verifiers: any text is scored in [0, 1] without raising."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codesteer.symbench import TASK_NAMES, Item, Task, get_task

# Text that looks like answers: brackets, digits, operators, letters, separators.
ANSWERISH = st.text(
    alphabet=st.sampled_from(list("0123456789+-*/()[]{},;:. \n\"'<>=abcdefgxyzABCDEFX_@#$%~&")),
    max_size=120,
)
ANY_TEXT = st.text(max_size=300)


def _item(task: Task[Any]) -> Item:
    return task.generate(seed=7, index=0)


def _mutations(answer: str) -> st.SearchStrategy[str]:
    """The reference answer with a few characters deleted, replaced or inserted."""

    @st.composite
    def mutate(draw: st.DrawFn) -> str:
        text = list(answer)
        for _ in range(draw(st.integers(1, 3))):
            position = draw(st.integers(0, len(text)))
            action = draw(st.sampled_from(["delete", "insert", "replace"]))
            char = draw(st.sampled_from(list("0123456789,[]() -AB")))
            if action == "insert" or not text:
                text.insert(position, char)
            elif position < len(text):
                if action == "delete":
                    del text[position]
                else:
                    text[position] = char
        return "".join(text)

    return mutate()


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _assert_in_range(task: Task[Any], item: Item, text: str) -> None:
    direct = task.check(text, item)  # the raw verifier, without the base class's guard
    assert 0.0 <= direct.value <= 1.0
    assert isinstance(direct.reason, str) and direct.reason
    wrapped = task.score(f"<<<{text}>>>", item)
    assert 0.0 <= wrapped.value <= 1.0
    assert not wrapped.reason.startswith("verifier error"), wrapped.reason


@pytest.mark.parametrize("name", TASK_NAMES)
def test_arbitrary_text_never_raises(name: str) -> None:
    task = get_task(name)
    item = _item(task)

    @SETTINGS
    @given(text=st.one_of(ANY_TEXT, ANSWERISH))
    def run(text: str) -> None:
        _assert_in_range(task, item, text)

    run()


@pytest.mark.parametrize("name", TASK_NAMES)
def test_mutated_reference_answers_never_raise(name: str) -> None:
    task = get_task(name)
    item = _item(task)

    @SETTINGS
    @given(text=_mutations(item.answer))
    def run(text: str) -> None:
        _assert_in_range(task, item, text)

    run()

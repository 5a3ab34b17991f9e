from __future__ import annotations

import json

import pytest

from codesteer.symbench import get_task
from codesteer.symbench.tasks.string_deletion_modification import (
    POOL,
    Rule,
    apply_rule,
    parse_original_rule,
    run_rules,
)
from tests.paths import original_root
from tests.symbench import helpers

TASK = get_task("string_deletion_modification")


def test_deterministic() -> None:
    helpers.assert_deterministic(TASK)


def test_reference_scores_one_at_every_level() -> None:
    helpers.assert_references_score_one(TASK, n=20)


def test_first_applicable_rule_then_restart() -> None:
    rules = [Rule("suffix", "bb"), Rule("prefix", "ab", "ca")]
    # Rule 1 is retried (and wins) before rule 2 gets a turn; a round-robin reading would
    # apply rule 2 after the first deletion and end at "cab".
    assert run_rules("abbbb", rules) == ["abbbb", "abb", "a"]


def test_rule_edge_cases() -> None:
    middle = Rule("longer_than", limit=3)
    assert apply_rule(middle, "abcdef") == "abcef"  # index len // 2
    assert apply_rule(middle, "abc") is None
    inner = Rule("contains_inner", "ca")
    assert apply_rule(inner, "cacab") == "cab"  # the leading 'ca' is skipped
    assert apply_rule(Rule("even_count", "b", append="ab"), "acc") is None  # zero is not enough
    assert apply_rule(Rule("prefix", "cb", "aa", drop_last=True), "cbc") == "aa"
    loop = [Rule("prefix", "a", "b"), Rule("prefix", "b", "a")]
    assert run_rules("ab", loop) is None


def test_lenient_formats() -> None:
    item = TASK.generate(0, 0, 1)
    answer = item.answer
    for variant in (answer.upper(), f'"{answer}"', f" {answer} ", f"'{answer}'", f'" {answer} "'):
        assert TASK.score(f"<<<{variant}>>>", item).value == 1.0, variant


def test_near_misses() -> None:
    item = TASK.generate(0, 1, 1)
    answer = item.answer
    states = run_rules(item.meta["string"], [Rule.from_json(r) for r in item.meta["rules"]])
    assert states is not None and len(states) >= 5
    other = "b" if answer[0] != "b" else "c"
    helpers.assert_below_one(
        TASK,
        item,
        [
            item.meta["string"],  # unchanged
            states[-2],  # one step short
            answer[:-1],
            answer + "a",
            other + answer[1:],
            answer[::-1] if answer[::-1] != answer else answer + "b",
        ],
    )


def test_malformed_answers_score_zero() -> None:
    helpers.assert_malformed_score_zero(TASK, TASK.generate(0, 2))


@pytest.mark.original
def test_original_rules_are_the_pool() -> None:
    folder = original_root() / "string_deletion_and_modification"
    texts = {
        rule
        for path in folder.glob("sample_*/solution.json")
        for rule in json.loads(path.read_text())["selected_rules"]
    }
    assert {parse_original_rule(text) for text in texts} == set(POOL)


@pytest.mark.original
def test_original_instances_agree() -> None:
    agreement = helpers.assert_originals_agree(TASK, expect_min=70)
    assert agreement.agree == agreement.total

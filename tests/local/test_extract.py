"""Extraction of the first Python block and of the final answer."""

from __future__ import annotations

from codesteer.local.extract import final_answer, first_python_block


def test_first_python_block_takes_only_the_first() -> None:
    text = "Plan.\n```python\nprint(1)\n```\nthen\n```python\nprint(2)\n```"
    assert first_python_block(text) == "print(1)\n"


def test_first_python_block_accepts_py_untagged_and_indented_fences() -> None:
    assert first_python_block("```py\nx = 1\n```") == "x = 1\n"
    assert first_python_block("```\nx = 2\n```") == "x = 2\n"
    assert first_python_block("  ```Python3\nx = 3\n  ```") == "x = 3\n"


def test_first_python_block_skips_other_languages_and_empty_blocks() -> None:
    text = "```bash\nls\n```\n```python\n\n```\n```python\nprint(3)\n```"
    assert first_python_block(text) == "print(3)\n"
    assert first_python_block("no code here") is None


def test_an_unclosed_block_is_taken_to_the_end() -> None:
    assert first_python_block("```python\nfor i in range(3):\n    print(i") == (
        "for i in range(3):\n    print(i\n"
    )


def test_final_answer_prefers_the_code_output_then_the_text() -> None:
    both = final_answer("so <<<12>>>", "<<<13>>>\n")
    assert (both.answer, both.source) == ("13", "code")
    assert both.candidates == ("<<<13>>>\n", "so <<<12>>>")
    text_only = final_answer("so <<<12>>>", "13\n")
    assert (text_only.answer, text_only.source) == ("12", "text")
    nothing = final_answer("no idea", None)
    assert (nothing.answer, nothing.source, nothing.candidates) == (None, None, ("no idea",))


def test_final_answer_takes_the_last_wrapped_answer() -> None:
    assert final_answer("<<<1>>> no, <<<2>>>", None).answer == "2"

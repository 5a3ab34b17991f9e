"""The harness's public names: exported, present, and nothing private leaks."""

from __future__ import annotations

import codesteer.local.harness as harness


def test_all_is_exported_and_complete() -> None:
    for name in harness.__all__:
        assert hasattr(harness, name), name
    public = {n for n in vars(harness) if not n.startswith("_") and n[0].isupper()}
    assert public <= set(harness.__all__), public - set(harness.__all__)

"""The slow tier (the crash tests) runs after every other test of the run (ADR 0016).

Meaningful when the run holds slow tests too (`make test` does). Quick check, without running a crash
test: `pytest tests/contact/crash/test_outbox_crash.py::test_no_email_is_lost_when_workers_are_killed_postgres
tests/contact/crash/test_tiers.py` (the first is slow and skipped on SQLite, so it stays in the run).
"""

from __future__ import annotations

import pytest


def test_every_slow_test_is_ordered_after_every_quick_one(request: pytest.FixtureRequest) -> None:
    items = request.session.items
    tiers = [item.get_closest_marker("slow") is not None for item in items]
    slow_first = [item.nodeid for item, slow in zip(items, tiers, strict=True) if slow][:3]
    assert tiers == sorted(tiers), f"a quick test runs after slow ones: {slow_first}"

"""Recalls: the client takes accounts back (a recall file, or a full refresh that omits them).

Owned by the recall track of issue 15; see docs/adr/0035-placement-profiles.md.
"""

from __future__ import annotations

from solvent.portfolio.models import Placement


def accounts_absent_recall(*, placement: Placement) -> int:
    """Recall the client's accounts that a full-refresh placement's file does not list."""
    raise NotImplementedError("issue 15: the recall track writes this")

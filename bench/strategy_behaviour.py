"""How a strategy benchmark debtor answers one attempt: the product's debtor behaviour, re-exported.

The behaviour moved to ``solvent.training.domain.debtor_behaviour`` with the debtor model (the
practice floor uses both; src/ cannot import bench/); this module keeps the benchmark's imports
(``strategy_world``, ``strategy_bench``, tests/bench) unchanged.
"""

from __future__ import annotations

from solvent.training.domain.debtor_behaviour import (
    CENT,
    MEDIA,
    RESULT_COLUMNS,
    ActionResult,
    DebtorState,
    Payment,
    PlannedAction,
    Promise,
    Tally,
    attempt_answer,
    payment_take,
)

__all__ = [
    "CENT",
    "MEDIA",
    "RESULT_COLUMNS",
    "ActionResult",
    "DebtorState",
    "Payment",
    "PlannedAction",
    "Promise",
    "Tally",
    "attempt_answer",
    "payment_take",
]

"""What a payment changes beyond the balances: promises and plans, settlements, work items, paths.

The ledger calls ``payment_consequences`` inside the transaction that posted, cleared, returned or
reversed a payment; the daily evaluation calls it for every account with something due.
"""

from __future__ import annotations

from datetime import date


def payment_consequences(*, account_id: int, today: date, actor_id: int | None = None) -> None:
    """Re-evaluate the account's promises, plans and settlement from its ledger (issue 13, track
    "promises and plans": being written; the ledger already calls it in its transaction)."""
    del account_id, today, actor_id

"""The dialer's writes, each one transaction with its audit entry.

``hopper`` fills the hopper from today's plan and takes the next numbers to dial; ``calls`` asks the
compliance gate at dial time, moves a call through its states and records its one outcome (the
contact history, the ledger, the hopper entry recycled). Callers import from this package:
``from solvent.dialer.services import hopper_take``.
"""

from solvent.dialer.services.calls import (
    call_event_apply,
    call_outcome_record,
    calls_dial_authorize,
)
from solvent.dialer.services.hopper import hopper_fill, hopper_take

__all__ = [
    "call_event_apply",
    "call_outcome_record",
    "calls_dial_authorize",
    "hopper_fill",
    "hopper_take",
]

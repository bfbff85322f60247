"""Arrangements' writes: each one transaction with its audit entry.

``promises``: promise_create / _cancel / _evaluate; ``plans``: income_expenditure_record,
plan_propose / _accept / _evaluate; ``vulnerability``: vulnerability_flag_record / _end. Callers
import from this package: ``from solvent.arrangements.services import promise_create``.
"""

from solvent.arrangements.services.plans import (
    income_expenditure_record,
    plan_accept,
    plan_evaluate,
    plan_propose,
)
from solvent.arrangements.services.promises import (
    promise_cancel,
    promise_create,
    promise_evaluate,
)
from solvent.arrangements.services.vulnerability import (
    vulnerability_flag_end,
    vulnerability_flag_record,
)

__all__ = [
    "income_expenditure_record",
    "plan_accept",
    "plan_evaluate",
    "plan_propose",
    "promise_cancel",
    "promise_create",
    "promise_evaluate",
    "vulnerability_flag_end",
    "vulnerability_flag_record",
]

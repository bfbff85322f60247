"""Recalls: the client takes accounts back (a recall file, or a full refresh that omits them).

The public face of the recall modules (docs/adr/0037-recalls.md):
- `recall_accounts`: `accounts_recall`, the one place an account becomes `recalled`;
- `recall_refresh`: `accounts_absent_recall`, the accounts a full refresh's file does not list,
  behind the brake (services._run calls it once a full-refresh import finished without failure);
- `recall_import`: `placement_recall_import`, a recall file as a placement of kind `recall`.
"""

from __future__ import annotations

from solvent.portfolio.imports.recall_accounts import RECALLABLE, accounts_recall
from solvent.portfolio.imports.recall_import import placement_recall_import
from solvent.portfolio.imports.recall_refresh import (
    RECALL_REFUSED,
    RecallError,
    accounts_absent_find,
    accounts_absent_preview,
    accounts_absent_recall,
    recall_max_share,
    recall_refusal,
)

__all__ = [
    "RECALLABLE",
    "RECALL_REFUSED",
    "RecallError",
    "accounts_absent_find",
    "accounts_absent_preview",
    "accounts_absent_recall",
    "accounts_recall",
    "placement_recall_import",
    "recall_max_share",
    "recall_refusal",
]

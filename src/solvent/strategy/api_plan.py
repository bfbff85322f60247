"""Plan endpoints: "why not?" for an account, results posted back, a campaign's call list.

Thin: the account through the tenant-scoped access helper (404 for another tenant's, as for a
missing one), then the role, then one selector or service. Results are accepted only for accounts
of the user's clients (another client's account is "no account" in the row's error).
"""

# No ``from __future__ import annotations``: ninja reads the parameters' annotations at import.
import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from solvent.core import clock
from solvent.portfolio.access import access_account_by_id, access_client_ids
from solvent.strategy.selectors.definitions import strategy_role_require
from solvent.strategy.selectors.plan import account_why_not, call_list
from solvent.strategy.services.results import RESULT_COLUMNS, plan_results_post

router = Router(tags=["plan"])


class WhyNotOut(Schema):
    account_number: str
    client: str
    day: dt.date
    stored: bool = Field(description="False: the day is not planned yet; what it would plan now")
    segment: str
    strategy: str
    arm: str
    step: str
    channel: str
    template: str
    contact_point: str
    planned_at: dt.datetime | None
    planned_local: str
    time_zone: str
    priority: float
    status: str
    reason: str
    reason_text: str
    detail: str
    path: str


class ResultRowIn(Schema):
    account_number: str = Field(max_length=64)
    client: str = Field(max_length=40)
    step: str = Field("", max_length=60)
    channel: str = Field(max_length=10)
    contact_point: str = Field("", max_length=254)
    occurred_utc: str = Field("", max_length=40)
    outcome: str = Field("", max_length=24)
    right_party: str = Field("false", max_length=5)
    promise_date: str = Field("", max_length=10)
    promise_amount: str = Field("", max_length=20)
    payment_amount: str = Field("", max_length=20)
    payment_date: str = Field("", max_length=10)
    complaint: str = Field("false", max_length=5)
    stop: str = Field("false", max_length=5)


class ResultsIn(Schema):
    rows: list[ResultRowIn] = Field(max_length=5000)


class RowErrorOut(Schema):
    row: int
    field: str
    reason: str


class ResultsOut(Schema):
    accepted: int
    duplicates: int
    refused: int
    payments: int
    promises: int
    rejected: list[RowErrorOut]


class CallOut(Schema):
    account_id: int
    debtor_id: int | None
    contact_point: str
    planned_at: dt.datetime | None
    time_zone: str
    priority: float
    strategy: str
    step: str


@router.get("/accounts/{account_id}/why-not", response=WhyNotOut)
def why_not(request: HttpRequest, account_id: int, day: dt.date | None = None) -> dict[str, Any]:
    """What the plan of ``day`` (default today) does with the account, and why (or why not)."""
    account = access_account_by_id(user=request.user, account_id=account_id)
    why = account_why_not(account=account, day=day or clock.now().date())
    return {
        **{name: getattr(why, name) for name in WhyNotOut.model_fields if hasattr(why, name)},
        "path": why.next_step,
    }


@router.post("/results", response=ResultsOut)
def results(request: HttpRequest, payload: ResultsIn) -> dict[str, Any]:
    """Post a day's results (the CSV's columns as JSON rows; row numbers count from 1)."""
    actor_id = strategy_role_require(user=request.user, write=True)
    rows = [{name: getattr(row, name) for name in RESULT_COLUMNS} for row in payload.rows]
    summary = plan_results_post(
        rows=rows, actor_id=actor_id, client_ids=access_client_ids(user=request.user)
    )
    return {
        "accepted": summary.accepted,
        "duplicates": summary.duplicates,
        "refused": summary.refused,
        "payments": summary.payments,
        "promises": summary.promises,
        "rejected": [vars(error) for error in summary.rejected],
    }


@router.get("/{day}/calls", response=list[CallOut])
def calls(request: HttpRequest, day: dt.date, campaign: str) -> list[dict[str, Any]]:
    """A campaign's planned calls of the day, best first (the dialer's hopper), of the user's
    clients."""
    strategy_role_require(user=request.user)
    client_ids = access_client_ids(user=request.user)
    items = call_list(day=day, campaign=campaign)
    if client_ids is not None:
        items = items.filter(client_id__in=client_ids)
    return [
        {
            "account_id": item.account_id,
            "debtor_id": item.debtor_id,
            "contact_point": item.contact_point,
            "planned_at": item.planned_at,
            "time_zone": item.time_zone,
            "priority": item.priority,
            "strategy": item.strategy_key,
            "step": item.step_key,
        }
        for item in items[:1000]
    ]

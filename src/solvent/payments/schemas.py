"""The ledger API's shapes: one declaration per format serves the endpoints and OpenAPI."""

# No ``from __future__ import annotations``: ninja and pydantic read the annotations at import.
import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import StringConstraints

from solvent.core.schemas import RowId, Text
from solvent.payments.models import Payment

# A client code is a slug (Client.code): anything else is a 422, not a query that fails.
ClientCode = Annotated[str, StringConstraints(max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")]


class PaymentIn(Schema):
    account_id: RowId
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    paid_on: dt.date
    method: Text = Field(max_length=16, description="card, ach, bank_transfer, check, cash, other")
    reference: Text = Field("", max_length=100)
    status: Text = Field("cleared", max_length=10, description="cleared (default) or pending")
    currency: Text = Field("", max_length=3, description="default: the account's currency")
    idempotency_key: Text = Field(
        "", max_length=120, description="or the Idempotency-Key header; one of them is required"
    )


class ReasonIn(Schema):
    reason: Text = Field(min_length=1, max_length=255)


class AllocationOut(Schema):
    component: str
    amount: Decimal
    reverses: int | None = Field(None, alias="reverses_id")


class PaymentOut(Schema):
    id: int
    account_id: int
    amount: Decimal
    currency: str
    method: str
    paid_on: dt.date
    reference: str
    status: str
    source: str
    status_reason: str
    posted_at: dt.datetime
    allocations: list[AllocationOut]

    @staticmethod
    def resolve_allocations(obj: Payment) -> list[AllocationOut]:
        return [
            AllocationOut(component=row.component, amount=row.amount, reverses_id=row.reverses_id)
            for row in obj.allocations.all()
        ]


class RefusedOut(Schema):
    code: str
    detail: str


class RowErrorOut(Schema):
    row: int
    field: str
    value: str
    reason: str


class OverpaymentOut(Schema):
    row: int
    account_number: str
    amount: Decimal


class FileReportOut(Schema):
    client: str
    dry_run: bool
    rows: int
    posted: int
    posted_total: Decimal
    returned: int
    duplicates: int
    rejected: int
    errors: list[RowErrorOut]
    overpayments: list[OverpaymentOut]
    errors_csv: str

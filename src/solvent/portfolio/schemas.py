"""API schemas for the portfolio. Personal data is masked; nothing decrypted leaves through the API."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from ninja import Field, Schema

from solvent.core import clock
from solvent.portfolio.models import Account


class ClientOut(Schema):
    id: int
    code: str
    name: str
    currency: str
    country: str


class PhoneOut(Schema):
    id: int
    e164: str
    kind: str
    line_type: str
    status: str
    time_zones: list[str]


class EmailOut(Schema):
    id: int
    address: str
    status: str


class AddressOut(Schema):
    id: int
    kind: str
    line1: str
    line2: str
    city: str
    region: str
    postal_code: str
    country: str


class DebtorOut(Schema):
    id: int
    first_name: str
    middle_name: str
    last_name: str
    date_of_birth_masked: str
    national_id_masked: str
    language: str
    is_deceased: bool
    in_bankruptcy: bool
    attorney_represented: bool
    cease_communication: bool
    account_ids: list[int] = Field(description="the debtor's accounts you may see")
    phones: list[PhoneOut]
    emails: list[EmailOut]
    addresses: list[AddressOut]


class AccountDebtorOut(Schema):
    debtor_id: int
    role: str


class AccountOut(Schema):
    id: int
    client_code: str = Field(..., alias="client.code")
    account_number: str
    original_creditor: str
    product: str
    currency: str
    principal: Decimal
    interest: Decimal
    fees: Decimal
    balance: Decimal
    delinquency_date: date | None
    charge_off_date: date | None
    last_payment_date: date | None
    placed_on: date | None
    status: str
    days_past_due: int
    stage: str
    debtors: list[AccountDebtorOut]

    @staticmethod
    def resolve_days_past_due(obj: Account) -> int:
        return obj.days_past_due(clock.today())

    @staticmethod
    def resolve_stage(obj: Account) -> str:
        return obj.stage(clock.today()).value

    @staticmethod
    def resolve_debtors(obj: Account) -> list[dict[str, object]]:
        return [
            {"debtor_id": link.debtor_id, "role": link.role} for link in obj.account_debtors.all()
        ]

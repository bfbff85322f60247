"""API schemas of the contact app."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from solvent.portfolio.access import scope_of


class InteractionOut(Schema):
    id: int
    debtor_id: int
    channel: str
    direction: str
    contact_point: str
    account_ids: list[int]
    occurred_at: datetime
    agent: str = Field(..., alias="agent_or_system")
    disposition: str
    duration_seconds: int | None
    recording_ref: str
    summary: str
    message_id: str
    provider_message_id: str
    delivery_status: str
    compliance_attempt_id: int | None
    decision_log_id: int | None

    @staticmethod
    def resolve_account_ids(interaction: Any, context: Any) -> list[int]:
        return scope_of(context).accounts(interaction.account_ids)


class CallIn(Schema):
    """A call or voicemail an agent or the dialer made, after its own compliance authorization."""

    debtor_id: int
    channel: str = "call"
    direction: str = "outbound"
    contact_point: str
    account_ids: list[int] = []
    disposition: str
    duration_seconds: int | None = None
    recording_ref: str = ""
    summary: str = ""
    attempt_id: int | None = None
    decision_log_id: int | None = None
    occurred_at: datetime | None = None

"""API schemas of the contact app."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from ninja import Field, Schema

from solvent.contact.domain.model import Channel, Direction, Disposition
from solvent.core.schemas import MAX_IDS_PER_REQUEST, RowId, Text, UtcDatetime
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


def _one_of(kind: type[enum.StrEnum]) -> dict[str, Any]:
    """The allowed values, documented; the service checks them (a 400, code interaction_invalid)."""
    return {"enum": [member.value for member in kind]}


class CallIn(Schema):
    """A call or voicemail an agent or the dialer made, after its own compliance authorization.

    Limits are those of the Interaction columns (contact/models.py).
    """

    debtor_id: RowId
    channel: str = Field("call", max_length=10, json_schema_extra=_one_of(Channel))
    direction: str = Field("outbound", max_length=8, json_schema_extra=_one_of(Direction))
    contact_point: Text = Field(max_length=254)
    account_ids: list[RowId] = Field(default_factory=list, max_length=MAX_IDS_PER_REQUEST)
    disposition: str = Field(max_length=24, json_schema_extra=_one_of(Disposition))
    # A PositiveIntegerField: PostgreSQL's integer.
    duration_seconds: int | None = Field(None, ge=0, le=2**31 - 1)
    recording_ref: Text = Field("", max_length=255)
    summary: Text = Field("", max_length=255)
    attempt_id: RowId | None = None
    decision_log_id: RowId | None = None
    occurred_at: UtcDatetime | None = None

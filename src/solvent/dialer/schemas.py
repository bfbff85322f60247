"""The dialer API's shapes: one declaration per format serves the endpoints and OpenAPI."""

# No ``from __future__ import annotations``: ninja and pydantic read the annotations at import.
import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import StringConstraints

from solvent.core.schemas import Text

CampaignKey = Annotated[str, StringConstraints(max_length=80, pattern=r"^[a-z0-9][a-z0-9-]*$")]
ClientCode = Annotated[str, StringConstraints(max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")]


class CampaignSettingsIn(Schema):
    """What a supervisor sets (docs/dialer-operations.md); the limits are checked by the service."""

    name: Text = Field(min_length=1, max_length=200)
    mode: Literal["preview", "progressive", "predictive"] = "predictive"
    machines: Literal["drop", "leave_message", "connect"] = "drop"
    voicemail_template: Text = Field("", max_length=60)
    ring_timeout_seconds: int = Field(20, ge=0, le=32767, description="15 at least")
    max_lines: int = Field(60, ge=0, le=32767)
    target_abandon_rate: float = Field(0.03, ge=0, le=1, description="0.03 at most")
    enforce_24_hour_window: bool = Field(False, description="the UK rule (Ofcom)")
    busy_retry_minutes: int = Field(30, ge=0, le=32767)
    no_answer_retry_minutes: int = Field(120, ge=0, le=32767)
    max_attempts_per_day: int = Field(3, ge=0, le=32767)
    hopper_size: int = Field(200, ge=0, le=32767)
    caller_id: Text = Field("", max_length=32, description="E.164, the number the debtor sees")


class CampaignChangeIn(Schema):
    """The settings to change; a field left out keeps its value."""

    name: Text | None = Field(None, min_length=1, max_length=200)
    mode: Literal["preview", "progressive", "predictive"] | None = None
    machines: Literal["drop", "leave_message", "connect"] | None = None
    voicemail_template: Text | None = Field(None, max_length=60)
    ring_timeout_seconds: int | None = Field(None, ge=0, le=32767)
    max_lines: int | None = Field(None, ge=0, le=32767)
    target_abandon_rate: float | None = Field(None, ge=0, le=1)
    enforce_24_hour_window: bool | None = None
    busy_retry_minutes: int | None = Field(None, ge=0, le=32767)
    no_answer_retry_minutes: int | None = Field(None, ge=0, le=32767)
    max_attempts_per_day: int | None = Field(None, ge=0, le=32767)
    hopper_size: int | None = Field(None, ge=0, le=32767)
    caller_id: Text | None = Field(None, max_length=32)


class CampaignIn(CampaignSettingsIn):
    key: CampaignKey = Field(description="the plan's campaign name (client code-strategy key)")
    client: ClientCode = Field(description="the client whose calls it dials")


class PauseIn(Schema):
    reason: Text = Field("", max_length=200)


class CampaignOut(Schema):
    id: int
    key: str
    name: str
    client: str | None = Field(None, alias="client.code")
    status: str
    mode: str
    machines: str
    voicemail_template: str
    ring_timeout_seconds: int
    max_lines: int
    target_abandon_rate: float
    enforce_24_hour_window: bool
    busy_retry_minutes: int
    no_answer_retry_minutes: int
    max_attempts_per_day: int
    hopper_size: int
    caller_id: str
    updated_at: dt.datetime


class WindowOut(Schema):
    abandoned: int
    live_answered: int
    rate: float | None = Field(description="abandoned / live answered; null when none answered")


class CampaignFiguresOut(Schema):
    key: str
    at: dt.datetime
    limit: float = Field(description="the abandon rate allowed (0.03)")
    last_30_days: WindowOut
    last_24_hours: WindowOut
    lines_up: int = Field(description="calls dialling, ringing, answered or connected now")
    hopper_waiting: int
    dials_today: int
    connects_today: int
    agents: dict[str, int] = Field(description="agents logged in, by state")


class AgentSessionOut(Schema):
    campaign: str = Field(alias="campaign.key")
    agent: str = Field(alias="agent.username")
    agent_id: int
    state: str
    pause_reason: str
    state_since: dt.datetime
    logged_in_at: dt.datetime
    call_id: int | None

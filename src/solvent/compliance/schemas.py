"""API schemas for compliance: the scenario check's body, decisions and errors, and a debtor's
compliance records.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from ninja import Field, Schema

from solvent.compliance.domain.model import Purpose
from solvent.compliance.domain.scenario import SCENARIO_INPUT
from solvent.compliance.domain.scenario_reader import ScenarioError
from solvent.compliance.domain.serialise import DecisionOut
from solvent.compliance.models import Channel, Consent, ContactAttempt, DebtNotice, Hold
from solvent.compliance.models import TimePreference as TimePreferenceRow
from solvent.core.schemas import (
    MAX_IDS_PER_REQUEST,
    ApiErrorOut,
    Note,
    RowId,
    Text,
    UtcDatetime,
    WallTime,
)
from solvent.portfolio.access import scope_of

# The scenario check speaks the formats declared in compliance/domain (scenario.py, serialise.py):
# the same Pydantic models the CLI reads and writes with.
DecisionsOut = DecisionOut | list[DecisionOut]


class FieldErrorOut(Schema):
    path: str = Field(description="JSON path of the malformed field, e.g. $.history[3].at")
    reason: str


class ScenarioErrorOut(Schema):
    """A malformed scenario: every bad field with its path and the reason."""

    code: str = Field(description="scenario_invalid")
    detail: str
    errors: list[FieldErrorOut]

    @staticmethod
    def from_error(error: ScenarioError) -> ScenarioErrorOut:
        return ScenarioErrorOut(
            code=error.code,
            detail=f"invalid scenario: {len(error.errors)} problem(s)",
            errors=[FieldErrorOut(path=item.path, reason=item.reason) for item in error.errors],
        )


def scenario_request_body() -> dict[str, Any]:
    """The OpenAPI request body of the scenario check, generated from the scenario models.

    The check reads its body itself (the size limit comes before validation, and errors take the
    shape of ``ScenarioErrorOut``), so ninja does not see a body parameter: the schema is given
    whole, its definitions inlined.
    """
    schema = SCENARIO_INPUT.json_schema(ref_template="#/$defs/{model}")
    definitions = schema.pop("$defs", {})
    return {
        "requestBody": {
            "required": True,
            "description": "A scenario (debtor, history, proposed) or a list of them; see "
            "docs/compliance.md. The same document `solvent rules check` reads.",
            "content": {"application/json": {"schema": _inline(schema, definitions)}},
        }
    }


def _inline(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        reference = node.get("$ref")
        if isinstance(reference, str) and reference.startswith("#/$defs/"):
            return _inline(definitions[reference.removeprefix("#/$defs/")], definitions)
        return {key: _inline(value, definitions) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(item, definitions) for item in node]
    return node


def _shows_text(record: Any, context: Any) -> bool:
    """May the response show this hold's or consent's free text (ADR 0022)?"""
    account_ids = [account.pk for account in record.accounts.all()]
    return scope_of(context).shows_text(record.debtor_id, account_ids)


_RELEASE_REQUEST_FIELDS = (
    "id",
    "hold_id",
    "status",
    "requested_by_id",
    "requested_at",
    "decided_by_id",
    "decided_at",
)


# The one error shape of the API (ADR 0020); the name is kept for the responses declared with it.
ErrorOut = ApiErrorOut


class DecisionLogOut(Schema):
    id: int
    channel: str
    contact_point: str
    account_ids: list[int]
    purpose: str
    autodialled: bool
    proposed_at: datetime
    allowed: bool
    blocking_rule_ids: list[str]
    earliest_lawful_at: datetime | None
    decision: dict[str, Any]
    asked_by_id: int | None
    decided_at: datetime

    @staticmethod
    def resolve_account_ids(decision: Any, context: Any) -> list[int]:
        return scope_of(context).accounts(decision.account_ids)


class HoldReleaseRequestOut(Schema):
    """A maker-checker release: pending until a second compliance officer decides."""

    id: int
    hold_id: int
    status: str
    reason: str
    requested_by_id: int | None
    requested_at: datetime
    decided_by_id: int | None
    decided_at: datetime | None
    decision_note: str


class HoldOut(Schema):
    id: int
    kind: str
    source: str
    contact_point: str
    channels: list[str]
    evidence: str
    placed_at: datetime
    placed_by_id: int | None
    released_at: datetime | None
    release_reason: str
    released_by_id: int | None
    account_ids: list[int]
    release_requests: list[HoldReleaseRequestOut] = Field(
        description="attorney, bankruptcy and deceased holds: asks to lift them and the answers"
    )

    @staticmethod
    def resolve_account_ids(hold: Any, context: Any) -> list[int]:
        return scope_of(context).accounts(account.pk for account in hold.accounts.all())

    # Free text of a person-wide hold is not shown across clients (ADR 0022).
    @staticmethod
    def resolve_source(hold: Any, context: Any) -> str:
        return str(hold.source) if _shows_text(hold, context) else ""

    @staticmethod
    def resolve_contact_point(hold: Any, context: Any) -> str:
        return str(hold.contact_point) if _shows_text(hold, context) else ""

    @staticmethod
    def resolve_evidence(hold: Any, context: Any) -> str:
        return str(hold.evidence) if _shows_text(hold, context) else ""

    @staticmethod
    def resolve_release_reason(hold: Any, context: Any) -> str:
        return str(hold.release_reason) if _shows_text(hold, context) else ""

    @staticmethod
    def resolve_release_requests(hold: Any, context: Any) -> list[Any]:
        shown = _shows_text(hold, context)
        return [
            {
                **{name: getattr(request, name) for name in _RELEASE_REQUEST_FIELDS},
                "reason": request.reason if shown else "",
                "decision_note": request.decision_note if shown else "",
            }
            for request in sorted(hold.release_requests.all(), key=lambda request: request.pk)
        ]


class ConsentOut(Schema):
    id: int
    channel: str
    contact_point: str
    scope: str
    source: str
    given_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    revocation_source: str
    account_ids: list[int] = Field(description="the debts it was given about; empty: every debt")

    @staticmethod
    def resolve_account_ids(consent: Any, context: Any) -> list[int]:
        return scope_of(context).accounts(account.pk for account in consent.accounts.all())

    @staticmethod
    def resolve_contact_point(consent: Any, context: Any) -> str:
        return str(consent.contact_point) if _shows_text(consent, context) else ""

    @staticmethod
    def resolve_source(consent: Any, context: Any) -> str:
        return str(consent.source) if _shows_text(consent, context) else ""

    @staticmethod
    def resolve_revocation_source(consent: Any, context: Any) -> str:
        return str(consent.revocation_source) if _shows_text(consent, context) else ""


class TimePreferenceOut(Schema):
    id: int
    kind: str
    days: list[int]
    start: time | None
    end: time | None
    time_zone: str
    source: str
    stated_at: datetime
    withdrawn_at: datetime | None


class ContactAttemptOut(Schema):
    id: int
    channel: str
    contact_point: str
    at: datetime
    status: str
    outcome: str
    autodialled: bool
    decision_log_id: int | None
    account_ids: list[int]

    @staticmethod
    def resolve_account_ids(attempt: Any, context: Any) -> list[int]:
        return scope_of(context).accounts(account.pk for account in attempt.accounts.all())


class ComplianceRecordsOut(Schema):
    """Everything that stops or shapes contact with one debtor, for the desk and for audits."""

    holds: list[HoldOut]
    consents: list[ConsentOut]
    time_preferences: list[TimePreferenceOut]


def _one_of(values: Any, description: str = "") -> Any:
    """A documented list of allowed values; the service checks them (a 400 with code invalid_*)."""
    return {"enum": sorted(str(value) for value in values), "description": description}


# Kinds a person may place: medium opt-outs are written by consent_revoke.
_HOLD_KINDS = set(Hold.Kind.values) - {Hold.Kind.MEDIUM_OPT_OUT}
# Limits from the columns the values go into (compliance/models.py).
AccountIds = list[RowId]


class HoldIn(Schema):
    kind: str = Field(max_length=16, json_schema_extra=_one_of(_HOLD_KINDS))
    source: Text = Field(
        max_length=64, description="where it came from: letter, inbound_call, client, court, ..."
    )
    account_ids: AccountIds = Field(
        default_factory=list, max_length=MAX_IDS_PER_REQUEST, description="empty: every debt"
    )
    evidence: Note = ""


class HoldReleaseIn(Schema):
    reason: Note = Field(min_length=1, description="why the hold may end; kept and audited")


class ConsentIn(Schema):
    channel: str = Field(max_length=10, json_schema_extra=_one_of(Channel.values))
    contact_point: Text = Field(
        max_length=254, description="E.164 number, e-mail address or address:<id>"
    )
    source: Text = Field(max_length=64)
    scope: str = Field(
        "autodialled", max_length=32, json_schema_extra=_one_of(Consent.Scope.values)
    )
    account_ids: AccountIds = Field(
        default_factory=list,
        max_length=MAX_IDS_PER_REQUEST,
        description="the debts the consent is about; required for additional_calls when the "
        "debtor owes several accounts; empty otherwise: every debt",
    )
    evidence: Note = ""


class ConsentRevokeIn(Schema):
    channel: str = Field(max_length=10, json_schema_extra=_one_of(Channel.values))
    contact_point: Text = Field(max_length=254)
    source: Text = Field(max_length=64)
    evidence: Note = ""


class TimePreferenceIn(Schema):
    kind: str = Field(
        max_length=16,
        json_schema_extra=_one_of(
            TimePreferenceRow.Kind.values, "inconvenient, convenient, not_at_work, not_at_home"
        ),
    )
    source: Text = Field(max_length=64)
    days: list[int] = Field(
        default_factory=list,
        json_schema_extra={"items": {"type": "integer", "minimum": 0, "maximum": 6}},
        description="Monday = 0; empty: every day",
    )
    start: WallTime | None = None
    end: WallTime | None = None
    time_zone: Text = Field("", max_length=64, description="an IANA zone; empty: every zone")
    valid_from: date | None = None
    valid_until: date | None = None
    evidence: Note = ""


class RuleOut(Schema):
    rule_id: str
    message: str
    citation: str


class ContactOptionOut(Schema):
    """One channel and contact point, and whether the law allows using it at the moment asked."""

    channel: str
    contact_point: str
    allowed: bool
    earliest_lawful_at: datetime | None
    blocking: list[RuleOut]
    warnings: list[RuleOut]


class AttemptIn(Schema):
    """A contact about to be made by an outside system (an external dialer, a print house)."""

    channel: str = Field(
        max_length=10,
        json_schema_extra=_one_of(Channel.values, "call, sms, email, letter, voicemail, chat"),
    )
    contact_point: Text = Field(
        max_length=254, description="E.164 number, e-mail address or address:<id>"
    )
    account_ids: AccountIds = Field(default_factory=list, max_length=MAX_IDS_PER_REQUEST)
    autodialled: bool = False
    prerecorded: bool = False
    purpose: str = Field(
        "collection", max_length=32, json_schema_extra=_one_of({"collection", *Purpose})
    )


class AuthorizationOut(Schema):
    allowed: bool
    attempt_id: int | None
    decision_log_id: int
    earliest_lawful_at: datetime | None
    blocking: list[RuleOut]
    warnings: list[RuleOut]


class OutcomeIn(Schema):
    outcome: str = Field(max_length=32, json_schema_extra=_one_of(ContactAttempt.Outcome.values))
    at: UtcDatetime | None = None


class CancelIn(Schema):
    reason: Note = Field(min_length=1)


class NoticeIn(Schema):
    kind: str = Field(
        max_length=20,
        json_schema_extra=_one_of(DebtNotice.Kind.values, "validation_notice or ontario_notice"),
    )
    sent_on: date
    source: Text = Field(max_length=64)
    evidence: Note = ""


class NoticeOut(Schema):
    id: int
    account_id: int
    kind: str
    sent_on: date
    source: str
    recorded_at: datetime

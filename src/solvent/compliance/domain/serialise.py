"""The decision format, declared once as Pydantic models, and JSON writers of scenarios.

``DecisionOut`` is the Decision JSON that `solvent rules check` prints, ``POST
/api/compliance/check`` returns (its OpenAPI response schema) and ``DecisionLog.decision`` stores;
the desk and the API read stored decisions back, so its keys never change. Datetimes are written as
ISO-8601 in UTC with a ``+00:00`` offset (never ``Z``), so output is stable whatever zone the input
used. ``scenario_to_json`` is the inverse of ``scenario.parse_scenario``.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, PlainSerializer

from solvent.compliance.domain.model import (
    WEEKDAY_NAMES,
    DebtorProfile,
    DebtStatus,
    Decision,
    HistoryEvent,
    Party,
    ProposedContact,
    RuleResult,
    TimeRange,
)
from solvent.compliance.domain.scenario import Scenario


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).isoformat()


UtcMoment = Annotated[datetime, PlainSerializer(iso, return_type=str)]


class _Out(BaseModel):
    # Read from the engine's frozen dataclasses by attribute; extra attributes are not written.
    model_config = ConfigDict(from_attributes=True, frozen=True)


class DecisionRuleOut(_Out):
    """A rule that blocks the contact or warns about it."""

    rule_id: str
    message: str
    citation: str


class DecisionCapOut(_Out):
    """What is left under one frequency cap."""

    rule_id: str
    limit: int
    used: int
    remaining: int
    window: str
    resets_at: UtcMoment | None


class DecisionOut(_Out):
    """The engine's answer: may this contact happen, and if not, when?"""

    allowed: bool
    blocking: list[DecisionRuleOut]
    warnings: list[DecisionRuleOut]
    earliest_lawful_at: UtcMoment | None
    caps: list[DecisionCapOut]
    jurisdictions: list[str]
    time_zones: list[str]
    evaluated_rules: list[str]
    rule_pack_versions: dict[str, str]


def _rule(result: RuleResult) -> dict[str, str]:
    return {"rule_id": result.rule_id, "message": result.message, "citation": result.citation}


def decision_to_json(decision: Decision) -> dict[str, Any]:
    """The Decision JSON (``DecisionOut``'s shape; what ``DecisionLog.decision`` stores).

    Written by hand because every authorisation stores one: a quarter of the cost of
    ``DecisionOut.model_validate(decision).model_dump(mode="json")``, which gives the same document
    (tests/compliance/domain/test_scenario_format.py holds the two together).
    """
    return {
        "allowed": decision.allowed,
        "blocking": [_rule(result) for result in decision.blocking],
        "warnings": [_rule(result) for result in decision.warnings],
        "earliest_lawful_at": iso(decision.earliest_lawful_at),
        "caps": [
            {
                "rule_id": cap.rule_id,
                "limit": cap.limit,
                "used": cap.used,
                "remaining": cap.remaining,
                "window": cap.window,
                "resets_at": iso(cap.resets_at),
            }
            for cap in decision.caps
        ],
        "jurisdictions": list(decision.jurisdictions),
        "time_zones": list(decision.time_zones),
        "evaluated_rules": list(decision.evaluated_rules),
        "rule_pack_versions": dict(decision.rule_pack_versions),
    }


def _drop_empty(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value not in (None, (), [], False)}


def _range(time_range: TimeRange) -> dict[str, Any]:
    return _drop_empty(
        {
            "days": [WEEKDAY_NAMES[day] for day in time_range.days],
            "start": time_range.start.strftime("%H:%M") if time_range.start else None,
            "end": time_range.end.strftime("%H:%M") if time_range.end else None,
            "valid_from": time_range.valid_from.isoformat() if time_range.valid_from else None,
            "valid_until": time_range.valid_until.isoformat() if time_range.valid_until else None,
            "time_zone": time_range.time_zone,
        }
    )


def debtor_to_json(debtor: DebtorProfile) -> dict[str, Any]:
    return _drop_empty(
        {
            "time_zones": list(debtor.time_zones),
            "jurisdictions": list(debtor.jurisdictions),
            "addresses": [
                _drop_empty(
                    {
                        "id": a.id,
                        "country": a.country,
                        "region": a.region,
                        "city": a.city,
                        "postal_code": a.postal_code,
                        "place": a.place.value,
                        "time_zone": a.time_zone,
                    }
                )
                for a in debtor.addresses
            ],
            "contact_points": [
                _drop_empty(
                    {
                        "id": p.id,
                        "kind": p.kind.value,
                        "value": p.value,
                        "place": p.place.value,
                        "employer_provided": p.employer_provided,
                        "wrong_number": p.wrong_number,
                        "reassigned": p.reassigned,
                        "owner": None if p.owner is Party.CONSUMER else p.owner.value,
                    }
                )
                for p in debtor.contact_points
            ],
            "holds": [
                _drop_empty(
                    {
                        "kind": h.kind.value,
                        "received_at": iso(h.received_at),
                        "debt_ids": list(h.debt_ids),
                        "contact_point_id": h.contact_point_id,
                        "channels": [c.value for c in h.channels],
                        "released_at": iso(h.released_at),
                    }
                )
                for h in debtor.holds
            ],
            "consents": [
                _drop_empty(
                    {
                        "kind": c.kind.value,
                        "given_at": iso(c.given_at),
                        "contact_point_id": c.contact_point_id,
                        "debt_ids": list(c.debt_ids),
                        "channels": [channel.value for channel in c.channels],
                        "revoked_at": iso(c.revoked_at),
                        "expires_at": iso(c.expires_at),
                    }
                )
                for c in debtor.consents
            ],
            "inconvenient_times": [_range(r) for r in debtor.inconvenient_times],
            "convenient_times": [_range(r) for r in debtor.convenient_times],
            "debts": [
                _drop_empty(
                    {
                        "id": d.id,
                        "kind": d.kind,
                        "balance": None if d.balance is None else str(d.balance),
                        "currency": d.currency,
                        "student_loan_account": d.student_loan_account,
                        "validation_notice_sent_on": d.validation_notice_sent_on.isoformat()
                        if d.validation_notice_sent_on
                        else None,
                        "time_barred": d.time_barred,
                        "ontario_notice_sent_on": d.ontario_notice_sent_on.isoformat()
                        if d.ontario_notice_sent_on
                        else None,
                        "status": None if d.status is DebtStatus.ACTIVE else d.status.value,
                    }
                )
                for d in debtor.debts
            ],
        }
    )


def event_to_json(event: HistoryEvent) -> dict[str, Any]:
    return _drop_empty(
        {
            "at": iso(event.at),
            "channel": event.channel.value,
            "direction": event.direction.value,
            "outcome": event.outcome.value,
            "debt_ids": list(event.debt_ids),
            "contact_point_id": event.contact_point_id,
            "party": event.party.value,
            "at_consumer_request": event.at_consumer_request,
        }
    )


def proposed_to_json(proposed: ProposedContact) -> dict[str, Any]:
    data = _drop_empty(
        {
            "at": iso(proposed.at),
            "channel": proposed.channel.value,
            "debt_id": proposed.debt_id,
            "contact_point_id": proposed.contact_point_id,
            "autodialled": proposed.autodialled,
            "prerecorded": proposed.prerecorded,
            "purpose": proposed.purpose.value,
            "at_consumer_request": proposed.at_consumer_request,
            "voicemail_content": proposed.voicemail_content.value
            if proposed.voicemail_content
            else None,
            "claims": [claim.value for claim in proposed.claims],
            "live_agent_guaranteed": proposed.live_agent_guaranteed,
            "campaign": None if proposed.campaign is None else asdict(proposed.campaign),
        }
    )
    if proposed.includes_opt_out is not None:
        data["includes_opt_out"] = proposed.includes_opt_out
    if proposed.opt_out_asks_for_more is not None:
        data["opt_out_asks_for_more"] = proposed.opt_out_asks_for_more
    if proposed.party is not Party.CONSUMER:
        data["party"] = proposed.party.value
    return data


def scenario_to_json(scenario: Scenario) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if scenario.name:
        data["name"] = scenario.name
    if scenario.description:
        data["description"] = scenario.description
    data["debtor"] = debtor_to_json(scenario.debtor)
    data["history"] = [event_to_json(event) for event in scenario.history]
    data["proposed"] = proposed_to_json(scenario.proposed)
    return data

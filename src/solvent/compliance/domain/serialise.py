"""JSON serialisation of decisions and scenarios (the inverse of ``scenario.parse_scenario``).

Datetimes are written as ISO-8601 in UTC with a ``Z``-free ``+00:00`` offset, so output is stable
whatever zone the input used.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from solvent.compliance.domain.model import (
    WEEKDAY_NAMES,
    DebtorProfile,
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


def _result(result: RuleResult) -> dict[str, str]:
    return {"rule_id": result.rule_id, "message": result.message, "citation": result.citation}


def decision_to_json(decision: Decision) -> dict[str, Any]:
    return {
        "allowed": decision.allowed,
        "blocking": [_result(result) for result in decision.blocking],
        "warnings": [_result(result) for result in decision.warnings],
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
        }
    )
    if proposed.includes_opt_out is not None:
        data["includes_opt_out"] = proposed.includes_opt_out
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

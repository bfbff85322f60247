"""Turn compliance decisions into what an agent reads: allowed or not, why, and from when."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from solvent.compliance.models import Hold
from solvent.compliance.selectors import ContactOption
from solvent.portfolio.access import RecordScope

CHANNEL_LABELS = {
    "call": "Call",
    "sms": "Text",
    "email": "E-mail",
    "letter": "Letter",
    "voicemail": "Voicemail",
}


@dataclass(frozen=True, slots=True)
class ContactOptionRow:
    channel: str
    contact_point: str
    allowed: bool
    reasons: tuple[tuple[str, str, str], ...]  # (rule id, message, citation)
    warnings: tuple[tuple[str, str, str], ...]
    earliest_local: str  # the earliest lawful moment in the debtor's first time zone, or ""
    never: bool
    caps: tuple[str, ...]
    time_zones: tuple[str, ...]


def _local(moment: datetime | None, zones: tuple[str, ...]) -> str:
    if moment is None:
        return ""
    zone = ZoneInfo(zones[0]) if zones else None
    local = moment.astimezone(zone) if zone else moment
    return local.strftime("%a %d %b %H:%M %Z")


def contact_option_rows(options: list[ContactOption]) -> list[ContactOptionRow]:
    rows = []
    for option in options:
        decision = option.decision
        point = option.contact_point
        rows.append(
            ContactOptionRow(
                channel=CHANNEL_LABELS.get(option.channel, option.channel),
                contact_point="postal address" if point.startswith("address:") else point,
                allowed=decision.allowed,
                reasons=tuple((r.rule_id, r.message, r.citation) for r in decision.blocking),
                warnings=tuple((r.rule_id, r.message, r.citation) for r in decision.warnings),
                earliest_local=_local(decision.earliest_lawful_at, decision.time_zones),
                never=not decision.allowed and decision.earliest_lawful_at is None,
                caps=tuple(
                    f"{cap.rule_id}: {cap.remaining} of {cap.limit} left ({cap.window})"
                    for cap in decision.caps
                ),
                time_zones=decision.time_zones,
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class HoldRow:
    kind: str
    placed_at: datetime
    # Free text of a person-wide hold on a debtor shared with another client stays hidden (ADR 0022).
    contact_point: str
    evidence: str


def hold_rows(holds: Iterable[Hold], scope: RecordScope) -> list[HoldRow]:
    rows = []
    for hold in holds:
        shown = scope.shows_text(hold.debtor_id, [account.pk for account in hold.accounts.all()])
        rows.append(
            HoldRow(
                kind=hold.get_kind_display(),
                placed_at=hold.placed_at,
                contact_point=hold.contact_point if shown else "",
                evidence=hold.evidence if shown else "",
            )
        )
    return rows

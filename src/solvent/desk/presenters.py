"""Turn compliance decisions into what an agent reads: allowed or not, why, and from when."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from solvent.compliance.domain.packs import ALL_PACKS
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


# Which channels each cap counts (a call cap says nothing about a text or a letter).
_CAP_CHANNELS: dict[str, frozenset[str]] = {
    cap.rule_id: frozenset(channel.value for channel in cap.channels)
    for pack in ALL_PACKS
    for cap in pack.caps
}


def place_name(zone: str) -> str:
    """``Europe/Isle_of_Man`` -> "Isle of Man"; ``America/Indiana/Knox`` -> "Knox, Indiana"."""
    parts = [part.replace("_", " ") for part in zone.split("/")[1:]] or [zone]
    return ", ".join(reversed(parts))


def local_times(zones: tuple[str, ...], at: datetime) -> tuple[str, ...]:
    """Each zone as a person reads it: the place and its local time now ("Isle of Man 14:05")."""
    shown = []
    for zone in zones:
        try:
            local = at.astimezone(ZoneInfo(zone))
        except (KeyError, ValueError):
            shown.append(zone)
            continue
        shown.append(f"{place_name(zone)} {local:%H:%M} ({local:%Z})")
    return tuple(shown)


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
    local_times: tuple[str, ...]  # each zone's place and local time now, for a person to read


def _local(moment: datetime | None, zones: tuple[str, ...]) -> str:
    if moment is None:
        return ""
    zone = ZoneInfo(zones[0]) if zones else None
    local = moment.astimezone(zone) if zone else moment
    place = f" ({place_name(zones[0])})" if zones else ""
    return local.strftime("%a %d %b %H:%M %Z") + place


def contact_option_rows(options: list[ContactOption], at: datetime) -> list[ContactOptionRow]:
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
                    if option.channel in _CAP_CHANNELS.get(cap.rule_id, frozenset())
                ),
                time_zones=decision.time_zones,
                local_times=local_times(decision.time_zones, at),
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
    source_label: str  # where it came from, e.g. "from the client's placement file"


_SOURCE_LABELS = {"placement": "from the client's placement file"}


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
                source_label=_SOURCE_LABELS.get(hold.source, ""),
            )
        )
    return rows

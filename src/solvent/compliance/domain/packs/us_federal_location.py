"""Reg F location communications with third parties (1006.10): once per person, none once an
attorney is known, and the 7-in-7 call presumption counted per third party
(comment 14(b)(2)(i)-1.iii)."""

from __future__ import annotations

from datetime import date, datetime

from solvent.compliance.domain.context import DecisionContext
from solvent.compliance.domain.localtime import local_midnight
from solvent.compliance.domain.model import Channel, Direction, HoldKind, Outcome, Party
from solvent.compliance.domain.packs.common import hold_hit, holds_in_force, is_contact
from solvent.compliance.domain.rules import RuleHit

C_LOCATION = "12 CFR 1006.10(c)"
C_LOCATION_ATTORNEY = "12 CFR 1006.10(b)(5)"
C_LOCATION_FREQUENCY = "12 CFR 1006.14(b)(2)(i)(A); comment 14(b)(2)(i)-1.iii"

LOCATION_COMMUNICATIONS = frozenset(
    {
        Outcome.RIGHT_PARTY_CONVERSATION,
        Outcome.THIRD_PARTY_CONVERSATION,
        Outcome.VOICEMAIL,
        Outcome.LIMITED_CONTENT_MESSAGE,
        Outcome.SENT,
        Outcome.DELIVERED,
    }
)
LOCATION_CALLS_PER_7D = 7


def check_location(ctx: DecisionContext, at: datetime) -> list[RuleHit]:
    """Location calls to a third party: once per person, none once an attorney is known."""
    proposed = ctx.proposed
    if proposed.party is not Party.THIRD_PARTY or not is_contact(ctx):
        return []
    hits: list[RuleHit] = []
    for hold in holds_in_force(ctx, HoldKind.ATTORNEY, at):
        message = "The consumer has an attorney: seek location information only from them."
        hits.append(
            hold_hit("regf.location.attorney_known", message, C_LOCATION_ATTORNEY, hold, at)
        )
    same_person = [
        event
        for event in ctx.history
        if event.party is Party.THIRD_PARTY
        and event.contact_point_id == proposed.contact_point_id
        and event.direction is Direction.OUTBOUND
        and event.at <= at
    ]
    if not proposed.at_consumer_request and any(
        event.outcome in LOCATION_COMMUNICATIONS for event in same_person
    ):
        message = (
            "Only one location communication per third party, unless they ask for another "
            "(record the request as at_consumer_request)."
        )
        hits.append(RuleHit("regf.location.once_per_third_party", message, C_LOCATION, never=True))
    day = ctx.local_day(at)
    recent = sorted(
        ctx.local_day(event.at)
        for event in same_person
        if event.channel in (Channel.CALL, Channel.VOICEMAIL)
        and event.outcome not in (Outcome.BUSY, Outcome.NOT_IN_SERVICE)
        and day - 6 <= ctx.local_day(event.at) <= day
    )
    if len(recent) >= LOCATION_CALLS_PER_7D:
        retry = local_midnight(date.fromordinal(recent[0] + 7), ctx.counting_zone)
        message = "More than 7 calls in 7 days to this third party is a presumed violation."
        hits.append(
            RuleHit("regf.call_frequency.7in7", message, C_LOCATION_FREQUENCY, retry_at=retry)
        )
    return hits

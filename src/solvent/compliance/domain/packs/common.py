"""Helpers shared by the rule packs: which holds and consents are in force, outcome groups,
and the customer-request check of the non-US packs. The ``core`` pack itself is in ``core.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from solvent.compliance.domain.chat import chat_state
from solvent.compliance.domain.context import DecisionContext
from solvent.compliance.domain.evaluators import evaluate_stated_inconvenient
from solvent.compliance.domain.model import (
    Channel,
    Consent,
    ConsentKind,
    ContactPointKind,
    Hold,
    HoldKind,
    Outcome,
    Party,
    Place,
    Purpose,
)
from solvent.compliance.domain.rules import Check, RuleHit

# Reg F "placed a call": every outbound call that connected to the dialled number
# (comment 14(b)(3)(ii)-1); busy and not-in-service calls did not connect. An abandoned call
# connected and a person answered (the dialer found no agent): it is a placed call, and the
# state caps that count connected calls count it too.
CONNECTED_CALL_OUTCOMES: frozenset[Outcome] = frozenset(
    {
        Outcome.ABANDONED,
        Outcome.NO_ANSWER,
        Outcome.VOICEMAIL,
        Outcome.LIMITED_CONTENT_MESSAGE,
        Outcome.RIGHT_PARTY_CONVERSATION,
        Outcome.THIRD_PARTY_CONVERSATION,
    }
)
# A contact actually made: a person answered, a message was left or a message was sent.
CONTACT_OUTCOMES: frozenset[Outcome] = frozenset(
    {
        Outcome.VOICEMAIL,
        Outcome.LIMITED_CONTENT_MESSAGE,
        Outcome.RIGHT_PARTY_CONVERSATION,
        Outcome.THIRD_PARTY_CONVERSATION,
        Outcome.SENT,
        Outcome.DELIVERED,
    }
)
MESSAGE_OUTCOMES: frozenset[Outcome] = frozenset({Outcome.SENT, Outcome.DELIVERED})

NON_CONTACT_PURPOSES = frozenset({Purpose.FURNISH_CREDIT_REPORT, Purpose.LEGAL_ACTION})


def is_contact(ctx: DecisionContext) -> bool:
    """Furnishing to a bureau and filing suit are decisions too, but not contacts."""
    return ctx.proposed.purpose not in NON_CONTACT_PURPOSES


def to_consumer(ctx: DecisionContext) -> bool:
    """A contact with the consumer (not a location call to a third party)."""
    return ctx.proposed.party is Party.CONSUMER and ctx.proposed.purpose not in NON_CONTACT_PURPOSES


def replies_at_consumers_time(ctx: DecisionContext, at: datetime) -> bool:
    """A reply the consumer's own contact lets through a time they called inconvenient (comment
    6(b)(1)-2: "respond once at that time"). A chat reply must also be prompt: one hours later is
    not "at that time" (ADR 0031)."""
    if ctx.proposed.purpose is not Purpose.RESPONSE_TO_CONSUMER:
        return False
    if ctx.proposed.channel is not Channel.CHAT:
        return True
    return chat_state(ctx.history, ctx.proposed.contact_point_id, at).prompt_at(at)


def hold_in_force(hold: Hold, at: datetime) -> bool:
    return hold.received_at <= at and (hold.released_at is None or hold.released_at > at)


def hold_covers_debt(ctx: DecisionContext, hold: Hold) -> bool:
    # A contact about no particular debt is covered by every hold (the conservative reading).
    if not hold.debt_ids or ctx.proposed.debt_id is None:
        return True
    if ctx.proposed.debt_id in hold.debt_ids:
        return True
    keys = ctx.keys_of(hold.debt_ids)
    return keys is not None and ctx.debt_key in keys


def holds_in_force(ctx: DecisionContext, kind: HoldKind, at: datetime) -> Iterator[Hold]:
    for hold in ctx.profile.holds:
        if hold.kind is kind and hold_in_force(hold, at) and hold_covers_debt(ctx, hold):
            yield hold


def hold_hit(rule_id: str, message: str, citation: str, hold: Hold, at: datetime) -> RuleHit:
    """A hold blocks until released; without a known release it blocks for good."""
    if hold.released_at is not None and hold.released_at > at:
        return RuleHit(rule_id, message, citation, retry_at=hold.released_at)
    return RuleHit(rule_id, message, citation, never=True)


def consent_in_force(consent: Consent, at: datetime) -> bool:
    if consent.given_at > at:
        return False
    if consent.revoked_at is not None and consent.revoked_at <= at:
        return False
    return consent.expires_at is None or consent.expires_at > at


def consent_covers_channel(consent: Consent, channel: Channel) -> bool:
    """A consent covers the media it was given for; one that names none, every medium of its kind.

    A ringless voicemail is a call (FCC 22-85; Reg F comment 14(b)-1), so consent to calls covers
    it; consent to texts or to voicemail drops covers no live or prerecorded call.
    """
    if not consent.channels or channel in consent.channels:
        return True
    return channel is Channel.VOICEMAIL and Channel.CALL in consent.channels


def consent_covers_debt(ctx: DecisionContext, consent: Consent) -> bool:
    """A consent given about particular debts covers contacts about those debts only.

    Comment 14(b)(3)(i)-2 ("about that particular debt"); FCC 07-232 (a number given in
    connection with a debt). A contact about no particular debt is not about the consented one.
    Student loans under one account number are one debt (1006.14(b)(4)).
    """
    if not consent.debt_ids:
        return True
    debt_id = ctx.proposed.debt_id
    if debt_id is None:
        return False
    if debt_id in consent.debt_ids:
        return True
    keys = ctx.keys_of(consent.debt_ids)
    return keys is not None and ctx.debt_key in keys


def consents_for_point(
    ctx: DecisionContext, kind: ConsentKind, at: datetime
) -> tuple[list[Consent], list[Consent]]:
    """(in force, revoked) consents of ``kind`` at the proposed contact point.

    In force: covering the proposed channel and debt as well. Revoked: every consent of ``kind``
    at the point revoked by ``at``, whatever its channel or debt, because a revocation speaks
    for the number (the TCPA pack applies it to every automated channel there).
    """
    active: list[Consent] = []
    revoked: list[Consent] = []
    point_id = ctx.proposed.contact_point_id
    channel = ctx.proposed.channel
    for consent in ctx.profile.consents:
        if consent.kind is not kind:
            continue
        if consent.contact_point_id is not None and consent.contact_point_id != point_id:
            continue
        if consent_in_force(consent, at):
            if consent_covers_channel(consent, channel) and consent_covers_debt(ctx, consent):
                active.append(consent)
        elif consent.revoked_at is not None and consent.revoked_at <= at:
            revoked.append(consent)
    return active, revoked


def refused_channels(hold: Hold) -> frozenset[Channel]:
    channels = set(hold.channels) if hold.channels else set(Channel)
    if Channel.CALL in channels:
        # "Stop calling" covers ringless voicemail, which Reg F treats as a call.
        channels.add(Channel.VOICEMAIL)
    return frozenset(channels)


def medium_refused(ctx: DecisionContext, hold: Hold) -> bool:
    # An unknown contact point (no id, or an id not in the profile) may be the refused one.
    point = ctx.point
    if (
        hold.contact_point_id is not None
        and point is not None
        and hold.contact_point_id != point.id
    ):
        return False
    return ctx.proposed.channel in refused_channels(hold)


# The media that reach a consumer "at home" when the contact point is unknown: a home landline is
# called (or gets a voicemail) and the home address gets letters (comment 6(b)(1)-1.iii).
HOME_CHANNELS = frozenset({Channel.CALL, Channel.VOICEMAIL, Channel.LETTER})


def may_reach_work(ctx: DecisionContext) -> bool:
    """The proposed contact may reach the consumer at work (an unknown point may be a work one)."""
    point = ctx.point
    return point is None or point.place is Place.WORK or point.employer_provided


def may_reach_home(ctx: DecisionContext) -> bool:
    """The proposed contact may reach the consumer at home: a home landline or postal address,
    or an unknown point through a medium that reaches homes."""
    point = ctx.point
    if point is None:
        return ctx.proposed.channel in HOME_CHANNELS
    return point.place is Place.HOME and point.kind in (
        ContactPointKind.LANDLINE,
        ContactPointKind.POSTAL,
    )


def customer_request_check(
    rule_id: str, citation: str, dispute: tuple[str, str] | None = None
) -> Check:
    """A check honouring the debtor's requests about when, where and how (non-US packs).

    Cease requests, refused media, "not at work", "not at home", a represented debtor and stated
    inconvenient times all block under ``rule_id``; a dispute blocks under ``dispute`` if given.
    One reply to a debtor-initiated contact stays allowed.
    """

    def check(ctx: DecisionContext, at: datetime) -> list[RuleHit]:
        if not to_consumer(ctx):
            return []
        hits: list[RuleHit] = []
        if ctx.proposed.purpose is not Purpose.RESPONSE_TO_CONSUMER and ctx.profile.holds:
            hits += _request_hits(ctx, at, rule_id, citation)
            if dispute is not None:
                message = "The debt is disputed: suspend recovery until the dispute is resolved."
                hits += [
                    hold_hit(dispute[0], message, dispute[1], hold, at)
                    for hold in holds_in_force(ctx, HoldKind.DISPUTE, at)
                ]
        if (
            ctx.profile.inconvenient_times
            and ctx.proposed.channel is not Channel.LETTER
            and not replies_at_consumers_time(ctx, at)
        ):
            hits += evaluate_stated_inconvenient(ctx, at, rule_id, citation)
        return hits

    return check


_REQUEST_MESSAGES = {
    HoldKind.CEASE: "The debtor asked us to stop contacting them about this debt.",
    HoldKind.ATTORNEY: "The debtor is represented; deal with their representative.",
    HoldKind.MEDIUM_OPT_OUT: "The debtor asked us not to use this medium or address.",
    HoldKind.NOT_AT_WORK: "The debtor asked not to be contacted at work.",
    HoldKind.NOT_AT_HOME: "The debtor asked not to be contacted at home.",
}


def _request_hits(ctx: DecisionContext, at: datetime, rule_id: str, citation: str) -> list[RuleHit]:
    hits: list[RuleHit] = []
    for kind, message in _REQUEST_MESSAGES.items():
        for hold in holds_in_force(ctx, kind, at):
            if kind is HoldKind.MEDIUM_OPT_OUT and not medium_refused(ctx, hold):
                continue
            if kind is HoldKind.NOT_AT_WORK and not may_reach_work(ctx):
                continue
            if kind is HoldKind.NOT_AT_HOME and not may_reach_home(ctx):
                continue
            hits.append(hold_hit(rule_id, message, citation, hold, at))
    return hits

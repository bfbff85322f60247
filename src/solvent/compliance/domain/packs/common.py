"""Helpers shared by the rule packs: which holds and consents are in force, outcome groups.

Also the ``core`` pack: holds that stop treatment in every jurisdiction (insolvency, a deceased
debtor, a hardship pause, an open complaint). These are house policy; each national pack adds the
legal rules on top.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

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
from solvent.compliance.domain.rules import Check, RuleHit, RuleInfo, RulePack

# Reg F "placed a call": every outbound call that connected to the dialled number
# (comment 14(b)(3)(ii)-1); busy and not-in-service calls did not connect.
CONNECTED_CALL_OUTCOMES: frozenset[Outcome] = frozenset(
    {
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


def consents_for_point(
    ctx: DecisionContext, kind: ConsentKind, at: datetime
) -> tuple[list[Consent], list[Consent]]:
    """(in force, revoked) consents of ``kind`` covering the proposed contact point."""
    active: list[Consent] = []
    revoked: list[Consent] = []
    point_id = ctx.proposed.contact_point_id
    for consent in ctx.profile.consents:
        if consent.kind is not kind:
            continue
        if consent.contact_point_id is not None and consent.contact_point_id != point_id:
            continue
        if consent_in_force(consent, at):
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
    if hold.contact_point_id is not None and hold.contact_point_id != ctx.proposed.contact_point_id:
        return False
    return ctx.proposed.channel in refused_channels(hold)


def customer_request_check(
    rule_id: str, citation: str, dispute: tuple[str, str] | None = None
) -> Check:
    """A check honouring the debtor's requests about when, where and how (non-US packs).

    Cease requests, refused media, "not at work", "not at home", a represented debtor and stated
    inconvenient times all block under ``rule_id``; a dispute blocks under ``dispute`` if given.
    One reply to a debtor-initiated contact stays allowed.
    """

    def check(ctx: DecisionContext, at: datetime) -> list[RuleHit]:
        if not to_consumer(ctx) or ctx.proposed.purpose is Purpose.RESPONSE_TO_CONSUMER:
            return []
        hits: list[RuleHit] = []
        if ctx.profile.holds:
            hits += _request_hits(ctx, at, rule_id, citation)
            if dispute is not None:
                message = "The debt is disputed: suspend recovery until the dispute is resolved."
                hits += [
                    hold_hit(dispute[0], message, dispute[1], hold, at)
                    for hold in holds_in_force(ctx, HoldKind.DISPUTE, at)
                ]
        if ctx.profile.inconvenient_times and ctx.proposed.channel is not Channel.LETTER:
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
    point = ctx.point
    hits: list[RuleHit] = []
    for kind, message in _REQUEST_MESSAGES.items():
        for hold in holds_in_force(ctx, kind, at):
            if kind is HoldKind.MEDIUM_OPT_OUT and not medium_refused(ctx, hold):
                continue
            if kind is HoldKind.NOT_AT_WORK and not (
                point is not None and (point.place is Place.WORK or point.employer_provided)
            ):
                continue
            if kind is HoldKind.NOT_AT_HOME and not (
                point is not None
                and point.place is Place.HOME
                and point.kind in (ContactPointKind.LANDLINE, ContactPointKind.POSTAL)
            ):
                continue
            hits.append(hold_hit(rule_id, message, citation, hold, at))
    return hits


_CORE_CITATION = "Solvent house policy (treatment pause)"


_CORE_HOLDS: tuple[tuple[HoldKind, str, str, str], ...] = (
    (
        HoldKind.BANKRUPTCY,
        "solvent.hold.insolvency",
        "The debtor is in bankruptcy or another insolvency proceeding; collection is stayed.",
        "11 U.S.C. 362(a) (US automatic stay); Insolvency Act 1986 (UK); "
        "Bankruptcy Act 1966 s.58 (AU)",
    ),
    (
        HoldKind.DECEASED,
        "solvent.hold.deceased",
        "The debtor is deceased; contact only the estate's representative, not these "
        "contact points.",
        "12 CFR 1006.6(a)(4); Solvent house policy",
    ),
    (
        HoldKind.HARDSHIP,
        "solvent.hold.treatment_pause",
        "A hardship hold pauses collection contact.",
        _CORE_CITATION,
    ),
    (
        HoldKind.COMPLAINT,
        "solvent.hold.treatment_pause",
        "An open complaint pauses collection contact.",
        _CORE_CITATION,
    ),
)


def _core_holds(ctx: DecisionContext, at: datetime) -> list[RuleHit]:
    if not ctx.profile.holds:
        return []
    return [
        hold_hit(rule_id, message, citation, hold, at)
        for kind, rule_id, message, citation in _CORE_HOLDS
        for hold in holds_in_force(ctx, kind, at)
    ]


CORE_PACK = RulePack(
    pack_id="core",
    version="2026.1",
    title="Core holds (every jurisdiction)",
    effective_from=date(2000, 1, 1),
    effective_until=None,
    jurisdictions=frozenset({"*"}),
    rules=(
        RuleInfo(
            "solvent.hold.insolvency",
            "Bankruptcy or insolvency stops collection",
            "11 U.S.C. 362(a); Insolvency Act 1986; Bankruptcy Act 1966 (Cth) s.58",
            "A bankruptcy or insolvency hold blocks every collection contact until released.",
            "P",
        ),
        RuleInfo(
            "solvent.hold.deceased",
            "Deceased debtor",
            "12 CFR 1006.6(a)(4)",
            "No contact at the deceased debtor's own contact points; the estate is handled by "
            "an agent outside the automated flow.",
            "P",
        ),
        RuleInfo(
            "solvent.location.unknown",
            "Location unknown",
            "12 CFR 1006.6(b)(1)(i); comment 6(b)(1)(i)-2",
            "Without an address, a phone number or a zone no hour rule can be checked: denied.",
            "P",
        ),
        RuleInfo(
            "solvent.jurisdiction.not_covered",
            "Jurisdiction without a rule pack",
            "Solvent house policy",
            "Denied when no pack covers any country the debtor may be in; a warning when only "
            "some are covered (e.g. a US debtor with an Alberta phone number).",
            "P",
        ),
        RuleInfo(
            "solvent.hold.treatment_pause",
            "Hardship or complaint pause",
            _CORE_CITATION,
            "A hardship or complaint hold pauses collection contact until released.",
            "P",
        ),
    ),
    checks=(_core_holds,),
)

"""The ``core`` pack: what stops collection contact in every jurisdiction.

Holds that stop treatment everywhere (insolvency, a deceased debtor, a hardship pause, an open
complaint), a contact point recorded as someone else's or no longer in use, and a debt no longer in
collection. These
are house policy resting on the law cited per rule; each national pack adds its legal rules on top.
"""

from __future__ import annotations

from datetime import date, datetime

from solvent.compliance.domain.context import DecisionContext
from solvent.compliance.domain.model import (
    DebtStatus,
    HoldKind,
    Party,
    Purpose,
)
from solvent.compliance.domain.packs.common import hold_hit, holds_in_force, to_consumer
from solvent.compliance.domain.rules import RuleHit, RuleInfo, RulePack

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


C_NOT_THE_CONSUMERS = (
    "15 U.S.C. 1692c(b); 12 CFR 1006.6(d)(1); comment 2(j)-2; FCA CONC 7.9.10R; "
    "Solvent house policy"
)


def _not_the_consumers(ctx: DecisionContext, at: datetime) -> list[RuleHit]:
    """No contact meant for the consumer at a contact point known to be someone else's.

    A location communication (party third_party) is judged by the location rules instead; a
    message left there, even a limited-content one, is for a third party (comment 2(j)-2).
    """
    point = ctx.point
    if point is None or not to_consumer(ctx):
        return []
    if point.owner is Party.CONSUMER and not point.wrong_number:
        return []
    message = (
        "This number or address is recorded as someone else's (a wrong number, a relative, "
        "an employer): no call, message or voicemail for the debtor there, not even a "
        "limited-content one."
    )
    return [
        RuleHit("solvent.contact_point.not_the_consumers", message, C_NOT_THE_CONSUMERS, never=True)
    ]


C_NOT_IN_USE = (
    "15 U.S.C. 1692c(b); 47 U.S.C. 227(b)(1)(A)(iii); 47 CFR 64.1200(m); Solvent house policy"
)


def _not_in_use(ctx: DecisionContext, at: datetime) -> list[RuleHit]:
    """No contact at all at a number or address no longer in use: one the client's file replaced
    with another of the same kind (superseded) or one found not to work (invalid). An old number
    may have been given to someone else; whoever answers, the call is not the debtor's."""
    point = ctx.point
    if point is None or not point.retired:
        return []
    message = (
        "This number or address is no longer in use (the client replaced it, or it was found "
        "invalid): it is kept for the history, not contacted. Use the current one, or mark this "
        "one valid again if the debtor confirms it."
    )
    return [RuleHit("solvent.contact_point.not_in_use", message, C_NOT_IN_USE, never=True)]


C_NOT_COLLECTABLE = "Solvent house policy; 15 U.S.C. 1692e(2)(A) and 1692f(1) (paid or settled)"
# Purposes that are not collection: answering the consumer and confirming their opt-out.
_NOT_COLLECTION = frozenset({Purpose.RESPONSE_TO_CONSUMER, Purpose.OPT_OUT_CONFIRMATION})
_STATUS_WORDS = {
    DebtStatus.RECALLED: "was recalled by the client",
    DebtStatus.PAID: "is paid",
    DebtStatus.SETTLED: "is settled",
    DebtStatus.CLOSED: "is closed",
}


def _debt_not_collectable(ctx: DecisionContext, at: datetime) -> list[RuleHit]:
    """Only an active debt is collected; a contact about no debt needs one active debt."""
    if ctx.proposed.purpose in _NOT_COLLECTION:
        return []
    if ctx.proposed.debt_id is None:
        # A profile listing no debt says nothing about their status (scenarios often omit them).
        debts = ctx.profile.debts
        if not debts or any(debt.status is DebtStatus.ACTIVE for debt in debts):
            return []
        message = "No debt of this debtor is active (recalled, paid, settled or closed)."
    elif ctx.debt is None:
        message = "This debt is not on the debtor's file: its status is unknown."
    elif ctx.debt.status is DebtStatus.ACTIVE:
        return []
    else:
        message = f"This debt {_STATUS_WORDS[ctx.debt.status]}: no collection contact about it."
    return [RuleHit("solvent.debt.not_collectable", message, C_NOT_COLLECTABLE, never=True)]


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
            "Denied when no zone is known, or when any location signal cannot be placed: a zone "
            "that is not an IANA name or belongs to no country, an unknown country code, a phone "
            "number that cannot be read or placed in a country (ADR 0008).",
            "P",
        ),
        RuleInfo(
            "solvent.jurisdiction.not_covered",
            "Jurisdiction without a rule pack",
            "Solvent house policy; comment 6(b)(1)(i)-2",
            "Denied when any place the debtor may be in has no pack: a country without one, a "
            "province without one (an Alberta address or phone, even beside a US address), or a "
            "Canadian debtor whose province is unknown (ADR 0008).",
            "P",
        ),
        RuleInfo(
            "solvent.hold.treatment_pause",
            "Hardship or complaint pause",
            _CORE_CITATION,
            "A hardship or complaint hold pauses collection contact until released.",
            "P",
        ),
        RuleInfo(
            "solvent.contact_point.not_the_consumers",
            "Contact point known to be someone else's",
            C_NOT_THE_CONSUMERS,
            "No call, voicemail, text, email or letter meant for the debtor at a contact point "
            "recorded as a third party's (owner other than the consumer, or a wrong number), "
            "not even a limited-content message; a location communication (party third_party) "
            "is judged by the location rules.",
            "T",
        ),
        RuleInfo(
            "solvent.contact_point.not_in_use",
            "Contact point no longer in use",
            C_NOT_IN_USE,
            "No contact of any kind (call, voicemail, text, email, letter, location call) at a "
            "contact point whose status is superseded (the client's file replaced it with another "
            "of the same kind) or invalid, or any status other than valid and wrong number "
            "(fail closed). An old number may belong to someone else now (reassigned).",
            "P",
        ),
        RuleInfo(
            "solvent.debt.not_collectable",
            "Recalled, paid, settled or closed debt",
            C_NOT_COLLECTABLE,
            "No collection contact, location call, credit reporting or suit about a debt that is "
            "not active, or about a debt not on the debtor's file; a contact about no particular "
            "debt needs one active debt. A reply to the consumer and an opt-out confirmation stay "
            "possible.",
            "P",
        ),
    ),
    checks=(_core_holds, _not_the_consumers, _not_in_use, _debt_not_collectable),
)

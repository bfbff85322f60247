"""Regulation F checks that are functions rather than windows or caps: holds, media, notices.

Each check takes the decision context and the instant being tested and returns ``RuleHit``s.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from solvent.compliance.domain.context import DecisionContext
from solvent.compliance.domain.evaluators import evaluate_stated_inconvenient
from solvent.compliance.domain.localtime import ONE_DAY, add_us_business_days, local_midnight
from solvent.compliance.domain.model import (
    Channel,
    ConsentKind,
    Debt,
    Direction,
    HoldKind,
    MessageClaim,
    Outcome,
    Party,
    Purpose,
    Severity,
    VoicemailContent,
)
from solvent.compliance.domain.packs.common import (
    MESSAGE_OUTCOMES,
    consents_for_point,
    hold_hit,
    holds_in_force,
    is_contact,
    may_reach_home,
    may_reach_work,
    medium_refused,
    replies_at_consumers_time,
)
from solvent.compliance.domain.rules import RuleHit, advisory

C_CEASE = "12 CFR 1006.6(c)(1); 15 U.S.C. 1692c(c)"
C_DISPUTE = "12 CFR 1006.34(b)(5); 12 CFR 1006.38(d)(2); 15 U.S.C. 1692g(b)"
C_ATTORNEY = "12 CFR 1006.6(b)(2); 15 U.S.C. 1692c(a)(2)"
C_WORK = "12 CFR 1006.6(b)(3); comment 6(b)(3)-1; 15 U.S.C. 1692c(a)(3)"
C_PLACE = "12 CFR 1006.6(b)(1)(ii); comment 6(b)(1)-1.iii"
C_MEDIUM = "12 CFR 1006.14(h)(1); comment 14(h)(1)-3"
C_EMPLOYER_EMAIL = "12 CFR 1006.22(f)(3)"
C_OPT_OUT = "12 CFR 1006.6(e)"
C_OPT_OUT_METHOD = "12 CFR 1006.6(e), second sentence; comments 6(e)-1, 6(d)(4)(ii)(C)(4)-1"
C_LCM = "12 CFR 1006.2(j); comment 2(j)-2; 12 CFR 1006.6(d)(1)"
C_VALIDATION = "12 CFR 1006.34(a)(1)"
C_OVERSHADOW = "12 CFR 1006.38(b)"
C_FURNISH = "12 CFR 1006.30(a)(1); comment 30(a)(1)-2"
C_TIME_BARRED = "12 CFR 1006.26(b)"
C_DESIGNATED = "12 CFR 1006.6(b)(1)(i); comment 6(b)(1)-1"
C_CEASE_EXCEPTION = "12 CFR 1006.6(c)(2)"
C_ATTORNEY_REPLY = "comment 6(b)(2)-1; 12 CFR 1006.6(b)(4)(i)"
C_OPT_OUT_CONFIRMATION = "12 CFR 1006.14(h)(2)(i)"
C_REPLY_ONCE = "comment 6(b)(1)-2.i"
C_PRIOR_CONSENT = "12 CFR 1006.14(b)(3)(i); comment 14(b)(3)(i)-2, -3"
C_DISPUTE_REPLY = "12 CFR 1006.38(d)(2) (cease collection, not communication); 15 U.S.C. 1692g(b)"
C_MEDIUM_REPLY = "12 CFR 1006.14(h)(2)(ii)"


@lru_cache(maxsize=4096)
def validation_period_end(sent_on: date) -> date:
    """Assumed receipt is 5 business days after sending; the period ends 30 days later."""
    return add_us_business_days(sent_on, 5) + 30 * ONE_DAY


def check_holds(ctx: DecisionContext, at: datetime) -> list[RuleHit]:
    if not ctx.profile.holds or not is_contact(ctx):
        return []
    if ctx.proposed.party is not Party.CONSUMER:
        # Location calls are collection activity (halted by a timely dispute) but cease, media,
        # place and time designations protect the consumer, not third parties.
        return _dispute_hits(ctx, at)
    purpose = ctx.proposed.purpose
    responding = purpose is Purpose.RESPONSE_TO_CONSUMER
    hits: list[RuleHit] = []
    if purpose is not Purpose.CEASE_EXCEPTION_NOTICE:
        for hold in holds_in_force(ctx, HoldKind.CEASE, at):
            message = "The consumer asked in writing to stop communication about this debt."
            hits.append(hold_hit("regf.cease_communication", message, C_CEASE, hold, at))
    if not responding:
        hits += _dispute_hits(ctx, at)
        hits += _attorney_hits(ctx, at)
        for hold in holds_in_force(ctx, HoldKind.MEDIUM_OPT_OUT, at):
            if medium_refused(ctx, hold) and not (
                purpose is Purpose.OPT_OUT_CONFIRMATION
                and ctx.proposed.channel in (Channel.SMS, Channel.EMAIL)
            ):
                message = "The consumer asked us not to use this medium or address."
                hits.append(hold_hit("regf.prohibited_medium", message, C_MEDIUM, hold, at))
        # An unknown contact point may be at work or at home: assume it is (fail closed).
        if may_reach_work(ctx):
            for hold in holds_in_force(ctx, HoldKind.NOT_AT_WORK, at):
                message = "The consumer cannot receive collection contact at work."
                hits.append(hold_hit("regf.workplace_prohibited", message, C_WORK, hold, at))
        if may_reach_home(ctx):
            for hold in holds_in_force(ctx, HoldKind.NOT_AT_HOME, at):
                message = "The consumer said home is an inconvenient place."
                hits.append(hold_hit("regf.inconvenient_place", message, C_PLACE, hold, at))
    return hits


def _dispute_hits(ctx: DecisionContext, at: datetime) -> list[RuleHit]:
    hits: list[RuleHit] = []
    for hold in holds_in_force(ctx, HoldKind.DISPUTE, at):
        debt = ctx.debt
        sent_on = debt.validation_notice_sent_on if debt is not None else None
        received_on = hold.received_at.astimezone(ctx.counting_zone).date()
        if sent_on is not None and received_on > validation_period_end(sent_on):
            message = (
                "The dispute came after the validation period: collection may continue, but "
                "the debt must be reported as disputed."
            )
            hits.append(
                RuleHit("regf.dispute.cease_until_verification", message, C_DISPUTE, Severity.WARN)
            )
            continue
        message = "A timely dispute halts collection of this debt until verification is sent."
        hits.append(hold_hit("regf.dispute.cease_until_verification", message, C_DISPUTE, hold, at))
    return hits


def _attorney_hits(ctx: DecisionContext, at: datetime) -> list[RuleHit]:
    holds = list(holds_in_force(ctx, HoldKind.ATTORNEY, at))
    if not holds:
        return []
    consented = any(
        consent.given_at >= holds[0].received_at
        for consent in consents_for_point(ctx, ConsentKind.ATTORNEY_DIRECT_CONTACT, at)[0]
    )
    if consented:
        return []
    message = "The consumer is represented by an attorney for this debt; contact the attorney."
    return [hold_hit("regf.attorney_represented", message, C_ATTORNEY, hold, at) for hold in holds]


@advisory
def check_exceptions(ctx: DecisionContext, at: datetime) -> list[RuleHit]:
    """Warnings that record which exception let a contact through, for the audit trail."""
    if not is_contact(ctx):
        return []
    purpose = ctx.proposed.purpose
    hits: list[RuleHit] = []
    if ctx.profile.holds:
        if purpose is Purpose.CEASE_EXCEPTION_NOTICE and any(
            holds_in_force(ctx, HoldKind.CEASE, at)
        ):
            message = (
                "Allowed only as a 1006.6(c)(2) notice: efforts are ending, or a remedy may be "
                "or will be invoked. Nothing else may be said."
            )
            hits.append(
                RuleHit(
                    "regf.cease_communication.exception", message, C_CEASE_EXCEPTION, Severity.WARN
                )
            )
        if purpose is Purpose.RESPONSE_TO_CONSUMER and any(
            holds_in_force(ctx, HoldKind.ATTORNEY, at)
        ):
            message = "Allowed once, as a reply to the represented consumer's own contact."
            hits.append(
                RuleHit(
                    "regf.attorney_represented.consumer_initiated_response",
                    message,
                    C_ATTORNEY_REPLY,
                    Severity.WARN,
                )
            )
        if purpose is Purpose.RESPONSE_TO_CONSUMER:
            hits += _reply_warnings(ctx, at)
        refused = [
            h for h in holds_in_force(ctx, HoldKind.MEDIUM_OPT_OUT, at) if medium_refused(ctx, h)
        ]
        if refused and purpose is Purpose.OPT_OUT_CONFIRMATION:
            message = "Allowed once: a confirmation of the opt-out containing nothing else."
            hits.append(
                RuleHit(
                    "regf.prohibited_medium.optout_confirmation",
                    message,
                    C_OPT_OUT_CONFIRMATION,
                    Severity.WARN,
                )
            )
    if (
        ctx.profile.inconvenient_times
        and replies_at_consumers_time(ctx, at)
        and evaluate_stated_inconvenient(ctx, at, "x", "")
    ):
        message = "Allowed once, as a reply through the medium the consumer used at this time."
        hits.append(
            RuleHit(
                "regf.inconvenient_time.consumer_initiated_response_once",
                message,
                C_REPLY_ONCE,
                Severity.WARN,
            )
        )
    if ctx.proposed.channel in (Channel.CALL, Channel.VOICEMAIL) and ctx.proposed_consent_excluded(
        at
    ):
        message = "Not counted toward the call frequencies: within the consumer's prior consent."
        hits.append(
            RuleHit(
                "regf.call_frequency.exclusion_prior_consent",
                message,
                C_PRIOR_CONSENT,
                Severity.WARN,
            )
        )
    return hits


def _reply_warnings(ctx: DecisionContext, at: datetime) -> list[RuleHit]:
    """What a reply to the consumer lets through a dispute or a refused medium, for the record."""
    hits: list[RuleHit] = []
    if any(holds_in_force(ctx, HoldKind.DISPUTE, at)):
        message = (
            "Allowed as a reply to the consumer's own message only: answer it, but no collection "
            "(no demand or request for payment) until verification is sent."
        )
        hits.append(
            RuleHit("regf.dispute.reply_is_not_collection", message, C_DISPUTE_REPLY, Severity.WARN)
        )
    if any(medium_refused(ctx, hold) for hold in holds_in_force(ctx, HoldKind.MEDIUM_OPT_OUT, at)):
        message = (
            "Allowed once, through the medium the consumer used although they refused it: "
            "one reply per message they send."
        )
        hits.append(
            RuleHit(
                "regf.prohibited_medium.consumer_initiated_response",
                message,
                C_MEDIUM_REPLY,
                Severity.WARN,
            )
        )
    return hits


def check_designated_times(ctx: DecisionContext, at: datetime) -> list[RuleHit]:
    if not ctx.profile.inconvenient_times or not is_contact(ctx):
        return []
    if replies_at_consumers_time(ctx, at) or ctx.proposed.channel is Channel.LETTER:
        return []
    return evaluate_stated_inconvenient(
        ctx, at, "regf.inconvenient_time.consumer_designated", C_DESIGNATED
    )


def check_media(ctx: DecisionContext, at: datetime) -> list[RuleHit]:
    """Employer email, the electronic opt-out notice and the limited-content voicemail."""
    if not is_contact(ctx):
        return []
    proposed = ctx.proposed
    point = ctx.point
    hits: list[RuleHit] = []
    # An address not on file may be one the employer provided: assume it is (fail closed).
    if proposed.channel is Channel.EMAIL and (point is None or point.employer_provided):
        consented = consents_for_point(ctx, ConsentKind.ELECTRONIC, at)[0]
        used_by_consumer = proposed.contact_point_id is not None and any(
            event.channel is Channel.EMAIL
            and event.direction is Direction.INBOUND
            and event.contact_point_id == proposed.contact_point_id
            and event.at <= at
            for event in ctx.history
        )
        if not consented and not used_by_consumer:
            message = (
                "This email address was provided by the consumer's employer."
                if point is not None
                else "This email address is not on file: it may be one the consumer's employer "
                "provided. Record the address and who provided it first."
            )
            hits.append(RuleHit("regf.employer_email", message, C_EMPLOYER_EMAIL, never=True))
    if proposed.channel in (Channel.SMS, Channel.EMAIL):
        if (
            proposed.includes_opt_out is False
            and proposed.purpose is not Purpose.OPT_OUT_CONFIRMATION
        ):
            message = "Every email or text must say how to opt out of electronic messages."
            hits.append(RuleHit("regf.electronic_optout_notice", message, C_OPT_OUT, never=True))
        elif proposed.includes_opt_out is None:
            message = "Include a simple opt-out instruction (e.g. 'Reply STOP') in the message."
            hits.append(RuleHit("regf.electronic_optout_notice", message, C_OPT_OUT, Severity.WARN))
        if proposed.includes_opt_out is not False:  # no opt-out at all is denied above
            hits += _opt_out_method_hits(proposed.opt_out_asks_for_more, proposed.purpose)
    if proposed.voicemail_content is VoicemailContent.FULL and proposed.channel in (
        Channel.CALL,
        Channel.VOICEMAIL,
    ):
        message = (
            "A voicemail beyond the limited-content message may disclose the debt to a third "
            "party; leave only business name, a person's name, a number and a request to reply."
        )
        hits.append(RuleHit("regf.third_party_disclosure", message, C_LCM, Severity.WARN))
    return hits


@advisory
def check_validation(ctx: DecisionContext, at: datetime) -> list[RuleHit]:
    debt = ctx.debt
    if debt is None or not is_contact(ctx) or ctx.proposed.purpose is not Purpose.COLLECT:
        return []
    if debt.validation_notice_sent_on is None:
        message = (
            "No validation notice is recorded: provide it in the initial communication or "
            "within 5 days after it."
        )
        return [RuleHit("regf.validation_notice", message, C_VALIDATION, Severity.WARN)]
    end = validation_period_end(debt.validation_notice_sent_on)
    if at.astimezone(ctx.counting_zone).date() <= end:
        message = (
            f"Validation period runs until {end.isoformat()}: nothing may overshadow the "
            "consumer's right to dispute."
        )
        return [
            RuleHit("regf.validation_period.no_overshadowing", message, C_OVERSHADOW, Severity.WARN)
        ]
    return []


def _opt_out_method_hits(asks_for_more: bool | None, purpose: Purpose) -> list[RuleHit]:
    """1006.6(e): opting out may ask for nothing beyond the preference and the address or number
    (no fee, no login, no other information). The confirmation of an opt-out offers none."""
    if purpose is Purpose.OPT_OUT_CONFIRMATION or asks_for_more is False:
        return []
    if asks_for_more:
        message = (
            "The opt-out must not ask for more than the consumer's preference and the address "
            "or number (no fee, login or other information)."
        )
        return [RuleHit("regf.electronic_optout_method", message, C_OPT_OUT_METHOD, never=True)]
    message = "Declare whether the message's opt-out asks for anything beyond the preference."
    return [RuleHit("regf.electronic_optout_method", message, C_OPT_OUT_METHOD, Severity.WARN)]


def check_time_barred(ctx: DecisionContext, at: datetime) -> list[RuleHit]:
    debt = ctx.debt
    if debt is None or not debt.time_barred:
        return []
    if ctx.proposed.purpose is Purpose.LEGAL_ACTION:
        message = "The debt is time-barred: no lawsuit may be filed."
        return [RuleHit("regf.time_barred.no_suit_or_threat", message, C_TIME_BARRED, never=True)]
    if MessageClaim.THREAT_OF_SUIT in ctx.proposed.claims:
        # 1006.26(b) forbids threatening suit as much as suing: a declared threat is denied.
        message = "The debt is time-barred: this message threatens a lawsuit and may not be sent."
        return [RuleHit("regf.time_barred.no_suit_or_threat", message, C_TIME_BARRED, never=True)]
    message = "The debt is time-barred: do not threaten or imply a lawsuit."
    return [RuleHit("regf.time_barred.no_suit_or_threat", message, C_TIME_BARRED, Severity.WARN)]


def check_furnishing(ctx: DecisionContext, at: datetime) -> list[RuleHit]:
    """No furnishing before speaking to the consumer or a 14-day undeliverability watch."""
    if ctx.proposed.purpose is not Purpose.FURNISH_CREDIT_REPORT:
        return []
    debt = ctx.debt
    return _furnishing_hits(ctx, at, debt)


def _about_debt(ctx: DecisionContext, debt_ids: tuple[str, ...]) -> bool:
    keys = ctx.keys_of(debt_ids)
    return keys is None or ctx.debt_key in keys


def _furnishing_hits(ctx: DecisionContext, at: datetime, debt: Debt | None) -> list[RuleHit]:
    earliest: datetime | None = None
    for event in ctx.history:
        if event.at > at or not _about_debt(ctx, event.debt_ids):
            continue
        if event.outcome is Outcome.RIGHT_PARTY_CONVERSATION and event.channel is Channel.CALL:
            return []
        if (
            event.direction is Direction.OUTBOUND
            and event.channel in (Channel.LETTER, Channel.EMAIL, Channel.SMS)
            and event.outcome in MESSAGE_OUTCOMES
        ):
            sent_day = event.at.astimezone(ctx.counting_zone).date()
            watch_end = local_midnight(sent_day + 14 * ONE_DAY, ctx.counting_zone)
            if _bounced(ctx, event.channel, event.contact_point_id, event.at, watch_end):
                continue
            if watch_end <= at:
                return []
            earliest = watch_end if earliest is None else min(earliest, watch_end)
    message = (
        "Do not report this debt to a credit bureau before speaking to the consumer or "
        "waiting 14 days after a letter or electronic message for an undeliverable notice."
    )
    if earliest is None:
        return [
            RuleHit("regf.passive_collection_before_furnishing", message, C_FURNISH, never=True)
        ]
    return [
        RuleHit("regf.passive_collection_before_furnishing", message, C_FURNISH, retry_at=earliest)
    ]


def _bounced(
    ctx: DecisionContext, channel: Channel, point_id: str | None, sent: datetime, until: datetime
) -> bool:
    return any(
        event.outcome is Outcome.BOUNCED
        and event.channel is channel
        and event.contact_point_id == point_id
        and sent <= event.at < until
        for event in ctx.history
    )

"""US federal pack: the FDCPA as implemented by CFPB Regulation F (12 CFR part 1006).

Data: the 8 a.m.-9 p.m. window in every zone the consumer may be in, the 7-in-7 call presumption
per particular debt and the 7-day wait after a telephone conversation. Functions: holds, media,
notices, furnishing and time-barred debt (see ``us_federal_checks``).

One pack, two dates: the statute's own rules (15 U.S.C. 1692b, 1692c, 1692g: hours, place,
workplace, attorney, cease, location calls, validation and disputes) apply since the FDCPA took
effect on 1978-03-20; what Regulation F added (the call-frequency presumptions, media opt-outs,
electronic opt-out notices, limited-content messages, furnishing, time-barred debt, the
validation-period details) applies from its effective date, 2021-11-30.
"""

from __future__ import annotations

from datetime import date

from solvent.compliance.domain.model import CapScope, Channel, Outcome
from solvent.compliance.domain.packs.common import CONNECTED_CALL_OUTCOMES
from solvent.compliance.domain.packs.us_federal_checks import (
    C_ATTORNEY,
    C_ATTORNEY_REPLY,
    C_CEASE,
    C_CEASE_EXCEPTION,
    C_DESIGNATED,
    C_DISPUTE,
    C_DISPUTE_REPLY,
    C_EMPLOYER_EMAIL,
    C_FURNISH,
    C_LCM,
    C_MEDIUM,
    C_MEDIUM_REPLY,
    C_OPT_OUT,
    C_OPT_OUT_CONFIRMATION,
    C_OPT_OUT_METHOD,
    C_OVERSHADOW,
    C_PLACE,
    C_PRIOR_CONSENT,
    C_REPLY_ONCE,
    C_TIME_BARRED,
    C_VALIDATION,
    C_WORK,
    check_designated_times,
    check_exceptions,
    check_furnishing,
    check_holds,
    check_media,
    check_time_barred,
    check_validation,
)
from solvent.compliance.domain.packs.us_federal_location import (
    C_LOCATION,
    C_LOCATION_ATTORNEY,
    check_location,
)
from solvent.compliance.domain.packs.us_federal_patterns import C_PATTERN, check_call_patterns
from solvent.compliance.domain.rules import (
    PHONE_CHANNELS,
    TIMED_CHANNELS,
    CapDefinition,
    CooldownDefinition,
    HourWindows,
    RuleInfo,
    RulePack,
    every_day,
)

C_HOURS = "12 CFR 1006.6(b)(1)(i); 15 U.S.C. 1692c(a)(1)"
C_CONFLICT = "12 CFR 1006.6(b)(1)(i); comment 6(b)(1)(i)-2"
C_7IN7 = "12 CFR 1006.14(b)(2)(i)(A), (b)(2)(ii); comment 14(b)(2)(ii)-1.i; 1006.14(b)(3)-(4)"
C_AFTER_CONVERSATION = "12 CFR 1006.14(b)(2)(i)(B), (b)(2)(ii); comment 14(b)(2)(ii)-1.ii"

# FDCPA section 818: the Act took effect six months after its enactment (1977-09-20).
FDCPA = date(1978, 3, 20)
# 12 CFR part 1006 as amended by the two 2020 final rules, effective 2021-11-30.
REG_F = date(2021, 11, 30)

HOURS = HourWindows(
    rule_id="regf.inconvenient_time.8am_9pm_local",
    citation=C_HOURS,
    message="Before 8:00 a.m. or from 9:00 p.m. local time at the consumer's location.",
    channels=TIMED_CHANNELS,
    weekly=every_day((8 * 60, 21 * 60)),
    consent_overridable=True,
    multi_zone_rule_id="regf.inconvenient_time.conflicting_locations",
)

CALLS_7_IN_7 = CapDefinition(
    rule_id="regf.call_frequency.7in7",
    citation=C_7IN7,
    message="More than 7 calls in 7 consecutive days about this debt is a presumed violation",
    limit=7,
    window_days=7,
    scope=CapScope.PER_DEBT,
    channels=PHONE_CHANNELS,
    outcomes=CONNECTED_CALL_OUTCOMES,
    exclude_consumer_requested=False,
    exclude_prior_consent=True,
)

WAIT_AFTER_CONVERSATION = CooldownDefinition(
    rule_id="regf.call_frequency.post_conversation_7d",
    citation=C_AFTER_CONVERSATION,
    message="No call about this debt within 7 days of a telephone conversation about it",
    days=7,
    trigger_outcomes=frozenset({Outcome.RIGHT_PARTY_CONVERSATION}),
    trigger_channels=frozenset({Channel.CALL}),
    channels=PHONE_CHANNELS,
)

RULES = (
    RuleInfo(
        HOURS.rule_id,
        "Inconvenient times: 8 a.m. to 9 p.m. local",
        C_HOURS,
        "No call, text, email or voicemail before 08:00 or from 21:00 local time at the "
        "consumer's location (21:00 itself is treated as inconvenient). A time the consumer "
        "said is convenient, directly to us, lifts the rule. Letters are not timed.",
    ),
    RuleInfo(
        "regf.inconvenient_time.conflicting_locations",
        "Several possible locations: convenient in all of them",
        C_CONFLICT,
        "When the address and phone numbers point to different time zones, the contact must "
        "be within 8 a.m.-9 p.m. in every one of them.",
    ),
    RuleInfo(
        "regf.inconvenient_time.consumer_designated",
        "Times the consumer said are inconvenient",
        f"{C_DESIGNATED}; 15 U.S.C. 1692c(a)(1)",
        "Stated inconvenient times block contact until withdrawn; one reply to a "
        "consumer-initiated contact is allowed (purpose response_to_consumer).",
    ),
    RuleInfo(
        "regf.inconvenient_place",
        "Inconvenient place (home)",
        f"{C_PLACE}; 15 U.S.C. 1692c(a)(1)",
        "After 'not at home', no mail to the home address or calls to the home landline; "
        "mobile and email stay allowed.",
    ),
    RuleInfo(
        "regf.workplace_prohibited",
        "Place of employment",
        C_WORK,
        "After the consumer says they cannot take calls at work, no contact at work numbers, "
        "work addresses or employer-provided email.",
    ),
    RuleInfo(
        "regf.employer_email",
        "Employer-provided email",
        C_EMPLOYER_EMAIL,
        "No email to an address the employer provided unless the consumer used it with us or "
        "consented to it.",
        effective_from=REG_F,
    ),
    RuleInfo(
        "regf.attorney_represented",
        "Consumer represented by an attorney",
        C_ATTORNEY,
        "No contact with a represented consumer unless the attorney consents or fails to "
        "respond (record as hold release), or in reply to a consumer-initiated contact.",
    ),
    RuleInfo(
        "regf.cease_communication",
        "Cease communication / refusal to pay",
        C_CEASE,
        "From receipt of a written cease or refusal notice, no communication about the debt "
        "except the 1006.6(c)(2) notices (purpose cease_exception_notice). Never lawful again "
        "on the known facts.",
    ),
    RuleInfo(
        "regf.prohibited_medium",
        "Medium the consumer refused",
        C_MEDIUM,
        "No contact through a medium, address or number the consumer asked us not to use; one "
        "electronic opt-out confirmation and one reply to the consumer are allowed.",
        effective_from=REG_F,
    ),
    RuleInfo(
        CALLS_7_IN_7.rule_id,
        "Seven calls in seven days, per debt",
        C_7IN7,
        "An 8th connected outbound call about the same debt within 7 consecutive local days is "
        "a presumed violation and is denied. Busy and not-in-service calls, calls to the "
        "attorney and calls within a prior-consent period are not counted; student loans "
        "serviced under one account number are one debt; texts and emails are not calls.",
        effective_from=REG_F,
    ),
    RuleInfo(
        WAIT_AFTER_CONVERSATION.rule_id,
        "Seven days after a telephone conversation",
        C_AFTER_CONVERSATION,
        "After a telephone conversation about a debt on day 1 (either party calling), no call "
        "about that debt until day 8, unless the consumer gave prior consent.",
        effective_from=REG_F,
    ),
    RuleInfo(
        "regf.call_frequency.exclusion_prior_consent",
        "Calls with prior consent are not counted",
        C_PRIOR_CONSENT,
        "Consent to more calls given directly to us covers calls for at most 7 days (consent "
        "day is day 1); it ends early when revoked, at a shorter stated end, or at a "
        "conversation about the debt. Never counted retroactively. A call it covers gets this "
        "rule as a warning, for the record.",
        effective_from=REG_F,
    ),
    RuleInfo(
        "regf.call_frequency.exclusion_not_connected",
        "Unconnected calls are not counted",
        "12 CFR 1006.14(b)(3)(ii); comment 14(b)(3)(ii)-1",
        "Busy and not-in-service outcomes are not counted; every call that rang, was answered "
        "or reached voicemail is.",
        effective_from=REG_F,
    ),
    RuleInfo(
        "regf.call_frequency.exclusion_attorney",
        "Calls to the attorney and others are not counted",
        "12 CFR 1006.14(b)(3)(iii)",
        "Ledger rows with party attorney, creditor or third_party are not counted toward the "
        "consumer's frequencies.",
        effective_from=REG_F,
    ),
    RuleInfo(
        "regf.call_frequency.misdirected_calls",
        "Calls to a number that is not the consumer's",
        "comment 14(b)(2)(i)-3",
        "Calls to a contact point marked wrong_number, or with outcome wrong_number, are not "
        "calls to the consumer.",
        effective_from=REG_F,
    ),
    RuleInfo(
        "regf.call_frequency.rapid_succession",
        "Calls in rapid succession",
        f"{C_PATTERN}; 15 U.S.C. 1692d(5)",
        "Warning when the same number was called less than 5 minutes earlier (house-policy "
        "threshold from the comment's example).",
        "P",
    ),
    RuleInfo(
        "regf.call_frequency.concentration",
        "Calls concentrated in one day",
        f"{C_PATTERN}; 15 U.S.C. 1692d(5)",
        "Warning from the 4th call about a debt on one local day (house-policy threshold).",
        "P",
    ),
    RuleInfo(
        "regf.location.once_per_third_party",
        "Location calls: once per third party",
        f"{C_LOCATION}; 15 U.S.C. 1692b(3)",
        "A proposed contact with party third_party is denied after one communication with "
        "that person at that contact point, unless they asked for another; more than 7 calls "
        "in 7 days to them is denied under regf.call_frequency.7in7.",
    ),
    RuleInfo(
        "regf.location.attorney_known",
        "Location calls once an attorney is known",
        f"{C_LOCATION_ATTORNEY}; 15 U.S.C. 1692b(6)",
        "Once the consumer is known to be represented, no location calls to third parties.",
    ),
    RuleInfo(
        "regf.cease_communication.exception",
        "Cease exceptions",
        f"{C_CEASE_EXCEPTION}; 15 U.S.C. 1692c(c)(1)-(3)",
        "After a cease notice, purpose cease_exception_notice is allowed, with this warning.",
    ),
    RuleInfo(
        "regf.attorney_represented.consumer_initiated_response",
        "Reply to a represented consumer",
        C_ATTORNEY_REPLY,
        "A represented consumer's own contact may be answered once (purpose "
        "response_to_consumer), with this warning; representation stays in force.",
    ),
    RuleInfo(
        "regf.inconvenient_time.consumer_initiated_response_once",
        "Reply once at a designated inconvenient time",
        C_REPLY_ONCE,
        "A consumer who contacts us at a time they called inconvenient may get one reply "
        "through the same medium, with this warning.",
    ),
    RuleInfo(
        "regf.prohibited_medium.optout_confirmation",
        "Opt-out confirmation",
        C_OPT_OUT_CONFIRMATION,
        "One electronic confirmation of an opt-out, containing nothing else, is allowed.",
        effective_from=REG_F,
    ),
    RuleInfo(
        "regf.electronic_optout_notice",
        "Opt-out notice in electronic messages",
        C_OPT_OUT,
        "Every email or text must state a reasonable and simple way to opt out; a message "
        "declared without one is denied, an undeclared one gets a warning.",
        effective_from=REG_F,
    ),
    RuleInfo(
        "regf.electronic_optout_method",
        "Opt-out asks for nothing more",
        C_OPT_OUT_METHOD,
        "An email or text whose opt-out asks for more than the preference and the address or "
        "number (a fee, a login, other information) is denied (opt_out_asks_for_more); an "
        "undeclared method gets a warning. The opt-out confirmation itself is exempt.",
        effective_from=REG_F,
    ),
    RuleInfo(
        "regf.third_party_disclosure",
        "Third-party disclosure: leave only a limited-content voicemail",
        C_LCM,
        "A voicemail with more than the limited content is a communication and may disclose "
        "the debt to a third party: warning.",
        effective_from=REG_F,
    ),
    RuleInfo(
        "regf.dispute.cease_until_verification",
        "Timely dispute halts collection",
        C_DISPUTE,
        "A dispute received within the validation period (assumed receipt 5 business days "
        "after sending, federal holidays excluded, plus 30 days) halts collection of the debt "
        "until verification is sent (hold release). A late dispute only warns.",
    ),
    RuleInfo(
        "regf.dispute.reply_is_not_collection",
        "Reply to a consumer whose dispute is open",
        C_DISPUTE_REPLY,
        "A timely dispute halts collection, not communication: a reply to the consumer's own "
        "message (purpose response_to_consumer) stays allowed, with this warning that it may "
        "answer them but not collect (no demand or request for payment) until verification.",
    ),
    RuleInfo(
        "regf.prohibited_medium.consumer_initiated_response",
        "Reply through a medium the consumer refused",
        C_MEDIUM_REPLY,
        "A consumer who writes to us through a medium they asked us not to use may get one reply "
        "through it (purpose response_to_consumer), with this warning.",
        effective_from=REG_F,
    ),
    RuleInfo(
        "regf.validation_notice",
        "Validation notice",
        f"{C_VALIDATION}; 15 U.S.C. 1692g(a)",
        "Warning while no validation notice is recorded for the debt.",
    ),
    RuleInfo(
        "regf.validation_period.no_overshadowing",
        "Validation period",
        C_OVERSHADOW,
        "Warning during the validation period: nothing may overshadow the right to dispute.",
        effective_from=REG_F,
    ),
    RuleInfo(
        "regf.passive_collection_before_furnishing",
        "No credit reporting before first contact",
        C_FURNISH,
        "Purpose furnish_credit_report is denied until a telephone conversation about the debt "
        "or until day 15 after a letter or electronic message that did not bounce.",
        effective_from=REG_F,
    ),
    RuleInfo(
        "regf.time_barred.no_suit_or_threat",
        "Time-barred debt",
        C_TIME_BARRED,
        "No lawsuit (purpose legal_action) on a time-barred debt, and no message that threatens "
        "one (claim threat_of_suit): both denied. Other contacts get a warning not to threaten "
        "suit.",
        effective_from=REG_F,
    ),
)

US_FEDERAL_PACK = RulePack(
    pack_id="us_federal",
    version="2026.2",
    title="United States: FDCPA / Regulation F",
    effective_from=FDCPA,
    effective_until=None,
    jurisdictions=frozenset({"US"}),
    rules=RULES,
    hour_windows=(HOURS,),
    caps=(CALLS_7_IN_7,),
    cooldowns=(WAIT_AFTER_CONVERSATION,),
    checks=(
        check_holds,
        check_designated_times,
        check_media,
        check_validation,
        check_time_barred,
        check_furnishing,
        check_exceptions,
        check_location,
        check_call_patterns,
    ),
)

"""US state and city packs stricter than Regulation F: Massachusetts, Washington, NYC, California.

Federal law is a floor (12 CFR 1006.104); these packs add to it and the strictest rule wins
because every failing rule blocks. New York City has two versions: the rules in force until
2026-08-31 and the amended DCWP rules reported to take effect on 2026-09-01.
"""

from __future__ import annotations

from datetime import date, datetime

from solvent.compliance.domain.context import DecisionContext
from solvent.compliance.domain.model import CapScope, Channel, ConsentKind, Severity
from solvent.compliance.domain.packs.common import (
    CONNECTED_CALL_OUTCOMES,
    CONTACT_OUTCOMES,
    MESSAGE_OUTCOMES,
    consents_for_point,
    is_contact,
)
from solvent.compliance.domain.rules import (
    TIMED_CHANNELS,
    CapDefinition,
    HourWindows,
    PointClass,
    RuleHit,
    RuleInfo,
    RulePack,
    advisory,
    every_day,
)

EIGHT_TO_NINE = every_day((8 * 60, 21 * 60))
CALLS_AND_TEXTS = frozenset({Channel.CALL, Channel.VOICEMAIL, Channel.SMS})
# Watkins v. Glenn Assocs.: a call reaching voicemail counts even without a message; we count
# every connected call, every message left and every text (see the ADR).
MA_COUNTED = CONNECTED_CALL_OUTCOMES | MESSAGE_OUTCOMES

C_MA = "209 CMR 18.16(1)(d) (debt collectors); 940 CMR 7.04(1)(f) (creditors)"
C_MA_HOURS = "209 CMR 18.16(1)(a); 940 CMR 7.04(1)(e)"

MA_PACK = RulePack(
    pack_id="us_ma",
    version="2026.1",
    title="Massachusetts: 209 CMR 18 / 940 CMR 7",
    effective_from=date(2012, 7, 1),
    effective_until=None,
    jurisdictions=frozenset({"US-MA"}),
    rules=(
        RuleInfo(
            "ma.hours_8am_9pm",
            "Massachusetts hours",
            C_MA_HOURS,
            "Calls and texts only 8 a.m.-9 p.m. at the consumer's location; a stated "
            "convenient time does not lift it (conservative).",
            "S",
        ),
        RuleInfo(
            "ma.two_per_7d_residence_cell",
            "Two calls or texts in 7 days to residence or cell, per debt",
            C_MA,
            "No more than 2 collector-initiated calls or texts per debt in any 7 days to the "
            "home or a mobile. Connected calls count even without a message; calls at the "
            "consumer's request do not.",
            "S",
        ),
        RuleInfo(
            "ma.two_per_30d_other_numbers",
            "Two calls or texts in 30 days to other numbers, per debt",
            C_MA,
            "No more than 2 collector-initiated calls or texts per debt in any 30 days to "
            "numbers other than the home and mobiles (for example work).",
            "S",
        ),
    ),
    hour_windows=(
        HourWindows(
            "ma.hours_8am_9pm",
            C_MA_HOURS,
            "Massachusetts: calls and texts only 8 a.m. to 9 p.m. local time.",
            TIMED_CHANNELS,
            EIGHT_TO_NINE,
        ),
    ),
    caps=(
        CapDefinition(
            "ma.two_per_7d_residence_cell",
            C_MA,
            "Massachusetts allows 2 calls or texts per debt in 7 days to a residence or cell",
            limit=2,
            window_days=7,
            scope=CapScope.PER_DEBT,
            channels=CALLS_AND_TEXTS,
            outcomes=MA_COUNTED,
            point_class=PointClass.RESIDENCE_OR_CELL,
        ),
        CapDefinition(
            "ma.two_per_30d_other_numbers",
            C_MA,
            "Massachusetts allows 2 calls or texts per debt in 30 days to other numbers",
            limit=2,
            window_days=30,
            scope=CapScope.PER_DEBT,
            channels=CALLS_AND_TEXTS,
            outcomes=MA_COUNTED,
            point_class=PointClass.OTHER_NUMBERS,
        ),
    ),
)

C_WA = "RCW 19.16.250 (harassment presumptions)"
WA_COUNTED = CONNECTED_CALL_OUTCOMES | MESSAGE_OUTCOMES

WA_PACK = RulePack(
    pack_id="us_wa",
    version="2026.1",
    title="Washington: Collection Agency Act",
    effective_from=date(2012, 1, 1),
    effective_until=None,
    jurisdictions=frozenset({"US-WA"}),
    rules=(
        RuleInfo(
            "wa.hours_7_30am_9pm",
            "Washington residence hours",
            C_WA,
            "No communication at the residence between 9 p.m. and 7:30 a.m. (Reg F's 8 a.m. "
            "start is stricter and governs the morning).",
            "S",
        ),
        RuleInfo(
            "wa.max3_per_week",
            "Three communications a week",
            C_WA,
            "More than 3 communications with the debtor in a rolling 7 days is presumed "
            "harassment; connected calls and sent messages count on every channel.",
            "V",
        ),
        RuleInfo(
            "wa.workplace_once_per_week",
            "Once a week at work",
            C_WA,
            "No more than 1 communication in a rolling 7 days at the place of employment.",
            "V",
        ),
    ),
    hour_windows=(
        HourWindows(
            "wa.hours_7_30am_9pm",
            C_WA,
            "Washington: no communication between 9 p.m. and 7:30 a.m.",
            TIMED_CHANNELS,
            every_day((7 * 60 + 30, 21 * 60)),
        ),
    ),
    caps=(
        CapDefinition(
            "wa.max3_per_week",
            C_WA,
            "Washington presumes more than 3 communications a week to be harassment",
            limit=3,
            window_days=7,
            scope=CapScope.PER_DEBTOR,
            channels=TIMED_CHANNELS,
            outcomes=WA_COUNTED,
        ),
        CapDefinition(
            "wa.workplace_once_per_week",
            C_WA,
            "Washington allows 1 communication a week at the place of employment",
            limit=1,
            window_days=7,
            scope=CapScope.PER_DEBTOR,
            channels=TIMED_CHANNELS,
            outcomes=WA_COUNTED,
            point_class=PointClass.WORKPLACE,
        ),
    ),
)

C_NYC = "6 RCNY 5-77 (NYC DCWP debt collection rules)"
C_NYC_2026 = "6 RCNY 5-77, as amended (DCWP rules adopted 2024, effective 2026-09-01 as reported)"
NYC_HOURS = HourWindows(
    "nyc.hours_8am_9pm",
    C_NYC,
    "New York City: contact only 8 a.m. to 9 p.m. local time.",
    TIMED_CHANNELS,
    EIGHT_TO_NINE,
)
NYC_HOURS_INFO = RuleInfo(
    "nyc.hours_8am_9pm",
    "New York City hours",
    C_NYC,
    "Contact only 8 a.m.-9 p.m. local time.",
    "V",
)

NYC_PACK_2020 = RulePack(
    pack_id="us_nyc",
    version="2020-10-01",
    title="New York City: DCWP debt collection rules (before the amendments)",
    effective_from=date(2020, 10, 1),
    effective_until=date(2026, 8, 31),
    jurisdictions=frozenset({"US-NY-NYC"}),
    rules=(
        NYC_HOURS_INFO,
        RuleInfo(
            "nyc.max2_communications_per_7d",
            "Two communications in 7 days",
            C_NYC,
            "More than 2 communications with the consumer in 7 days is presumed excessive; "
            "communications the consumer initiated are excluded.",
            "V",
        ),
    ),
    hour_windows=(NYC_HOURS,),
    caps=(
        CapDefinition(
            "nyc.max2_communications_per_7d",
            C_NYC,
            "New York City presumes more than 2 communications in 7 days to be excessive",
            limit=2,
            window_days=7,
            scope=CapScope.PER_DEBTOR,
            channels=TIMED_CHANNELS,
            outcomes=CONTACT_OUTCOMES,
        ),
    ),
)


def check_nyc_electronic_consent(ctx: DecisionContext, at: datetime) -> list[RuleHit]:
    """Amended NYC rules: email and texts only with the consumer's written, revocable consent."""
    if ctx.proposed.channel not in (Channel.SMS, Channel.EMAIL) or not is_contact(ctx):
        return []
    if consents_for_point(ctx, ConsentKind.ELECTRONIC, at)[0]:
        return []
    message = "New York City: email and texts need the consumer's written, revocable consent."
    return [RuleHit("nyc.electronic_requires_consent", message, C_NYC_2026, never=True)]


NYC_PACK_2026 = RulePack(
    pack_id="us_nyc",
    version="2026-09-01",
    title="New York City: amended DCWP debt collection rules",
    effective_from=date(2026, 9, 1),
    effective_until=None,
    jurisdictions=frozenset({"US-NY-NYC"}),
    rules=(
        NYC_HOURS_INFO,
        RuleInfo(
            "nyc.max3_contacts_per_7d_per_account",
            "Three attempts or contacts in 7 days, per account, all channels",
            C_NYC_2026,
            "No more than 3 attempted or actual contacts per account in any 7 days across "
            "calls, voicemails, texts and emails.",
            "V",
        ),
        RuleInfo(
            "nyc.electronic_requires_consent",
            "Email and text need consent",
            C_NYC_2026,
            "Email and text messages only with the consumer's written, revocable consent "
            "(recorded as an 'electronic' consent).",
            "V",
        ),
    ),
    hour_windows=(NYC_HOURS,),
    caps=(
        CapDefinition(
            "nyc.max3_contacts_per_7d_per_account",
            C_NYC_2026,
            "New York City allows 3 attempts or contacts per account in 7 days",
            limit=3,
            window_days=7,
            scope=CapScope.PER_DEBT,
            channels=TIMED_CHANNELS,
            outcomes=CONNECTED_CALL_OUTCOMES | MESSAGE_OUTCOMES,
        ),
    ),
    checks=(check_nyc_electronic_consent,),
)

C_CA = "Cal. Civ. Code 1788.11(d)-(e), 1788.17 (Rosenthal Act)"


@advisory
def check_ca_time_barred(ctx: DecisionContext, at: datetime) -> list[RuleHit]:
    debt = ctx.debt
    if debt is None or not debt.time_barred or not is_contact(ctx):
        return []
    message = (
        "California: written communications about a time-barred debt need the Rosenthal "
        "time-barred disclosure; no suit is possible."
    )
    return [
        RuleHit(
            "ca.rosenthal.time_barred_disclosure",
            message,
            "Cal. Civ. Code 1788.14(d)",
            Severity.WARN,
        )
    ]


CA_PACK = RulePack(
    pack_id="us_ca",
    version="2026.1",
    title="California: Rosenthal Fair Debt Collection Practices Act",
    effective_from=date(2020, 1, 1),
    effective_until=None,
    jurisdictions=frozenset({"US-CA"}),
    rules=(
        RuleInfo(
            "ca.rosenthal.inconvenient_time",
            "California hours (FDCPA incorporated)",
            C_CA,
            "Civ. Code 1788.17 brings the FDCPA's time rules to first-party creditors too: "
            "8 a.m.-9 p.m. local time.",
            "S",
        ),
        RuleInfo(
            "ca.rosenthal.time_barred_disclosure",
            "Time-barred debt disclosure",
            "Cal. Civ. Code 1788.14(d); Code Civ. Proc. 337",
            "Warning on contacts about a time-barred debt: the disclosure is required.",
            "V",
        ),
    ),
    hour_windows=(
        HourWindows(
            "ca.rosenthal.inconvenient_time",
            C_CA,
            "California: contact only 8 a.m. to 9 p.m. local time.",
            TIMED_CHANNELS,
            EIGHT_TO_NINE,
            consent_overridable=True,
        ),
    ),
    checks=(check_ca_time_barred,),
)

US_STATE_PACKS: tuple[RulePack, ...] = (MA_PACK, WA_PACK, NYC_PACK_2020, NYC_PACK_2026, CA_PACK)

__all__ = ["US_STATE_PACKS"]

"""United Kingdom pack: FCA Consumer Credit sourcebook, CONC 7 (arrears, default and recovery).

CONC sets no numeric hours or caps: CONC 7.9.4R forbids contact at unreasonable times and requires
due regard to the customer's reasonable requests about when, where and how. The hours, the Sunday
and bank-holiday pause and the frequency limits below are house policy that makes "unreasonable"
concrete; each is marked as policy in the generated rules document.
"""

from __future__ import annotations

from datetime import date

from solvent.compliance.domain.model import CapScope, Severity
from solvent.compliance.domain.packs.common import (
    CONNECTED_CALL_OUTCOMES,
    CONTACT_OUTCOMES,
    customer_request_check,
)
from solvent.compliance.domain.rules import (
    FULL_DAY,
    PHONE_CHANNELS,
    TIMED_CHANNELS,
    CapDefinition,
    HolidayCalendar,
    HourWindows,
    RuleInfo,
    RulePack,
    every_day,
)

C_TIMES = "FCA CONC 7.9.4R (unreasonable times); house policy for the hours"
C_REQUESTS = "FCA CONC 7.9.4R"
C_DISPUTE = "FCA CONC 7.14.3R (suspend recovery of a debt disputed on valid grounds)"
C_FREQUENCY = "FCA CONC 7.9.4R, CONC 7.3.10R (no pressure); house policy for the numbers"
BANK_HOLIDAYS = HolidayCalendar("GB", "ENG", "public")

HOURS = HourWindows(
    "uk.conc_7_9_4.unreasonable_times",
    C_TIMES,
    "UK: contact only 8 a.m. to 9 p.m. local time.",
    TIMED_CHANNELS,
    every_day((8 * 60, 21 * 60)),
)
SUNDAY_AND_BANK_HOLIDAYS = HourWindows(
    "uk.policy.no_sunday_or_bank_holiday",
    C_TIMES,
    "UK: no collection contact on Sundays or bank holidays.",
    TIMED_CHANNELS,
    (FULL_DAY,) * 6 + (None,),
    holiday_calendar=BANK_HOLIDAYS,
    holiday_window=None,
)
CALL_ATTEMPTS_PER_DAY = CapDefinition(
    "uk.policy.max3_call_attempts_per_day",
    C_FREQUENCY,
    "UK policy: at most 3 call attempts a day",
    limit=3,
    window_days=1,
    scope=CapScope.PER_DEBTOR,
    channels=PHONE_CHANNELS,
    outcomes=CONNECTED_CALL_OUTCOMES,
)
CONTACTS_PER_WEEK = CapDefinition(
    "uk.policy.max3_contacts_per_7d",
    C_FREQUENCY,
    "UK policy: more than 3 contacts in 7 days may be excessive",
    limit=3,
    window_days=7,
    scope=CapScope.PER_DEBTOR,
    channels=TIMED_CHANNELS,
    outcomes=CONTACT_OUTCOMES,
    severity=Severity.WARN,
)

UK_PACK = RulePack(
    pack_id="uk_fca",
    version="2026.1",
    title="United Kingdom: FCA CONC 7",
    effective_from=date(2014, 4, 1),
    effective_until=None,
    jurisdictions=frozenset({"GB"}),
    rules=(
        RuleInfo(HOURS.rule_id, "Unreasonable times", C_TIMES, "Contact only 08:00-21:00.", "P"),
        RuleInfo(
            SUNDAY_AND_BANK_HOLIDAYS.rule_id,
            "Sundays and bank holidays",
            C_TIMES,
            "No calls, texts or emails on Sundays or bank holidays (England and Wales calendar).",
            "P",
        ),
        RuleInfo(
            "uk.conc_7_9_4_reasonable_requests",
            "The customer's reasonable requests",
            C_REQUESTS,
            "Requests about when, where and how to be contacted (shift patterns, not at work, "
            "not by phone, stop contacting, represented by a debt adviser) are honoured.",
            "T",
        ),
        RuleInfo(
            "uk.conc_7_14_3_disputed_debt",
            "Disputed debt",
            C_DISPUTE,
            "Recovery is suspended while a dispute on valid grounds is open (hold release).",
            "V",
        ),
        RuleInfo(
            CALL_ATTEMPTS_PER_DAY.rule_id,
            "Call attempts per day",
            C_FREQUENCY,
            "At most 3 connected call attempts a day per customer.",
            "P",
        ),
        RuleInfo(
            CONTACTS_PER_WEEK.rule_id,
            "Contacts per week",
            C_FREQUENCY,
            "Warning above 3 contacts made in 7 days (excessive contact).",
            "P",
        ),
    ),
    hour_windows=(HOURS, SUNDAY_AND_BANK_HOLIDAYS),
    caps=(CALL_ATTEMPTS_PER_DAY, CONTACTS_PER_WEEK),
    checks=(
        customer_request_check(
            "uk.conc_7_9_4_reasonable_requests",
            C_REQUESTS,
            ("uk.conc_7_14_3_disputed_debt", C_DISPUTE),
        ),
    ),
)

"""Australia pack: ACCC/ASIC *Debt collection guideline: for collectors and creditors* (2021).

Phone hours Monday-Friday 7:30 a.m.-9 p.m. and weekends 9 a.m.-9 p.m. in the debtor's state, no
contact on national public holidays, and at most 3 contacts a week and 10 a month per account,
counting contact actually made (an answered call, a message left, a delivered text or email).
"""

from __future__ import annotations

from datetime import date

from solvent.compliance.domain.model import CapScope
from solvent.compliance.domain.packs.common import CONTACT_OUTCOMES, customer_request_check
from solvent.compliance.domain.rules import (
    FULL_DAY,
    TIMED_CHANNELS,
    CapDefinition,
    HolidayCalendar,
    HourWindows,
    RuleInfo,
    RulePack,
    every_day,
)

C_HOURS = "ACCC/ASIC Debt collection guideline (2021) Part 2 s.4"
C_FREQUENCY = "ACCC/ASIC Debt collection guideline (2021) Part 2 s.5(c); s.3"
C_REQUESTS = "ACCC/ASIC Debt collection guideline (2021) Part 2 s.4 (debtor's reasonable wishes)"
C_DISPUTE = "ACCC/ASIC Debt collection guideline (2021) Part 2 (disputed debts)"
# The ``holidays`` AU national calendar is exactly the guideline's safe set: New Year's Day,
# Australia Day, Good Friday, Easter Monday, Anzac Day, Christmas Day, Boxing Day.
NATIONAL_HOLIDAYS = HolidayCalendar("AU", None, "public")

HOURS = HourWindows(
    "au.hours_phone",
    C_HOURS,
    "Australia: contact Monday-Friday 7:30 a.m.-9 p.m., weekends 9 a.m.-9 p.m. local time.",
    TIMED_CHANNELS,
    ((7 * 60 + 30, 21 * 60),) * 5 + ((9 * 60, 21 * 60),) * 2,
)
HOLIDAYS = HourWindows(
    "au.no_national_public_holiday",
    C_HOURS,
    "Australia: no contact on a national public holiday.",
    TIMED_CHANNELS,
    every_day(FULL_DAY),
    holiday_calendar=NATIONAL_HOLIDAYS,
    holiday_window=None,
)
WEEKLY = CapDefinition(
    "au.max3_per_week_10_per_month",
    C_FREQUENCY,
    "Australia: at most 3 contacts a week per account",
    limit=3,
    window_days=7,
    scope=CapScope.PER_DEBT,
    channels=TIMED_CHANNELS,
    outcomes=CONTACT_OUTCOMES,
)
MONTHLY = CapDefinition(
    "au.max3_per_week_10_per_month.month",
    C_FREQUENCY,
    "Australia: at most 10 contacts a month per account",
    limit=10,
    window_days=30,
    scope=CapScope.PER_DEBT,
    channels=TIMED_CHANNELS,
    outcomes=CONTACT_OUTCOMES,
)

AUSTRALIA_PACK = RulePack(
    pack_id="australia",
    version="2021-04",
    title="Australia: ACCC/ASIC debt collection guideline",
    effective_from=date(2021, 4, 1),
    effective_until=None,
    jurisdictions=frozenset({"AU"}),
    rules=(
        RuleInfo(
            HOURS.rule_id,
            "Hours",
            C_HOURS,
            "Calls, texts and emails Monday-Friday 7:30-21:00, Saturday-Sunday 9:00-21:00 in "
            "the debtor's state.",
        ),
        RuleInfo(
            HOLIDAYS.rule_id,
            "National public holidays",
            C_HOURS,
            "No contact on New Year's Day, Australia Day, Good Friday, Easter Monday, Anzac "
            "Day, Christmas Day or Boxing Day.",
            "V",
        ),
        RuleInfo(
            WEEKLY.rule_id,
            "Three a week, ten a month, per account",
            C_FREQUENCY,
            "At most 3 contacts in any 7 days and 10 in any 30 days per account, counting "
            "contact actually made (answered calls, messages left, texts, emails). The "
            "monthly limit is reported as `au.max3_per_week_10_per_month.month`.",
        ),
        RuleInfo(
            "au.debtor_requests",
            "The debtor's reasonable wishes",
            C_REQUESTS,
            "Requests about times, places and media, cease requests and representation are "
            "honoured.",
            "P",
        ),
        RuleInfo(
            "au.disputed_debt",
            "Disputed debt",
            C_DISPUTE,
            "Collection stops while a dispute is investigated (hold release).",
            "V",
        ),
    ),
    hour_windows=(HOURS, HOLIDAYS),
    caps=(WEEKLY, MONTHLY),
    checks=(
        customer_request_check("au.debtor_requests", C_REQUESTS, ("au.disputed_debt", C_DISPUTE)),
    ),
)

"""Other Canadian provinces with fixed contact hours: Quebec and British Columbia.

Quebec (Act respecting the collection of certain debts; OPC guidance): 8 a.m.-8 p.m. Monday to
Saturday, never on Sundays or statutory holidays. British Columbia (Business Practices and Consumer
Protection Act; Debt Collection Industry Regulation): 7 a.m.-9 p.m. Monday to Saturday, Sunday
1-5 p.m., never on statutory holidays. Both from secondary sources (rulebook CA-QC-01, CA-BC-01).
"""

from __future__ import annotations

from datetime import date

from solvent.compliance.domain.packs.common import customer_request_check
from solvent.compliance.domain.rules import (
    FULL_DAY,
    TIMED_CHANNELS,
    HolidayCalendar,
    HourWindows,
    RuleInfo,
    RulePack,
)

C_QC = "Act respecting the collection of certain debts (CQLR c R-2.2); OPC guidance on times"
C_BC = (
    "Business Practices and Consumer Protection Act (BC) s.116; Debt Collection Industry Regulation"
)

QC_HOURS = HourWindows(
    "qc.hours_8am_8pm_mon_sat",
    C_QC,
    "Quebec: contact only 8 a.m. to 8 p.m., Monday to Saturday.",
    TIMED_CHANNELS,
    ((8 * 60, 20 * 60),) * 6 + (FULL_DAY,),
)
QC_SUNDAY_AND_HOLIDAYS = HourWindows(
    "qc.no_sunday_or_holiday",
    C_QC,
    "Quebec: no contact on Sundays or statutory holidays.",
    TIMED_CHANNELS,
    (FULL_DAY,) * 6 + (None,),
    holiday_calendar=HolidayCalendar("CA", "QC", "public"),
    holiday_window=None,
)

QUEBEC_PACK = RulePack(
    pack_id="canada_qc",
    version="2026.1",
    title="Canada, Quebec: Act respecting the collection of certain debts",
    effective_from=date(2000, 1, 1),
    effective_until=None,
    jurisdictions=frozenset({"CA-QC"}),
    rules=(
        RuleInfo(QC_HOURS.rule_id, "Hours", C_QC, "Monday-Saturday 08:00-20:00 only.", "S"),
        RuleInfo(
            QC_SUNDAY_AND_HOLIDAYS.rule_id,
            "Sundays and statutory holidays",
            C_QC,
            "No contact on Sundays or Quebec statutory holidays.",
            "S",
        ),
        RuleInfo(
            "qc.debtor_requests",
            "Debtor's requests",
            C_QC,
            "Cease requests, refused media, place and time requests are honoured.",
            "P",
        ),
    ),
    hour_windows=(QC_HOURS, QC_SUNDAY_AND_HOLIDAYS),
    checks=(customer_request_check("qc.debtor_requests", C_QC),),
)

BC_HOURS = HourWindows(
    "bc.hours_7am_9pm",
    C_BC,
    "British Columbia: contact only 7 a.m. to 9 p.m. (Sunday 1-5 p.m.).",
    TIMED_CHANNELS,
    ((7 * 60, 21 * 60),) * 6 + ((13 * 60, 17 * 60),),
)
BC_HOLIDAYS = HourWindows(
    "bc.no_statutory_holiday",
    C_BC,
    "British Columbia: no contact on a statutory holiday.",
    TIMED_CHANNELS,
    (FULL_DAY,) * 7,
    holiday_calendar=HolidayCalendar("CA", "BC", "public"),
    holiday_window=None,
)

BRITISH_COLUMBIA_PACK = RulePack(
    pack_id="canada_bc",
    version="2026.1",
    title="Canada, British Columbia: Business Practices and Consumer Protection Act",
    effective_from=date(2004, 7, 1),
    effective_until=None,
    jurisdictions=frozenset({"CA-BC"}),
    rules=(
        RuleInfo(
            BC_HOURS.rule_id,
            "Hours",
            C_BC,
            "Monday-Saturday 07:00-21:00, Sunday 13:00-17:00.",
            "S",
        ),
        RuleInfo(BC_HOLIDAYS.rule_id, "Statutory holidays", C_BC, "No contact.", "S"),
        RuleInfo(
            "bc.debtor_requests",
            "Debtor's requests",
            C_BC,
            "Cease requests, refused media, place and time requests are honoured.",
            "P",
        ),
    ),
    hour_windows=(BC_HOURS, BC_HOLIDAYS),
    checks=(customer_request_check("bc.debtor_requests", C_BC),),
)

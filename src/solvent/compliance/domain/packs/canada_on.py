"""Ontario pack: Collection and Debt Settlement Services Act, R.R.O. 1990, Reg. 74 ss.20-25.

Hours Monday-Saturday 7 a.m.-9 p.m., Sunday only 1-5 p.m., no contact on holidays; at most 3
contacts in 7 days once a conversation has happened; a written notice and a 6-day wait before the
first contact. "Holiday" uses the Ontario calendar including optional days such as the Civic
Holiday (the Legislation Act's definition is wider than the statutory holidays).
"""

from __future__ import annotations

from datetime import date, datetime

from solvent.compliance.domain.context import DecisionContext
from solvent.compliance.domain.localtime import ONE_DAY, local_midnight
from solvent.compliance.domain.model import CapScope, Channel, Purpose
from solvent.compliance.domain.packs.common import (
    CONTACT_OUTCOMES,
    customer_request_check,
    is_contact,
)
from solvent.compliance.domain.rules import (
    FULL_DAY,
    TIMED_CHANNELS,
    CapDefinition,
    HolidayCalendar,
    HourWindows,
    RuleHit,
    RuleInfo,
    RulePack,
    every_day,
)

C_REG74 = "R.R.O. 1990, Reg. 74 s.22 (Collection and Debt Settlement Services Act)"
C_NOTICE = "R.R.O. 1990, Reg. 74 s.21 (written notice, then 6 days)"
C_REQUESTS = "Collection and Debt Settlement Services Act; R.R.O. 1990, Reg. 74 s.22 (house policy)"
C_DISPUTE = "R.R.O. 1990, Reg. 74 s.22 (debtor disputes and asks that the creditor go to court)"
ONTARIO_HOLIDAYS = HolidayCalendar("CA", "ON", "public,optional")
NOTICE_WAIT_DAYS = 6

HOURS = HourWindows(
    "on.hours_7am_9pm",
    C_REG74,
    "Ontario: contact only 7 a.m. to 9 p.m. local time (Sunday 1-5 p.m.).",
    TIMED_CHANNELS,
    ((7 * 60, 21 * 60),) * 6 + (FULL_DAY,),
)
SUNDAY = HourWindows(
    "on.sunday_1to5",
    C_REG74,
    "Ontario: on Sunday contact only between 1 p.m. and 5 p.m.",
    TIMED_CHANNELS,
    (FULL_DAY,) * 6 + ((13 * 60, 17 * 60),),
)
HOLIDAYS = HourWindows(
    "on.no_holiday_contact",
    C_REG74,
    "Ontario: no contact on a holiday.",
    TIMED_CHANNELS,
    every_day(FULL_DAY),
    holiday_calendar=ONTARIO_HOLIDAYS,
    holiday_window=None,
)

MAX3 = CapDefinition(
    "on.max3_per_7d",
    C_REG74,
    "Ontario allows 3 contacts in 7 days after the first conversation",
    limit=3,
    window_days=7,
    scope=CapScope.PER_DEBTOR,
    channels=TIMED_CHANNELS,
    outcomes=CONTACT_OUTCOMES,
    after_first_conversation=True,
)


def check_notice_wait(ctx: DecisionContext, at: datetime) -> list[RuleHit]:
    """No contact or demand until 6 days after the written notice was sent."""
    if not is_contact(ctx) or ctx.proposed.channel is Channel.LETTER:
        return []
    if ctx.proposed.purpose is Purpose.RESPONSE_TO_CONSUMER:
        return []
    debt = ctx.debt
    sent_on = debt.ontario_notice_sent_on if debt is not None else None
    if sent_on is None:
        message = "Ontario: send the written notice first, then wait 6 days before contact."
        return [RuleHit("on.notice_wait_6d", message, C_NOTICE, never=True)]
    opens = local_midnight(sent_on + NOTICE_WAIT_DAYS * ONE_DAY, ctx.counting_zone)
    if at >= opens:
        return []
    message = f"Ontario: wait 6 days after the written notice of {sent_on.isoformat()}."
    return [RuleHit("on.notice_wait_6d", message, C_NOTICE, retry_at=opens)]


ONTARIO_PACK = RulePack(
    pack_id="canada_on",
    version="2026.1",
    title="Canada, Ontario: Collection and Debt Settlement Services Act, Reg. 74",
    effective_from=date(2014, 7, 1),
    effective_until=None,
    jurisdictions=frozenset({"CA-ON"}),
    rules=(
        RuleInfo(
            HOURS.rule_id,
            "Hours",
            C_REG74,
            "Monday-Saturday only 7 a.m.-9 p.m. local time.",
            "S",
        ),
        RuleInfo(SUNDAY.rule_id, "Sunday", C_REG74, "Sunday only 1 p.m.-5 p.m.", "S"),
        RuleInfo(
            HOLIDAYS.rule_id,
            "Holidays",
            C_REG74,
            "No contact on an Ontario holiday (public and optional days, e.g. Civic Holiday).",
            "S",
        ),
        RuleInfo(
            MAX3.rule_id,
            "Three contacts in 7 days",
            C_REG74,
            "After the first conversation, at most 3 contacts (answered calls, messages left, "
            "emails, texts) in any 7 days; unanswered calls without a message and letters do "
            "not count, nor do contacts the debtor asked for.",
            "S",
        ),
        RuleInfo(
            "on.notice_wait_6d",
            "Written notice, then 6 days",
            C_NOTICE,
            "No call, text or email before the 6th day after the written notice was sent.",
            "S",
        ),
        RuleInfo(
            "on.debtor_requests",
            "Debtor's requests",
            C_REQUESTS,
            "Cease requests, refused media, no contact at work or home, representation and "
            "stated inconvenient times are honoured.",
            "P",
        ),
        RuleInfo(
            "on.dispute_refer_to_court",
            "Disputed debt",
            C_DISPUTE,
            "After the debtor disputes the debt and asks that the creditor take it to court, "
            "no further contact.",
            "V",
        ),
    ),
    hour_windows=(HOURS, SUNDAY, HOLIDAYS),
    caps=(MAX3,),
    checks=(
        check_notice_wait,
        customer_request_check(
            "on.debtor_requests", C_REQUESTS, ("on.dispute_refer_to_court", C_DISPUTE)
        ),
    ),
)

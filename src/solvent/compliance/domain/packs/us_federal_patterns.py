"""Call patterns that may rebut Reg F's presumption of compliance (comment 14(b)(2)(i)-2.i).

Staying under 7 calls in 7 days is only a presumption: calls in rapid succession (two unanswered
calls to the same number within five minutes) or concentrated in one day can still be harassment.
These are warnings with house-policy thresholds; the dialer may choose to treat them as blocks.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from solvent.compliance.domain.context import DecisionContext
from solvent.compliance.domain.model import Channel, Direction, Outcome, Party, Severity
from solvent.compliance.domain.rules import RuleHit, advisory

C_PATTERN = "12 CFR 1006.14(b)(1); comment 14(b)(2)(i)-2.i"
RAPID_SUCCESSION = timedelta(minutes=5)
CALLS_PER_DAY_WARNING = 3
PHONE = (Channel.CALL, Channel.VOICEMAIL)
NOT_CONNECTED = (Outcome.BUSY, Outcome.NOT_IN_SERVICE)


@advisory
def check_call_patterns(ctx: DecisionContext, at: datetime) -> list[RuleHit]:
    proposed = ctx.proposed
    if proposed.channel not in PHONE or proposed.party is not Party.CONSUMER:
        return []
    day = ctx.local_day(at)
    hits: list[RuleHit] = []
    same_day = 0
    for row_day, event, keys, _bits, excluded, _consent in ctx.events:
        # Same local day only: rapid succession across midnight falls in quiet hours anyway.
        if (
            row_day != day
            or excluded
            or event.channel not in PHONE
            or event.direction is not Direction.OUTBOUND
            or event.outcome in NOT_CONNECTED
            or event.at > at
        ):
            continue
        if (
            not hits
            and event.contact_point_id == proposed.contact_point_id
            and at - event.at < RAPID_SUCCESSION
        ):
            message = "Another call to this number less than 5 minutes ago: calls in rapid succession may be harassment."
            hits.append(
                RuleHit("regf.call_frequency.rapid_succession", message, C_PATTERN, Severity.WARN)
            )
        if keys is None or ctx.debt_key is None or ctx.debt_key in keys:
            same_day += 1
    if same_day >= CALLS_PER_DAY_WARNING:
        message = (
            f"{same_day} calls about this debt already today: concentrated calls may rebut the "
            "presumption of compliance."
        )
        hits.append(RuleHit("regf.call_frequency.concentration", message, C_PATTERN, Severity.WARN))
    return hits

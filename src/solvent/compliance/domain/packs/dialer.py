"""Dialer packs: the abandoned-call rules for calls a dialer places (US house policy, UK Ofcom).

A call is *abandoned* when a person answers and the dialer has no agent for them (2 seconds after
the greeting). Two limits follow, checked on the proposed call's facts:

* the campaign's abandon rate, from ``ProposedContact.campaign``: at most 3 % of the calls a
  person answered, over 30 days in the US (the FTC's Telemarketing Sales Rule and the FCC's
  47 CFR 64.1200(a)(7), which cover telemarketing, not collection: Solvent applies them as house
  policy, rulebook TSR-01) and over 24 hours in the UK (Ofcom's statement of policy on persistent
  misuse, rulebook OFCOM-01). A rate at 3.00 % already denies: the next call may be abandoned too.
* in the UK, a number whose call was abandoned (``Outcome.ABANDONED`` in the ledger) is not
  called again within 72 hours unless a live agent is guaranteed.

Only autodialled calls are paced by a dialer; a call an agent dials by hand has its agent on the
line, so the 72-hour rule treats it as having a guaranteed live agent. An autodialled call
without campaign figures cannot be checked and is denied (fail closed).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from solvent.compliance.domain.context import DecisionContext
from solvent.compliance.domain.model import CampaignFigures, Channel, Direction, Outcome
from solvent.compliance.domain.rules import Check, RuleHit, RuleInfo, RulePack

C_TSR = (
    "16 CFR 310.4(b)(1)(iv), (b)(4)(i); 47 CFR 64.1200(a)(7) (telemarketing); "
    "Solvent house policy for collection calls"
)
C_OFCOM = (
    "Communications Act 2003 ss.128-131; Ofcom statement of policy on the persistent misuse of an "
    "electronic communications network or service (2016), abandoned and silent calls"
)
C_FIGURES = "Solvent house policy (fail closed: a dialer's pace cannot be checked without figures)"

US_RATE_RULE = "tsr.abandonment_safe_harbor_3pct"
UK_RATE_RULE = "ofcom.abandoned_rate_3pct_24h"
REPEAT_RULE = "ofcom.abandoned_72h_repeat"
FIGURES_RULE = "solvent.dialer.campaign_figures_unknown"
REPEAT_WAIT = timedelta(hours=72)
MAX_ABANDON_PERCENT = 3


def _dialled_call(ctx: DecisionContext) -> bool:
    return ctx.proposed.channel is Channel.CALL and ctx.proposed.autodialled


def at_or_over_limit(abandoned: int, live_answered: int) -> bool:
    """Abandoned calls are at or over 3 % of the calls a person answered (abandons included).

    Integers only, so 2.99 % and 3.00 % are told apart exactly. No answered call yet and no
    abandon is a campaign that may start; abandons without answered calls are impossible figures
    and deny.
    """
    if live_answered <= 0:
        return abandoned > 0
    return abandoned * 100 >= MAX_ABANDON_PERCENT * live_answered


def _figures_missing() -> RuleHit:
    message = (
        "An autodialled call needs the campaign's abandon figures to check the 3 % limit; "
        "dial by hand or send the figures."
    )
    return RuleHit(FIGURES_RULE, message, C_FIGURES, never=True)


def _abandon_rate_check(
    rule_id: str,
    citation: str,
    window: str,
    figures: Callable[[CampaignFigures], tuple[int, int]],
) -> Check:
    """The check of one abandon-rate limit: ``figures`` gives the campaign's abandoned and
    live-answered calls over ``window``."""

    def check(ctx: DecisionContext, at: datetime) -> list[RuleHit]:
        if not _dialled_call(ctx):
            return []
        campaign = ctx.proposed.campaign
        if campaign is None:
            return [_figures_missing()]
        abandoned, answered = figures(campaign)
        if not at_or_over_limit(abandoned, answered):
            return []
        message = (
            f"The campaign abandoned {abandoned} of {answered} answered calls in {window} "
            "(3 % or more): slow the dialer or dial by hand."
        )
        # The figures are a snapshot: on the known facts no later moment is lawful either.
        return [RuleHit(rule_id, message, citation, never=True)]

    return check


check_us_abandon_rate = _abandon_rate_check(
    US_RATE_RULE, C_TSR, "30 days", lambda c: (c.abandoned_30d, c.live_answered_30d)
)
check_uk_abandon_rate = _abandon_rate_check(
    UK_RATE_RULE, C_OFCOM, "24 hours", lambda c: (c.abandoned_24h, c.live_answered_24h)
)


def check_repeat_after_abandoned(ctx: DecisionContext, at: datetime) -> list[RuleHit]:
    """No repeat call within 72 hours (elapsed, not wall-clock) of an abandoned call to the
    number, unless a live agent is guaranteed. An unknown number on either side is assumed to be
    the same number."""
    proposed = ctx.proposed
    if proposed.channel is not Channel.CALL or proposed.live_agent_guaranteed:
        return []
    if not (proposed.autodialled or proposed.prerecorded):
        return []
    point_id = proposed.contact_point_id
    reopens: datetime | None = None
    for event in ctx.history:
        if (
            event.outcome is not Outcome.ABANDONED
            or event.direction is not Direction.OUTBOUND
            or event.at > at
            or at >= event.at + REPEAT_WAIT
        ):
            continue
        if point_id is not None and event.contact_point_id not in (None, point_id):
            continue
        ends = event.at + REPEAT_WAIT
        reopens = ends if reopens is None else max(reopens, ends)
    if reopens is None:
        return []
    message = (
        "A call to this number was abandoned less than 72 hours ago: call again only with a "
        "live agent guaranteed."
    )
    return [RuleHit(REPEAT_RULE, message, C_OFCOM, retry_at=reopens)]


FIGURES_INFO = RuleInfo(
    FIGURES_RULE,
    "Autodialled call without campaign figures",
    C_FIGURES,
    "An autodialled call whose campaign abandon figures are not given is denied: the abandon "
    "limit cannot be checked. Calls an agent dials by hand need no figures.",
    "P",
)

US_CHECKS: tuple[Check, ...] = (check_us_abandon_rate,)
UK_CHECKS: tuple[Check, ...] = (check_uk_abandon_rate, check_repeat_after_abandoned)

DIALER_US_PACK = RulePack(
    pack_id="dialer_us",
    version="2026.1",
    title="United States: dialer abandon limit (house policy after the TSR and FCC rules)",
    # The TSR measures the 3 % per 30-day period since 2008-10-01 (rulebook TSR-01).
    effective_from=date(2008, 10, 1),
    effective_until=None,
    jurisdictions=frozenset({"US"}),
    rules=(
        RuleInfo(
            US_RATE_RULE,
            "Campaign abandon rate: 3 % over 30 days",
            C_TSR,
            "An autodialled call is denied while the campaign's abandoned calls are 3 % or more of "
            "the calls a person answered (abandoned ones included) over 30 days. The TSR and "
            "47 CFR 64.1200(a)(7) cover telemarketing; Solvent applies the same limit to "
            "collection calls (harassment, 1006.14(a); meaningful disclosure, 1006.14(g)).",
            "P",
        ),
        FIGURES_INFO,
    ),
    checks=US_CHECKS,
)

DIALER_GB_PACK = RulePack(
    pack_id="dialer_gb",
    version="2026.1",
    title="United Kingdom: Ofcom abandoned and silent calls",
    # The statement of policy of 20 December 2016, applying from 1 March 2017 (earlier
    # statements since 2006 set the same expectations; their dates are not verified here).
    effective_from=date(2017, 3, 1),
    effective_until=None,
    jurisdictions=frozenset({"GB"}),
    rules=(
        RuleInfo(
            UK_RATE_RULE,
            "Campaign abandon rate: 3 % over 24 hours",
            C_OFCOM,
            "An autodialled call is denied while the campaign's abandoned calls are 3 % or more of "
            "the calls a person answered (abandoned ones included) over the last 24 hours.",
            "S",
        ),
        RuleInfo(
            REPEAT_RULE,
            "No repeat call within 72 hours of an abandoned call",
            C_OFCOM,
            "After an abandoned call to a number, an autodialled or prerecorded call to it within "
            "72 elapsed hours is denied unless a live agent is guaranteed "
            "(live_agent_guaranteed). A call an agent dials by hand has one.",
            "S",
        ),
        FIGURES_INFO,
    ),
    checks=UK_CHECKS,
)

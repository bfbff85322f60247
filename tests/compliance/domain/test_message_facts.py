"""Facts the scenario format could not say (issue 9, defect 9), each used by a rule.

The opt-out method of an electronic message (1006.6(e)), a threat of suit on a time-barred debt
(1006.26(b)), an abandoned call in the ledger (a connected call for the counts; Ofcom's 72 hours)
and the dialer campaign's abandon rate (TSR / 47 CFR 64.1200(a)(7) as house policy; Ofcom).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from solvent.compliance.domain.docs import render_rules_markdown
from solvent.compliance.domain.engine import decide
from solvent.compliance.domain.model import (
    Address,
    CampaignFigures,
    Channel,
    Consent,
    ConsentKind,
    ContactPoint,
    ContactPointKind,
    Debt,
    DebtorProfile,
    Direction,
    HistoryEvent,
    MessageClaim,
    Outcome,
    ProposedContact,
    Purpose,
)

NY = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
US_MOBILE = ContactPoint("m", ContactPointKind.MOBILE, "+17165550100")
US_EMAIL = ContactPoint("e", ContactPointKind.EMAIL, "debtor@example.com")
UK_MOBILE = ContactPoint("m", ContactPointKind.MOBILE, "+447700900123")
UK_OTHER = ContactPoint("h", ContactPointKind.LANDLINE, "+442079460000")
TCPA_CONSENT = Consent(ConsentKind.TCPA_PRIOR_EXPRESS, datetime(2026, 1, 5, tzinfo=UTC))
QUIET = CampaignFigures(
    abandoned_30d=10, live_answered_30d=1000, abandoned_24h=1, live_answered_24h=100
)
OPT_OUT_METHOD = "regf.electronic_optout_method"
TIME_BARRED = "regf.time_barred.no_suit_or_threat"
REPEAT_72H = "ofcom.abandoned_72h_repeat"
UK_RATE = "ofcom.abandoned_rate_3pct_24h"
US_RATE = "tsr.abandonment_safe_harbor_3pct"
NO_FIGURES = "solvent.dialer.campaign_figures_unknown"


def _buffalo(*debts: Debt) -> DebtorProfile:
    return DebtorProfile(
        addresses=(Address("home", "US", "NY", city="Buffalo"),),
        contact_points=(US_MOBILE, US_EMAIL),
        consents=(TCPA_CONSENT,),
        debts=debts or (Debt("d1"),),
    )


def _london() -> DebtorProfile:
    return DebtorProfile(
        addresses=(Address("home", "GB", city="London"),),
        contact_points=(UK_MOBILE, UK_OTHER),
        debts=(Debt("d1"),),
    )


def _weekday_ny(hour: int = 11) -> datetime:
    return datetime(2026, 6, 2, hour, tzinfo=NY)  # a Tuesday


# --- the opt-out method (1006.6(e)) -------------------------------------------------------------


@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.SMS])
def test_an_opt_out_that_asks_for_more_than_the_preference_is_denied(channel: Channel) -> None:
    point = "e" if channel is Channel.EMAIL else "m"
    proposed = ProposedContact(
        _weekday_ny(), channel, "d1", point, includes_opt_out=True, opt_out_asks_for_more=True
    )
    decision = decide(_buffalo(), (), proposed)
    assert decision.allowed is False
    assert decision.blocking_rule_ids == (OPT_OUT_METHOD,)
    assert decision.earliest_lawful_at is None


def test_a_simple_opt_out_is_allowed_without_a_method_warning() -> None:
    proposed = ProposedContact(
        _weekday_ny(), Channel.EMAIL, "d1", "e", includes_opt_out=True, opt_out_asks_for_more=False
    )
    decision = decide(_buffalo(), (), proposed)
    assert decision.allowed is True
    assert OPT_OUT_METHOD not in {warning.rule_id for warning in decision.warnings}


def test_an_undeclared_opt_out_method_gets_a_warning() -> None:
    proposed = ProposedContact(_weekday_ny(), Channel.EMAIL, "d1", "e", includes_opt_out=True)
    decision = decide(_buffalo(), (), proposed)
    assert decision.allowed is True
    assert OPT_OUT_METHOD in {warning.rule_id for warning in decision.warnings}


# --- a threat of suit on a time-barred debt (1006.26(b)) ----------------------------------------


def test_a_threat_of_suit_on_a_time_barred_debt_is_denied() -> None:
    proposed = ProposedContact(
        _weekday_ny(),
        Channel.LETTER,
        "d1",
        claims=(MessageClaim.THREAT_OF_SUIT,),
    )
    decision = decide(_buffalo(Debt("d1", time_barred=True)), (), proposed)
    assert decision.allowed is False
    assert decision.blocking_rule_ids == (TIME_BARRED,)
    assert decision.earliest_lawful_at is None


def test_without_the_claim_a_time_barred_debt_only_warns() -> None:
    proposed = ProposedContact(_weekday_ny(), Channel.LETTER, "d1")
    decision = decide(_buffalo(Debt("d1", time_barred=True)), (), proposed)
    assert decision.allowed is True
    assert TIME_BARRED in {warning.rule_id for warning in decision.warnings}


def test_a_threat_of_suit_on_a_debt_within_the_limitation_period_is_not_this_rule() -> None:
    proposed = ProposedContact(
        _weekday_ny(), Channel.LETTER, "d1", claims=(MessageClaim.THREAT_OF_SUIT,)
    )
    decision = decide(_buffalo(), (), proposed)
    assert TIME_BARRED not in decision.blocking_rule_ids


# --- abandoned calls are connected calls --------------------------------------------------------


def _us_call(at: datetime, outcome: Outcome) -> HistoryEvent:
    return HistoryEvent(at, Channel.CALL, Direction.OUTBOUND, outcome, ("d1",), "m")


def test_an_abandoned_call_counts_toward_seven_in_seven() -> None:
    start = _weekday_ny(10) - timedelta(days=6)
    history = tuple(_us_call(start + timedelta(days=day), Outcome.NO_ANSWER) for day in range(6))
    history += (_us_call(start + timedelta(days=6, hours=-2), Outcome.ABANDONED),)
    decision = decide(_buffalo(), history, ProposedContact(_weekday_ny(), Channel.CALL, "d1", "m"))
    assert "regf.call_frequency.7in7" in decision.blocking_rule_ids
    cap = next(cap for cap in decision.caps if cap.rule_id == "regf.call_frequency.7in7")
    assert cap.used == 7


def test_an_abandoned_call_counts_toward_the_uk_daily_attempts() -> None:
    morning = datetime(2026, 6, 2, 9, tzinfo=LONDON)
    history = tuple(
        HistoryEvent(morning + timedelta(hours=hour), Channel.CALL, Direction.OUTBOUND, outcome)
        for hour, outcome in (
            (0, Outcome.NO_ANSWER),
            (1, Outcome.VOICEMAIL),
            (2, Outcome.ABANDONED),
        )
    )
    proposed = ProposedContact(morning + timedelta(hours=6), Channel.CALL, "d1", "h")
    decision = decide(_london(), history, proposed)
    assert "uk.policy.max3_call_attempts_per_day" in decision.blocking_rule_ids


# --- Ofcom: no repeat call within 72 hours of an abandoned call without a live agent ------------

# Saturday 2026-10-24 12:00 BST (11:00 UTC); the clocks go back on Sunday 25 October. Kept in UTC
# so that adding hours adds elapsed time (an aware datetime adds to its wall clock).
ABANDONED_AT = datetime(2026, 10, 24, 11, 0, tzinfo=UTC)


def _abandoned(point: str | None = "m") -> HistoryEvent:
    return HistoryEvent(
        ABANDONED_AT, Channel.CALL, Direction.OUTBOUND, Outcome.ABANDONED, (), point
    )


def _dialled(at: datetime, point: str | None = "m", **changes: object) -> ProposedContact:
    fields: dict[str, object] = {"autodialled": True, "campaign": QUIET}
    fields.update(changes)
    return ProposedContact(at, Channel.CALL, "d1", point, **fields)  # type: ignore[arg-type]


def test_a_dialled_repeat_call_71h59m_after_an_abandoned_call_is_denied_across_the_dst_change() -> (
    None
):
    # 72 elapsed hours end at 11:00 GMT on Tuesday, not at 12:00 by the wall clock.
    at = ABANDONED_AT + timedelta(hours=71, minutes=59)
    assert at.astimezone(LONDON).hour == 10
    decision = decide(_london(), (_abandoned(),), _dialled(at))
    assert decision.blocking_rule_ids == (REPEAT_72H,)
    assert decision.earliest_lawful_at == ABANDONED_AT + timedelta(hours=72)


def test_a_dialled_repeat_call_72h_after_an_abandoned_call_is_allowed() -> None:
    at = ABANDONED_AT + timedelta(hours=72)
    assert at.astimezone(LONDON).strftime("%H:%M %Z") == "11:00 GMT"
    decision = decide(_london(), (_abandoned(),), _dialled(at))
    assert decision.allowed is True


def test_a_repeat_call_with_a_guaranteed_live_agent_is_allowed_within_72h() -> None:
    at = ABANDONED_AT + timedelta(hours=48)
    decision = decide(_london(), (_abandoned(),), _dialled(at, live_agent_guaranteed=True))
    assert decision.allowed is True


def test_an_agent_dialling_by_hand_is_a_live_agent() -> None:
    at = ABANDONED_AT + timedelta(hours=48)
    decision = decide(_london(), (_abandoned(),), _dialled(at, autodialled=False))
    assert decision.allowed is True


def test_another_number_is_not_a_repeat_call_but_an_unknown_one_is() -> None:
    at = ABANDONED_AT + timedelta(hours=48)
    assert decide(_london(), (_abandoned(),), _dialled(at, point="h")).allowed is True
    unknown = decide(_london(), (_abandoned(),), _dialled(at, point=None))
    assert REPEAT_72H in unknown.blocking_rule_ids
    unattributed = decide(_london(), (_abandoned(point=None),), _dialled(at, point="h"))
    assert REPEAT_72H in unattributed.blocking_rule_ids


def test_the_72_hour_rule_is_ofcoms_and_does_not_apply_in_new_york() -> None:
    at = datetime(2026, 6, 3, 11, tzinfo=NY)
    abandoned = _us_call(at - timedelta(hours=24), Outcome.ABANDONED)
    decision = decide(_buffalo(), (abandoned,), _dialled(at))
    assert REPEAT_72H not in decision.evaluated_rules
    assert decision.allowed is True


# --- the campaign's abandon rate ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("abandoned", "allowed"),
    [(299, True), (300, False)],
    ids=["2.99 percent", "3.00 percent"],
)
def test_the_us_campaign_abandon_rate_over_30_days_is_capped_at_3_percent(
    abandoned: int, allowed: bool
) -> None:
    figures = CampaignFigures(abandoned_30d=abandoned, live_answered_30d=10_000)
    decision = decide(_buffalo(), (), _dialled(_weekday_ny(), campaign=figures))
    assert decision.allowed is allowed
    assert (US_RATE in decision.blocking_rule_ids) is not allowed


@pytest.mark.parametrize(
    ("abandoned", "allowed"),
    [(299, True), (300, False)],
    ids=["2.99 percent", "3.00 percent"],
)
def test_the_uk_campaign_abandon_rate_over_24_hours_is_capped_at_3_percent(
    abandoned: int, allowed: bool
) -> None:
    figures = CampaignFigures(abandoned_24h=abandoned, live_answered_24h=10_000)
    at = datetime(2026, 6, 2, 11, tzinfo=LONDON)
    decision = decide(_london(), (), _dialled(at, campaign=figures))
    assert decision.allowed is allowed
    assert (UK_RATE in decision.blocking_rule_ids) is not allowed


def test_the_uk_cap_reads_the_24_hour_figures_and_the_us_cap_the_30_day_ones() -> None:
    busy_day = CampaignFigures(
        abandoned_30d=10, live_answered_30d=1000, abandoned_24h=5, live_answered_24h=100
    )
    uk = decide(_london(), (), _dialled(datetime(2026, 6, 2, 11, tzinfo=LONDON), campaign=busy_day))
    us = decide(_buffalo(), (), _dialled(_weekday_ny(), campaign=busy_day))
    assert UK_RATE in uk.blocking_rule_ids
    assert us.allowed is True


@pytest.mark.parametrize(
    ("profile", "at"),
    [
        (_buffalo(), datetime(2026, 6, 2, 11, tzinfo=NY)),
        (_london(), datetime(2026, 6, 2, 11, tzinfo=LONDON)),
    ],
    ids=["US", "GB"],
)
def test_an_autodialled_call_without_campaign_figures_is_denied(
    profile: DebtorProfile, at: datetime
) -> None:
    decision = decide(profile, (), _dialled(at, campaign=None))
    assert decision.blocking_rule_ids == (NO_FIGURES,)
    assert decision.earliest_lawful_at is None


def test_a_call_an_agent_dials_needs_no_campaign_figures() -> None:
    decision = decide(_buffalo(), (), _dialled(_weekday_ny(), autodialled=False, campaign=None))
    assert decision.allowed is True


def test_figures_with_more_abandoned_than_answered_calls_are_denied() -> None:
    figures = CampaignFigures(abandoned_30d=1, live_answered_30d=0)
    decision = decide(_buffalo(), (), _dialled(_weekday_ny(), campaign=figures))
    assert US_RATE in decision.blocking_rule_ids


def test_a_campaign_without_answered_calls_yet_may_start() -> None:
    decision = decide(_buffalo(), (), _dialled(_weekday_ny(), campaign=CampaignFigures()))
    assert decision.allowed is True


def test_a_text_sent_by_an_autodialer_is_not_paced_by_the_abandon_cap() -> None:
    proposed = ProposedContact(
        _weekday_ny(),
        Channel.SMS,
        "d1",
        "m",
        autodialled=True,
        includes_opt_out=True,
        opt_out_asks_for_more=False,
        purpose=Purpose.COLLECT,
    )
    assert decide(_buffalo(), (), proposed).allowed is True


def test_the_generated_rule_docs_list_every_new_rule() -> None:
    document = render_rules_markdown()
    for rule_id in (OPT_OUT_METHOD, REPEAT_72H, UK_RATE, US_RATE, NO_FIGURES):
        assert f"| `{rule_id}` |" in document

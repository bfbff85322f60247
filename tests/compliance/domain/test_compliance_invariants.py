"""Property-based invariants of decide(), over random ledgers, moments and debtor locations."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solvent.compliance.domain.engine import decide
from solvent.compliance.domain.localtime import zone
from solvent.compliance.domain.model import (
    Address,
    Channel,
    Consent,
    ConsentKind,
    ContactPoint,
    ContactPointKind,
    Debt,
    DebtorProfile,
    Direction,
    HistoryEvent,
    Hold,
    HoldKind,
    Outcome,
    Place,
    ProposedContact,
)

POINTS = (
    ContactPoint("cell", ContactPointKind.MOBILE, "+12155550100"),
    ContactPoint("home", ContactPointKind.LANDLINE, "+12155550111", Place.HOME),
)
DEBTS = (Debt("d1"), Debt("d2"), Debt("s1", "student_loan", student_loan_account="A"))
PROFILES = {
    "pa": DebtorProfile(addresses=(Address("a", "US", "PA"),), contact_points=POINTS, debts=DEBTS),
    "ma": DebtorProfile(
        addresses=(Address("a", "US", "MA"),),
        contact_points=(ContactPoint("cell", ContactPointKind.MOBILE, "+16175550100"),),
        debts=DEBTS,
    ),
    "two_zones": DebtorProfile(
        addresses=(Address("a", "US", "OR", time_zone="America/Los_Angeles"),),
        contact_points=POINTS,
        debts=DEBTS,
    ),
    "ontario": DebtorProfile(
        addresses=(Address("a", "CA", "ON"),),
        contact_points=(ContactPoint("cell", ContactPointKind.MOBILE, "+14165550100"),),
        debts=tuple(
            dataclasses.replace(d, ontario_notice_sent_on=datetime(2026, 1, 2).date())
            for d in DEBTS
        ),
    ),
    "uk": DebtorProfile(
        addresses=(Address("a", "GB"),),
        contact_points=(ContactPoint("cell", ContactPointKind.LANDLINE, "+442079460000"),),
        debts=DEBTS,
    ),
    "australia": DebtorProfile(
        addresses=(Address("a", "AU", "NSW"),),
        contact_points=(ContactPoint("cell", ContactPointKind.MOBILE, "+61412345678"),),
        debts=DEBTS,
    ),
}
# Lawful local windows per profile for the "never outside a lawful window" invariant:
# the federal/state/provincial/national minimum start and maximum end in minutes.
OUTER_WINDOWS = {
    "pa": (480, 1260),
    "ma": (480, 1260),
    "two_zones": (480, 1260),
    "ontario": (420, 1260),
    "uk": (480, 1260),
    "australia": (450, 1260),
}

BASE = datetime(2026, 3, 1, tzinfo=UTC)
moments = st.integers(min_value=0, max_value=60 * 24 * 250).map(
    lambda m: BASE + timedelta(minutes=m)
)
outcomes = st.sampled_from(
    [
        Outcome.NO_ANSWER,
        Outcome.BUSY,
        Outcome.VOICEMAIL,
        Outcome.LIMITED_CONTENT_MESSAGE,
        Outcome.RIGHT_PARTY_CONVERSATION,
        Outcome.SENT,
    ]
)
channels = st.sampled_from([Channel.CALL, Channel.SMS, Channel.EMAIL, Channel.VOICEMAIL])
debt_ids = st.sampled_from(["d1", "d2", "s1"])


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, tuple[HistoryEvent, ...], ProposedContact]:
    name = draw(st.sampled_from(sorted(PROFILES)))
    at = draw(moments)
    offsets = draw(st.lists(st.integers(min_value=1, max_value=60 * 24 * 30), max_size=24))
    history = tuple(
        HistoryEvent(
            at - timedelta(minutes=offset),
            draw(channels),
            Direction.OUTBOUND,
            draw(outcomes),
            (draw(debt_ids),),
            "cell",
        )
        for offset in sorted(offsets, reverse=True)
    )
    proposed = ProposedContact(
        at,
        draw(st.sampled_from([Channel.CALL, Channel.SMS, Channel.VOICEMAIL])),
        draw(debt_ids),
        "cell",
        includes_opt_out=True,
    )
    return name, history, proposed


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(
    case=cases(), extra_offset=st.integers(min_value=1, max_value=60 * 24 * 10), outcome=outcomes
)
def test_one_more_attempt_never_turns_a_denial_into_an_allowance(case, extra_offset, outcome):
    name, history, proposed = case
    profile = PROFILES[name]
    before = decide(profile, history, proposed)
    extra = HistoryEvent(
        proposed.at - timedelta(minutes=extra_offset),
        Channel.CALL,
        Direction.OUTBOUND,
        outcome,
        (proposed.debt_id or "d1",),
        "cell",
    )
    after = decide(profile, (*history, extra), proposed)
    if not before.allowed:
        assert not after.allowed


@FAST
@given(case=cases())
def test_no_allowed_contact_falls_outside_a_lawful_window(case):
    name, history, proposed = case
    decision = decide(PROFILES[name], history, proposed)
    if not decision.allowed:
        return
    start, end = OUTER_WINDOWS[name]
    for zone_name in decision.time_zones:
        local = proposed.at.astimezone(zone(zone_name))
        minute = local.hour * 60 + local.minute
        assert start <= minute < end, (zone_name, local)


@FAST
@given(case=cases())
def test_earliest_lawful_moment_is_itself_allowed(case):
    name, history, proposed = case
    decision = decide(PROFILES[name], history, proposed)
    if decision.earliest_lawful_at is None:
        return
    again = decide(
        PROFILES[name], history, dataclasses.replace(proposed, at=decision.earliest_lawful_at)
    )
    assert again.allowed, again.blocking
    assert again.earliest_lawful_at == decision.earliest_lawful_at
    if decision.allowed:
        assert decision.earliest_lawful_at == proposed.at


@FAST
@given(case=cases(), lead=st.integers(min_value=0, max_value=60 * 24 * 20))
def test_cease_blocks_every_later_contact(case, lead):
    name, history, proposed = case
    profile = PROFILES[name]
    cease = Hold(HoldKind.CEASE, proposed.at - timedelta(minutes=lead))
    if name in ("pa", "ma", "two_zones"):
        blocked_by = "regf.cease_communication"
    else:
        blocked_by = {
            "ontario": "on.debtor_requests",
            "uk": "uk.conc_7_9_4_reasonable_requests",
        }.get(name, "au.debtor_requests")
    decision = decide(dataclasses.replace(profile, holds=(cease,)), history, proposed)
    assert not decision.allowed
    assert blocked_by in decision.blocking_rule_ids
    assert decision.earliest_lawful_at is None


@FAST
@given(case=cases(), lead=st.integers(min_value=0, max_value=60 * 24 * 20))
def test_revoked_consent_blocks_every_later_automated_contact(case, lead):
    name, history, proposed = case
    if name not in ("pa", "ma", "two_zones"):
        return
    consent = Consent(
        ConsentKind.TCPA_PRIOR_EXPRESS,
        proposed.at - timedelta(days=400),
        "cell",
        revoked_at=proposed.at - timedelta(minutes=lead),
    )
    profile = dataclasses.replace(PROFILES[name], consents=(consent,))
    automated = dataclasses.replace(proposed, autodialled=True)
    decision = decide(profile, history, automated)
    assert not decision.allowed
    assert "tcpa.revocation" in decision.blocking_rule_ids
    assert decision.earliest_lawful_at is None

"""The scope of consents in the engine: by debt (Reg F prior consent) and by channel (TCPA).

Defect 2 of issue 9: consent to more calls covers the debt it was given for (comment
14(b)(3)(i)-2), not every debt of the debtor. Defect 3: a TCPA consent covers the channels it was
given for, and a revocation at a number, by any channel, ends every automated call and text to it
(47 CFR 64.1200(a)(10); FCC 24-24); a consent given after the revocation reopens its channel only.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

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
    Decision,
    Direction,
    HistoryEvent,
    Outcome,
    ProposedContact,
)

NEW_YORK = ZoneInfo("America/New_York")
# Monday 2026-06-08, 10:00 in Albany.
MONDAY = datetime(2026, 6, 8, 10, 0, tzinfo=NEW_YORK)
CELL = "cell"
CARD, LOAN = "card", "loan"


def _profile(*consents: Consent, debts: tuple[str, ...] = (CARD, LOAN)) -> DebtorProfile:
    return DebtorProfile(
        addresses=(Address("home", "US", "NY", city="Albany"),),
        contact_points=(ContactPoint(CELL, ContactPointKind.MOBILE, "+15185550134"),),
        debts=tuple(Debt(debt_id, kind="credit_card") for debt_id in debts),
        consents=consents,
    )


def _seven_calls(debt_id: str | None) -> tuple[HistoryEvent, ...]:
    """Seven unanswered calls about ``debt_id`` (None: not attributed), one a day from Tuesday."""
    return tuple(
        HistoryEvent(
            at=MONDAY - timedelta(days=6 - index, hours=1),
            channel=Channel.CALL,
            direction=Direction.OUTBOUND,
            outcome=Outcome.NO_ANSWER,
            debt_ids=(debt_id,) if debt_id else (),
            contact_point_id=CELL,
        )
        for index in range(7)
    )


# A dialer campaign within the abandon caps, so that only consent decides automated calls.
CAMPAIGN = CampaignFigures(
    abandoned_30d=0, live_answered_30d=500, abandoned_24h=0, live_answered_24h=50
)


def _call(debt_id: str | None, at: datetime = MONDAY, **kwargs: bool) -> ProposedContact:
    return ProposedContact(
        at=at,
        channel=Channel.CALL,
        debt_id=debt_id,
        contact_point_id=CELL,
        campaign=CAMPAIGN,
        **kwargs,
    )


def _more_calls(*debt_ids: str, given_at: datetime | None = None) -> Consent:
    # Given on Tuesday, day 1 of the seven-day prior-consent period.
    return Consent(
        ConsentKind.ADDITIONAL_CALLS,
        given_at=given_at or MONDAY - timedelta(days=6, hours=2),
        debt_ids=debt_ids,
    )


def _blocking(decision: Decision) -> tuple[str, ...]:
    return decision.blocking_rule_ids


# Defect 2: consent to more calls is scoped to its debt ----------------------------------------


def test_consent_to_more_calls_about_the_card_excludes_calls_about_the_card() -> None:
    decision = decide(_profile(_more_calls(CARD)), _seven_calls(CARD), _call(CARD))
    assert decision.allowed, decision.blocking
    assert "regf.call_frequency.exclusion_prior_consent" in [w.rule_id for w in decision.warnings]


def test_consent_for_the_card_does_not_lift_the_seven_in_seven_for_the_loan() -> None:
    decision = decide(_profile(_more_calls(CARD)), _seven_calls(LOAN), _call(LOAN))
    assert not decision.allowed
    assert "regf.call_frequency.7in7" in _blocking(decision)


def test_consent_for_the_card_does_not_lift_the_seven_day_wait_after_a_loan_conversation() -> None:
    talk = HistoryEvent(
        at=MONDAY - timedelta(days=2),
        channel=Channel.CALL,
        direction=Direction.OUTBOUND,
        outcome=Outcome.RIGHT_PARTY_CONVERSATION,
        debt_ids=(LOAN,),
        contact_point_id=CELL,
    )
    consent = _more_calls(CARD, given_at=MONDAY - timedelta(days=1))
    loan = decide(_profile(consent), (talk,), _call(LOAN))
    assert "regf.call_frequency.post_conversation_7d" in _blocking(loan)
    # The same consent, given for the loan, lifts the wait (comment 14(b)(3)(i)-3.i).
    consent_for_loan = _more_calls(LOAN, given_at=MONDAY - timedelta(days=1))
    assert decide(_profile(consent_for_loan), (talk,), _call(LOAN)).allowed


def test_a_consent_for_the_card_does_not_cover_calls_about_no_particular_debt() -> None:
    decision = decide(_profile(_more_calls(CARD)), _seven_calls(None), _call(None))
    assert "regf.call_frequency.7in7" in _blocking(decision)


def test_an_unscoped_consent_covers_the_only_debt_of_a_debtor_with_one() -> None:
    decision = decide(_profile(_more_calls(), debts=(CARD,)), _seven_calls(CARD), _call(CARD))
    assert decision.allowed, decision.blocking


def test_an_unscoped_consent_of_a_debtor_with_several_debts_covers_none_of_them() -> None:
    # Which debt the consumer meant is unknown: the engine fails closed (ADR 0009).
    for debt_id in (CARD, LOAN):
        decision = decide(_profile(_more_calls()), _seven_calls(debt_id), _call(debt_id))
        assert "regf.call_frequency.7in7" in _blocking(decision), debt_id


def test_student_loans_under_one_account_number_share_a_consent() -> None:
    profile = DebtorProfile(
        addresses=(Address("home", "US", "NY", city="Albany"),),
        contact_points=(ContactPoint(CELL, ContactPointKind.MOBILE, "+15185550134"),),
        debts=(
            Debt("sl1", kind="student_loan", student_loan_account="SL-9"),
            Debt("sl2", kind="student_loan", student_loan_account="SL-9"),
        ),
        consents=(_more_calls("sl1"),),
    )
    # One particular debt under 1006.14(b)(4): consent for one loan covers its twin.
    assert decide(profile, _seven_calls("sl1"), _call("sl2")).allowed


# Defect 3: TCPA consent by channel, revocation for every automated channel -------------------


def _tcpa(
    *channels: Channel,
    given_at: datetime | None = None,
    revoked_at: datetime | None = None,
    debt_ids: tuple[str, ...] = (),
) -> Consent:
    return Consent(
        ConsentKind.TCPA_PRIOR_EXPRESS,
        given_at=given_at or MONDAY - timedelta(days=200),
        contact_point_id=CELL,
        debt_ids=debt_ids,
        channels=channels,
        revoked_at=revoked_at,
    )


STOP_AT = MONDAY - timedelta(days=3)


def test_consent_for_calls_and_a_stop_by_text_deny_an_autodialled_call() -> None:
    profile = _profile(_tcpa(Channel.CALL), _tcpa(Channel.SMS, revoked_at=STOP_AT))
    decision = decide(profile, (), _call(CARD, autodialled=True))
    assert _blocking(decision) == ("tcpa.revocation",)
    assert decision.earliest_lawful_at is None


def test_consent_for_texts_only_is_no_consent_to_prerecorded_calls() -> None:
    profile = _profile(_tcpa(Channel.SMS))
    prerecorded = decide(profile, (), _call(CARD, prerecorded=True))
    assert _blocking(prerecorded) == ("tcpa.autodial_wireless_requires_consent",)
    ringless = ProposedContact(
        at=MONDAY, channel=Channel.VOICEMAIL, debt_id=CARD, contact_point_id=CELL
    )
    assert "tcpa.autodial_wireless_requires_consent" in _blocking(decide(profile, (), ringless))
    text = ProposedContact(
        at=MONDAY,
        channel=Channel.SMS,
        debt_id=CARD,
        contact_point_id=CELL,
        autodialled=True,
        includes_opt_out=True,
    )
    assert decide(profile, (), text).allowed


def test_consent_for_calls_covers_ringless_voicemail_which_is_a_call() -> None:
    ringless = ProposedContact(
        at=MONDAY, channel=Channel.VOICEMAIL, debt_id=CARD, contact_point_id=CELL
    )
    decision = decide(_profile(_tcpa(Channel.CALL)), (), ringless)
    assert "tcpa.autodial_wireless_requires_consent" not in _blocking(decision)
    assert "tcpa.revocation" not in _blocking(decision)


def test_manual_calls_are_unaffected_by_a_stop() -> None:
    profile = _profile(_tcpa(Channel.CALL), _tcpa(Channel.SMS, revoked_at=STOP_AT))
    assert decide(profile, (), _call(CARD)).allowed


def test_a_revoked_consent_for_calls_is_revoked_for_texts_too() -> None:
    # "Stop calling me" said on a call: texts to that number stop as well (revoke-all).
    profile = _profile(_tcpa(Channel.SMS), _tcpa(Channel.CALL, revoked_at=STOP_AT))
    text = ProposedContact(
        at=MONDAY,
        channel=Channel.SMS,
        debt_id=CARD,
        contact_point_id=CELL,
        autodialled=True,
        includes_opt_out=True,
    )
    assert _blocking(decide(profile, (), text)) == ("tcpa.revocation",)


def test_a_revocation_about_one_debt_ends_automated_contact_about_every_debt() -> None:
    profile = _profile(_tcpa(), _tcpa(revoked_at=STOP_AT, debt_ids=(LOAN,)))
    assert _blocking(decide(profile, (), _call(CARD, autodialled=True))) == ("tcpa.revocation",)


def test_consent_again_after_the_stop_reopens_only_its_channel() -> None:
    again = _tcpa(Channel.SMS, given_at=STOP_AT + timedelta(days=1))
    profile = _profile(_tcpa(Channel.CALL), _tcpa(Channel.SMS, revoked_at=STOP_AT), again)
    text = ProposedContact(
        at=MONDAY,
        channel=Channel.SMS,
        debt_id=CARD,
        contact_point_id=CELL,
        autodialled=True,
        includes_opt_out=True,
    )
    assert decide(profile, (), text).allowed
    assert _blocking(decide(profile, (), _call(CARD, autodialled=True))) == ("tcpa.revocation",)
    # Before the new consent, texts were stopped too.
    early = ProposedContact(
        at=STOP_AT + timedelta(hours=2),
        channel=Channel.SMS,
        debt_id=CARD,
        contact_point_id=CELL,
        autodialled=True,
        includes_opt_out=True,
    )
    assert "tcpa.revocation" in _blocking(decide(profile, (), early))


def test_a_consent_scoped_to_the_card_does_not_cover_automated_calls_about_the_loan() -> None:
    profile = _profile(_tcpa(Channel.CALL, debt_ids=(CARD,)))
    assert decide(profile, (), _call(CARD, autodialled=True)).allowed
    loan = decide(profile, (), _call(LOAN, autodialled=True))
    assert _blocking(loan) == ("tcpa.autodial_wireless_requires_consent",)


def test_a_consent_with_no_channel_stated_covers_every_automated_channel() -> None:
    # The scenario format's consent without "channels": the number given with the debt
    # (FCC 07-232) is consent to automated calls and texts, which are calls under the TCPA.
    profile = _profile(_tcpa())
    assert decide(profile, (), _call(CARD, prerecorded=True)).allowed

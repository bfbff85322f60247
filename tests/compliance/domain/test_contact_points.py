"""Contact points the engine cannot vouch for: unknown ones (defect 5) and someone else's (defect 8).

An unknown contact point (no id, or an id not in the profile) may be the number or address the
consumer refused, their workplace or their home line: every point rule assumes the worst. A point
recorded as a third party's (a wrong number, a relative, an employer's switchboard) gets no contact
meant for the consumer, whatever the content of the message; only a location communication
(party third_party, 12 CFR 1006.10) is judged by its own rules.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from solvent.compliance.domain.engine import decide
from solvent.compliance.domain.model import (
    Address,
    Channel,
    ContactPoint,
    ContactPointKind,
    Debt,
    DebtorProfile,
    Hold,
    HoldKind,
    Party,
    Place,
    ProposedContact,
    VoicemailContent,
)

# Tuesday 2026-03-10, 15:00 UTC: 11:00 in New York, 15:00 in London, 11:00 in Toronto.
AT = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
HOLD_SINCE = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)

HOME_LANDLINE = ContactPoint("home", ContactPointKind.LANDLINE, "+12125550100", place=Place.HOME)
WORK_LANDLINE = ContactPoint("work", ContactPointKind.LANDLINE, "+12125550101", place=Place.WORK)
MOBILE = ContactPoint("mobile", ContactPointKind.MOBILE, "+12125550102")
WORK_EMAIL = ContactPoint(
    "work-email", ContactPointKind.EMAIL, "pat@employer.example", employer_provided=True
)

# (country, region) per pack family: the US pack and every pack built on customer_request_check.
HOMES = {
    "US": Address("a", "US", "NY"),
    "ON": Address("a", "CA", "ON"),
    "QC": Address("a", "CA", "QC"),
    "BC": Address("a", "CA", "BC"),
    "UK": Address("a", "GB"),
    "AU": Address("a", "AU", "NSW"),
}
UNKNOWN_POINT_IDS = (None, "not-on-file")


def _profile(home: Address, *holds: Hold, points: tuple[ContactPoint, ...] = ()) -> DebtorProfile:
    return DebtorProfile(
        addresses=(home,),
        contact_points=points or (HOME_LANDLINE, WORK_LANDLINE, MOBILE, WORK_EMAIL),
        holds=holds,
        debts=(Debt("d1", ontario_notice_sent_on=datetime(2025, 1, 2).date()),),
    )


def _proposed(channel: Channel, point_id: str | None, **extra: object) -> ProposedContact:
    return ProposedContact(
        at=AT,
        channel=channel,
        debt_id="d1",
        contact_point_id=point_id,
        includes_opt_out=True,
        **extra,  # type: ignore[arg-type]
    )


def _blocking(profile: DebtorProfile, proposed: ProposedContact) -> set[str]:
    return set(decide(profile, (), proposed).blocking_rule_ids)


# Defect 5: an unknown contact point is assumed to be the one the rule protects.

US_POINT_RULES = (
    (Hold(HoldKind.NOT_AT_WORK, HOLD_SINCE), Channel.CALL, "regf.workplace_prohibited"),
    (Hold(HoldKind.NOT_AT_HOME, HOLD_SINCE), Channel.CALL, "regf.inconvenient_place"),
    (Hold(HoldKind.NOT_AT_HOME, HOLD_SINCE), Channel.LETTER, "regf.inconvenient_place"),
    (
        Hold(HoldKind.MEDIUM_OPT_OUT, HOLD_SINCE, contact_point_id="mobile"),
        Channel.CALL,
        "regf.prohibited_medium",
    ),
    (
        Hold(
            HoldKind.MEDIUM_OPT_OUT, HOLD_SINCE, contact_point_id="mobile", channels=(Channel.SMS,)
        ),
        Channel.SMS,
        "regf.prohibited_medium",
    ),
)


@pytest.mark.parametrize("point_id", UNKNOWN_POINT_IDS)
@pytest.mark.parametrize(("hold", "channel", "rule_id"), US_POINT_RULES)
def test_a_us_point_rule_applies_when_the_contact_point_is_unknown(
    hold, channel, rule_id, point_id
):
    profile = _profile(HOMES["US"], hold)
    assert rule_id in _blocking(profile, _proposed(channel, point_id))


@pytest.mark.parametrize("point_id", UNKNOWN_POINT_IDS)
def test_an_email_to_an_unknown_address_is_treated_as_employer_provided(point_id):
    profile = _profile(HOMES["US"])
    assert "regf.employer_email" in _blocking(profile, _proposed(Channel.EMAIL, point_id))


def test_an_email_to_a_known_personal_address_is_not_an_employer_email():
    personal = ContactPoint("personal-email", ContactPointKind.EMAIL, "pat@mail.example")
    profile = _profile(HOMES["US"], points=(MOBILE, personal))
    assert "regf.employer_email" not in _blocking(
        profile, _proposed(Channel.EMAIL, "personal-email")
    )


def test_point_rules_still_spare_known_points_they_do_not_protect():
    holds = (
        Hold(HoldKind.NOT_AT_WORK, HOLD_SINCE),
        Hold(HoldKind.NOT_AT_HOME, HOLD_SINCE),
        Hold(HoldKind.MEDIUM_OPT_OUT, HOLD_SINCE, contact_point_id="home"),
    )
    profile = _profile(HOMES["US"], *holds)
    assert _blocking(profile, _proposed(Channel.CALL, "mobile")) == set()


def test_not_at_home_does_not_reach_a_text_to_an_unknown_number():
    # Only a home landline or the home address is "at home" (comment 6(b)(1)-1.iii).
    profile = _profile(HOMES["US"], Hold(HoldKind.NOT_AT_HOME, HOLD_SINCE))
    assert "regf.inconvenient_place" not in _blocking(profile, _proposed(Channel.SMS, None))


REQUEST_RULES = {
    "ON": "on.debtor_requests",
    "QC": "qc.debtor_requests",
    "BC": "bc.debtor_requests",
    "UK": "uk.conc_7_9_4_reasonable_requests",
    "AU": "au.debtor_requests",
}
REQUEST_HOLDS = (
    (Hold(HoldKind.NOT_AT_WORK, HOLD_SINCE), Channel.CALL),
    (Hold(HoldKind.NOT_AT_HOME, HOLD_SINCE), Channel.CALL),
    (Hold(HoldKind.MEDIUM_OPT_OUT, HOLD_SINCE, contact_point_id="mobile"), Channel.CALL),
)


@pytest.mark.parametrize("point_id", UNKNOWN_POINT_IDS)
@pytest.mark.parametrize(("hold", "channel"), REQUEST_HOLDS)
@pytest.mark.parametrize("home", sorted(REQUEST_RULES))
def test_every_other_pack_honours_a_request_when_the_contact_point_is_unknown(
    home, hold, channel, point_id
):
    profile = _profile(HOMES[home], hold)
    assert REQUEST_RULES[home] in _blocking(profile, _proposed(channel, point_id))


# Defect 8: a contact point recorded as someone else's.

THIRD_PARTY_POINTS = (
    ContactPoint("sister", ContactPointKind.MOBILE, "+12125550103", owner=Party.THIRD_PARTY),
    ContactPoint("switchboard", ContactPointKind.LANDLINE, "+12125550104", owner=Party.CREDITOR),
    ContactPoint("stranger", ContactPointKind.MOBILE, "+12125550105", wrong_number=True),
)


@pytest.mark.parametrize("home", sorted(HOMES))
@pytest.mark.parametrize("channel", [Channel.CALL, Channel.VOICEMAIL, Channel.SMS])
@pytest.mark.parametrize("point", THIRD_PARTY_POINTS, ids=lambda point: point.id)
def test_a_contact_meant_for_the_consumer_at_someone_elses_number_is_denied(home, channel, point):
    profile = _profile(HOMES[home], points=(MOBILE, point))
    assert "solvent.contact_point.not_the_consumers" in _blocking(
        profile, _proposed(channel, point.id)
    )


@pytest.mark.parametrize("channel", [Channel.CALL, Channel.VOICEMAIL])
def test_a_limited_content_message_left_on_a_relatives_number_is_denied(channel):
    # Comment 2(j)-2: a message knowingly left for a third party is not a limited-content message.
    sister = THIRD_PARTY_POINTS[0]
    profile = _profile(HOMES["US"], points=(MOBILE, sister))
    proposed = _proposed(channel, sister.id, voicemail_content=VoicemailContent.LIMITED_CONTENT)
    decision = decide(profile, (), proposed)
    assert not decision.allowed
    assert "solvent.contact_point.not_the_consumers" in decision.blocking_rule_ids
    assert decision.earliest_lawful_at is None


def test_a_location_call_to_a_third_partys_number_is_judged_by_the_location_rules():
    sister = THIRD_PARTY_POINTS[0]
    profile = _profile(HOMES["US"], points=(MOBILE, sister))
    proposed = _proposed(Channel.CALL, sister.id, party=Party.THIRD_PARTY)
    assert _blocking(profile, proposed) == set()


def test_the_consumers_own_number_is_not_someone_elses():
    profile = _profile(HOMES["US"], points=(MOBILE, *THIRD_PARTY_POINTS))
    assert _blocking(profile, _proposed(Channel.CALL, "mobile")) == set()


# Issue 15: a number the client replaced (superseded) or found not to work (invalid) is retired.

OLD_MOBILE = ContactPoint("old-mobile", ContactPointKind.MOBILE, "+12125550103", retired=True)


@pytest.mark.parametrize("home", sorted(HOMES))
@pytest.mark.parametrize("channel", [Channel.CALL, Channel.VOICEMAIL, Channel.SMS])
@pytest.mark.parametrize("party", [Party.CONSUMER, Party.THIRD_PARTY])
def test_no_contact_of_any_kind_at_a_retired_number(home, channel, party):
    profile = _profile(HOMES[home], points=(MOBILE, OLD_MOBILE))
    decision = decide(profile, (), _proposed(channel, OLD_MOBILE.id, party=party))
    assert not decision.allowed
    assert "solvent.contact_point.not_in_use" in decision.blocking_rule_ids
    assert decision.earliest_lawful_at is None  # never, on these facts


def test_the_current_number_beside_a_retired_one_is_allowed():
    profile = _profile(HOMES["US"], points=(MOBILE, OLD_MOBILE))
    assert _blocking(profile, _proposed(Channel.CALL, "mobile")) == set()

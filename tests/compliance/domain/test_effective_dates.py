"""Rules in force on the proposed day: the FDCPA's own rules since 1978, Reg F's since 2021-11-30.

Issue 9, defect 7. Each rule carries its own effective dates; the engine evaluates only the rules in
force on the proposed day (in the debtor's counting zone) and reports those it evaluated.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from solvent.compliance.domain.docs import render_rules_markdown
from solvent.compliance.domain.engine import decide
from solvent.compliance.domain.model import (
    Address,
    Channel,
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
    Purpose,
)
from solvent.compliance.domain.packs import ALL_PACKS, select_packs
from solvent.compliance.domain.rules import RulePack

NY = ZoneInfo("America/New_York")
HOURS = "regf.inconvenient_time.8am_9pm_local"
SEVEN_IN_SEVEN = "regf.call_frequency.7in7"
WAIT_AFTER_CONVERSATION = "regf.call_frequency.post_conversation_7d"
MOBILE = ContactPoint("m", ContactPointKind.MOBILE, "+17165550100")


def _buffalo(**changes: object) -> DebtorProfile:
    base: dict[str, object] = {
        "addresses": (Address("home", "US", "NY", city="Buffalo"),),
        "contact_points": (MOBILE,),
        "debts": (Debt("d1"),),
    }
    base.update(changes)
    return DebtorProfile(**base)  # type: ignore[arg-type]


def _local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NY)


def _call(at: datetime) -> ProposedContact:
    return ProposedContact(at, Channel.CALL, debt_id="d1", contact_point_id="m")


def _seven_calls_before(day: date) -> tuple[HistoryEvent, ...]:
    """Seven connected calls about d1 on the six days before ``day`` (two on the first)."""
    first = datetime(day.year, day.month, day.day, 10, tzinfo=NY) - timedelta(days=6)
    moments = [first, first + timedelta(hours=2)] + [
        first + timedelta(days=offset) for offset in range(1, 6)
    ]
    return tuple(
        HistoryEvent(moment, Channel.CALL, Direction.OUTBOUND, Outcome.NO_ANSWER, ("d1",), "m")
        for moment in moments
    )


def test_a_call_at_10pm_on_the_day_before_regulation_f_is_denied_by_the_fdcpa_hours_rule() -> None:
    decision = decide(_buffalo(), (), _call(_local(2021, 11, 29, 22)))
    assert decision.allowed is False
    assert decision.blocking_rule_ids == (HOURS,)
    assert HOURS in decision.evaluated_rules


def test_the_seven_in_seven_presumption_is_not_evaluated_the_day_before_regulation_f() -> None:
    history = _seven_calls_before(date(2021, 11, 29))
    decision = decide(_buffalo(), history, _call(_local(2021, 11, 29, 10)))
    assert decision.allowed is True
    assert SEVEN_IN_SEVEN not in decision.evaluated_rules
    assert SEVEN_IN_SEVEN not in {cap.rule_id for cap in decision.caps}


def test_the_seven_in_seven_presumption_applies_from_the_first_day_of_regulation_f() -> None:
    history = _seven_calls_before(date(2021, 11, 30))
    decision = decide(_buffalo(), history, _call(_local(2021, 11, 30, 10)))
    assert decision.allowed is False
    assert SEVEN_IN_SEVEN in decision.blocking_rule_ids
    assert SEVEN_IN_SEVEN in decision.evaluated_rules


def test_the_day_is_the_debtors_local_day_not_the_utc_day() -> None:
    # 2021-11-29 20:30 in Buffalo is already 2021-11-30 in UTC: still before Reg F locally.
    history = _seven_calls_before(date(2021, 11, 29))
    decision = decide(_buffalo(), history, _call(_local(2021, 11, 29, 20, 30)))
    assert decision.allowed is True
    assert SEVEN_IN_SEVEN not in decision.evaluated_rules


def test_the_wait_after_a_conversation_starts_with_regulation_f() -> None:
    spoke = HistoryEvent(
        _local(2021, 11, 26, 11),
        Channel.CALL,
        Direction.OUTBOUND,
        Outcome.RIGHT_PARTY_CONVERSATION,
        ("d1",),
        "m",
    )
    before = decide(_buffalo(), (spoke,), _call(_local(2021, 11, 29, 11)))
    after = decide(_buffalo(), (spoke,), _call(_local(2021, 11, 30, 11)))
    assert before.allowed is True
    assert WAIT_AFTER_CONVERSATION not in before.evaluated_rules
    assert after.blocking_rule_ids == (WAIT_AFTER_CONVERSATION,)


@pytest.mark.parametrize(
    ("kind", "rule_id"),
    [
        (HoldKind.CEASE, "regf.cease_communication"),
        (HoldKind.ATTORNEY, "regf.attorney_represented"),
        (HoldKind.DISPUTE, "regf.dispute.cease_until_verification"),
    ],
)
def test_the_statutory_holds_apply_in_1990(kind: HoldKind, rule_id: str) -> None:
    hold = Hold(kind, received_at=_local(1990, 5, 1, 9))
    decision = decide(_buffalo(holds=(hold,)), (), _call(_local(1990, 5, 2, 11)))
    assert decision.allowed is False
    assert rule_id in decision.blocking_rule_ids


def test_not_at_work_applies_in_1990() -> None:
    work = ContactPoint("w", ContactPointKind.LANDLINE, "+17165550199", place=Place.WORK)
    hold = Hold(HoldKind.NOT_AT_WORK, received_at=_local(1990, 5, 1, 9))
    proposed = ProposedContact(_local(1990, 5, 2, 11), Channel.CALL, "d1", "w")
    decision = decide(_buffalo(contact_points=(work,), holds=(hold,)), (), proposed)
    assert decision.blocking_rule_ids == ("regf.workplace_prohibited",)


def test_regulation_f_additions_are_silent_before_2021_and_reported_after() -> None:
    before = decide(_buffalo(), (), _call(_local(2015, 6, 2, 11)))
    after = decide(_buffalo(), (), _call(_local(2022, 6, 2, 11)))
    for rule_id in (
        SEVEN_IN_SEVEN,
        WAIT_AFTER_CONVERSATION,
        "regf.electronic_optout_notice",
        "regf.passive_collection_before_furnishing",
        "regf.time_barred.no_suit_or_threat",
        "regf.prohibited_medium",
    ):
        assert rule_id not in before.evaluated_rules
        assert rule_id in after.evaluated_rules
    for rule_id in (
        HOURS,
        "regf.cease_communication",
        "regf.attorney_represented",
        "regf.workplace_prohibited",
        "regf.dispute.cease_until_verification",
    ):
        assert rule_id in before.evaluated_rules


def test_furnishing_before_contact_is_not_a_rule_before_regulation_f() -> None:
    furnish = ProposedContact(
        _local(2021, 11, 29, 11), Channel.LETTER, "d1", purpose=Purpose.FURNISH_CREDIT_REPORT
    )
    assert decide(_buffalo(), (), furnish).allowed is True
    later = ProposedContact(
        _local(2021, 11, 30, 11), Channel.LETTER, "d1", purpose=Purpose.FURNISH_CREDIT_REPORT
    )
    assert decide(_buffalo(), (), later).blocking_rule_ids == (
        "regf.passive_collection_before_furnishing",
    )


def test_a_contact_before_the_fdcpa_took_effect_has_no_us_rules_and_is_refused() -> None:
    decision = decide(_buffalo(), (), _call(_local(1978, 3, 19, 11)))
    assert decision.allowed is False
    assert decision.blocking_rule_ids == ("solvent.jurisdiction.not_covered",)


def test_the_earliest_lawful_moment_respects_a_rule_that_starts_on_the_way() -> None:
    # 21:30 on 2021-11-29: the hours rule points to 08:00 on 2021-11-30, the first day of the
    # 7-in-7; the seven calls of the days before make that moment unlawful too.
    history = _seven_calls_before(date(2021, 11, 30))
    decision = decide(_buffalo(), history, _call(_local(2021, 11, 29, 21, 30)))
    assert decision.blocking_rule_ids == (HOURS,)
    assert decision.earliest_lawful_at is not None
    assert decision.earliest_lawful_at.astimezone(NY).date() > date(2021, 11, 30)


def test_the_new_york_city_pack_still_switches_versions_on_2026_09_01() -> None:
    jurisdictions = ("US", "US-NY", "US-NY-NYC")
    versions = {
        day: {pack.pack_id: pack.version for pack in select_packs(ALL_PACKS, jurisdictions, day)}
        for day in (date(2026, 8, 31), date(2026, 9, 1))
    }
    assert versions[date(2026, 8, 31)]["us_nyc"] == "2020-10-01"
    assert versions[date(2026, 9, 1)]["us_nyc"] == "2026-09-01"
    email = ContactPoint("e", ContactPointKind.EMAIL, "a@example.com")
    nyc = _buffalo(
        addresses=(Address("home", "US", "NY", city="New York"),), contact_points=(MOBILE, email)
    )
    proposed = ProposedContact(
        _local(2026, 9, 1, 11), Channel.EMAIL, "d1", "e", includes_opt_out=True
    )
    assert "nyc.electronic_requires_consent" in decide(nyc, (), proposed).blocking_rule_ids


def test_in_packs_with_rule_dates_every_window_cap_and_wait_has_a_dated_rule() -> None:
    # An undocumented rule id follows its pack's dates: harmless in a pack with one date,
    # a hole in a pack whose rules start on different days.
    dated = [pack for pack in ALL_PACKS if pack.rule_dates]
    assert {"us_federal"} <= {pack.pack_id for pack in dated}
    for pack in dated:
        documented = {info.rule_id: info for info in pack.rules}
        emitted = [
            *(windows.rule_id for windows in pack.hour_windows),
            *(w.multi_zone_rule_id for w in pack.hour_windows if w.multi_zone_rule_id),
            *(cap.rule_id for cap in pack.caps),
            *(cooldown.rule_id for cooldown in pack.cooldowns),
        ]
        for rule_id in emitted:
            assert rule_id in documented, f"{pack.pack_id}: {rule_id} has no RuleInfo"
        for info in pack.rules:
            start, until = _dates(pack, info.rule_id)
            assert start >= pack.effective_from, f"{pack.pack_id}: {info.rule_id} starts early"
            if pack.effective_until is not None:
                assert until is not None and until <= pack.effective_until


def _dates(pack: RulePack, rule_id: str) -> tuple[date, date | None]:
    info = next(info for info in pack.rules if info.rule_id == rule_id)
    start = info.effective_from or pack.effective_from
    until = info.effective_until or pack.effective_until
    return start, until


def test_the_generated_rule_docs_show_each_rules_dates() -> None:
    rows = {
        line.split("|")[1].strip(" `"): line
        for line in render_rules_markdown().splitlines()
        if line.startswith("| `") and "**" in line
    }
    assert "| 1978-03-20 to open |" in rows[HOURS]
    assert "| 2021-11-30 to open |" in rows[SEVEN_IN_SEVEN]
    assert "| 2020-10-01 to 2026-08-31 |" in rows["nyc.max2_communications_per_7d"]

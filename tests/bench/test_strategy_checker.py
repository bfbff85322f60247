"""The independent Reg F checker catches what the regulation forbids and passes what it allows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bench.strategy_checker import (
    Action,
    Request,
    RequestKind,
    Rule,
    violations_count,
    violations_find,
)

NEW_YORK = ZoneInfo("America/New_York")
ZONES = {"ann": ("America/New_York",)}


def at(day: int, hour: int, minute: int = 0, zone: ZoneInfo = NEW_YORK) -> datetime:
    """A time in April 2026, given in the debtor's local time, returned in UTC."""
    return datetime(2026, 4, day, hour, minute, tzinfo=zone).astimezone(UTC)


def call(day: int, hour: int = 10, minute: int = 0, outcome: str = "no_answer", debt: str = "D1"):
    return Action("ann", debt, "call", at(day, hour, minute), outcome)


def rules(violations) -> list[Rule]:
    return [violation.rule for violation in violations]


def test_seven_unanswered_calls_in_seven_days_are_allowed_and_a_planted_eighth_is_caught() -> None:
    seven = [call(day) for day in range(1, 8)]
    assert violations_find(seven, zones=ZONES) == []
    eighth = call(7, 15)
    found = violations_find([*seven, eighth], zones=ZONES)
    assert rules(found) == [Rule.SEVEN_CALLS_IN_SEVEN_DAYS]
    assert found[0].action == eighth


def test_the_eighth_call_on_day_eight_starts_a_new_window_and_is_allowed() -> None:
    calls = [call(day) for day in range(1, 9)]
    assert violations_find(calls, zones=ZONES) == []


def test_calls_that_never_connect_are_not_counted_toward_seven() -> None:
    calls = [call(day) for day in range(1, 8)] + [call(7, 11, outcome="busy")]
    assert violations_find(calls, zones=ZONES) == []


def test_seven_calls_are_counted_per_debt() -> None:
    calls = [call(day) for day in range(1, 8)] + [call(7, 15, debt="D2")]
    assert violations_find(calls, zones=ZONES) == []


def test_a_call_at_7_59_local_time_is_caught_and_one_at_8_00_is_not() -> None:
    early = call(2, 7, 59)
    found = violations_find([early, call(3, 8, 0)], zones=ZONES)
    assert rules(found) == [Rule.INCONVENIENT_TIME]
    assert found[0].action == early


def test_nine_pm_is_the_last_convenient_minute() -> None:
    found = violations_find([call(2, 21, 0), call(4, 21, 1)], zones=ZONES)
    assert [v.action.at for v in found] == [at(4, 21, 1)]


def test_a_consumer_in_two_zones_must_be_called_at_a_time_convenient_in_both() -> None:
    zones = {"ann": ("America/Los_Angeles", "America/New_York")}
    # 20:30 in Los Angeles is 23:30 in New York.
    late_east = Action("ann", "D1", "call", at(2, 20, 30, ZoneInfo("America/Los_Angeles")))
    assert rules(violations_find([late_east], zones=zones)) == [Rule.INCONVENIENT_TIME]
    assert violations_find([late_east], zones={"ann": ("America/Los_Angeles",)}) == []


def test_texts_and_emails_are_timed_when_sent_and_letters_are_not() -> None:
    actions = [
        Action("ann", "D1", "sms", at(2, 6, 30), "delivered"),
        Action("ann", "D1", "email", at(2, 22, 0), "delivered"),
        Action("ann", "D1", "letter", at(2, 3, 0), "delivered"),
    ]
    found = violations_find(actions, zones=ZONES)
    assert [v.action.channel for v in found] == ["sms", "email"]


def test_a_call_six_days_after_a_conversation_is_caught() -> None:
    spoke = call(1, 10, outcome="right_party")
    again = call(7, 10)
    found = violations_find([spoke, again], zones=ZONES)
    assert rules(found) == [Rule.CALL_AFTER_CONVERSATION]
    assert found[0].action == again


def test_a_call_seven_days_after_a_conversation_is_allowed() -> None:
    assert violations_find([call(1, outcome="right_party"), call(8)], zones=ZONES) == []


def test_a_second_call_the_same_day_after_a_conversation_is_caught() -> None:
    found = violations_find([call(1, 10, outcome="right_party"), call(1, 16)], zones=ZONES)
    assert rules(found) == [Rule.CALL_AFTER_CONVERSATION]


def test_a_conversation_the_consumer_starts_begins_the_seven_days_too() -> None:
    inbound = Action("ann", "D1", "call", at(13, 12), "right_party", inbound=True)
    found = violations_find([inbound, call(19)], zones=ZONES)
    assert rules(found) == [Rule.CALL_AFTER_CONVERSATION]
    assert violations_find([inbound, call(20)], zones=ZONES) == []


def test_calls_with_prior_consent_are_excluded_until_the_next_conversation() -> None:
    # Comment 14(b)(3)(i)-3.i: "call back on Monday" after Friday's conversation.
    consent = Request("ann", RequestKind.CALL_CONSENT, at(3, 10, 5), debt="D1")
    friday = call(3, 10, outcome="right_party")
    monday = call(6, 10, outcome="right_party")
    assert violations_find([friday, monday], [consent], zones=ZONES) == []
    # Comment 14(b)(3)(i)-3.ii: Monday's conversation ends the consent; Wednesday's call counts.
    wednesday = call(8, 10)
    found = violations_find([friday, monday, wednesday], [consent], zones=ZONES)
    assert rules(found) == [Rule.CALL_AFTER_CONVERSATION]


def test_a_text_after_a_stop_for_texts_is_caught_and_a_call_is_not() -> None:
    stop = Request("ann", RequestKind.REFUSE_MEDIUM, at(2, 12), medium="sms")
    text = Action("ann", "D1", "sms", at(3, 12), "delivered")
    found = violations_find([text, call(3, 14)], [stop], zones=ZONES)
    assert rules(found) == [Rule.REFUSED_MEDIUM]
    assert found[0].action == text


def test_a_text_before_the_stop_arrived_is_not_a_violation() -> None:
    stop = Request("ann", RequestKind.REFUSE_MEDIUM, at(2, 12), medium="sms")
    text = Action("ann", "D1", "sms", at(2, 11), "delivered")
    assert violations_find([text], [stop], zones=ZONES) == []


def test_a_refused_medium_covers_every_debt_of_the_person() -> None:
    stop = Request("ann", RequestKind.REFUSE_MEDIUM, at(2, 12), debt="D1", medium="email")
    mail = Action("ann", "D2", "email", at(5, 12), "delivered")
    assert rules(violations_find([mail], [stop], zones=ZONES)) == [Rule.REFUSED_MEDIUM]


def test_after_a_cease_notice_no_channel_may_be_used_for_that_debt() -> None:
    cease = Request("ann", RequestKind.CEASE, at(2, 9), debt="D1")
    actions = [
        Action("ann", "D1", "letter", at(4, 12), "delivered"),
        Action("ann", "D1", "email", at(4, 12), "delivered"),
        call(5),
        Action("ann", "D2", "sms", at(5, 12), "delivered"),
    ]
    found = violations_find(actions, [cease], zones=ZONES)
    assert rules(found) == [Rule.AFTER_CEASE] * 3
    assert all(violation.action.debt == "D1" for violation in found)


def test_a_cease_without_a_debt_covers_every_debt() -> None:
    cease = Request("ann", RequestKind.CEASE, at(2, 9))
    found = violations_find([call(5, debt="D2")], [cease], zones=ZONES)
    assert rules(found) == [Rule.AFTER_CEASE]


def test_contact_while_a_dispute_is_open_is_caught_and_after_the_answer_is_not() -> None:
    requests = [
        Request("ann", RequestKind.DISPUTE, at(2, 9), debt="D1"),
        Request("ann", RequestKind.DISPUTE_ANSWERED, at(10, 9), debt="D1"),
    ]
    found = violations_find([call(5), call(12)], requests, zones=ZONES)
    assert rules(found) == [Rule.OPEN_DISPUTE]
    assert found[0].action.at == at(5, 10)


def test_a_naive_time_is_refused_rather_than_guessed() -> None:
    naive = Action("ann", "D1", "call", datetime(2026, 4, 2, 10, 0))
    with pytest.raises(ValueError, match="naive"):
        violations_find([naive], zones=ZONES)


def test_the_count_names_every_rule() -> None:
    counts = violations_count(violations_find([call(2, 7, 0)], zones=ZONES))
    assert counts[Rule.INCONVENIENT_TIME.value] == 1
    assert set(counts) == {rule.value for rule in Rule}
    assert sum(counts.values()) == 1


def test_a_month_of_daily_lawful_calls_without_conversations_is_clean() -> None:
    start = at(1, 9)
    calls = [
        Action("ann", "D1", "call", start + timedelta(days=day), "no_answer") for day in range(30)
    ]
    assert violations_find(calls, zones=ZONES) == []


def on(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=NEW_YORK).astimezone(UTC)


def test_the_regulations_own_example_of_eight_calls_in_seven_days_is_a_violation() -> None:
    # Comment 14(b)(2)(ii)-1.i: April 1, two calls on each of April 2, 3 and 6, one on April 7.
    moments = [on(4, 1)] + [on(4, d, h) for d in (2, 3, 6) for h in (10, 15)] + [on(4, 7)]
    calls = [Action("ann", "D1", "call", moment, "no_answer") for moment in moments]
    found = violations_find(calls, zones=ZONES)
    assert rules(found) == [Rule.SEVEN_CALLS_IN_SEVEN_DAYS]
    assert found[0].action.at == on(4, 7)


def test_the_regulations_own_example_of_a_call_after_a_conversation() -> None:
    # Comment 14(b)(2)(ii)-1.ii: a call on August 11, a conversation on August 14; a call before
    # August 21 is presumed a violation, one on August 21 is not.
    base = [
        Action("ann", "D1", "call", on(8, 11), "no_answer"),
        Action("ann", "D1", "call", on(8, 14), "right_party"),
    ]
    early = Action("ann", "D1", "call", on(8, 20, 20), "no_answer")
    assert rules(violations_find([*base, early], zones=ZONES)) == [Rule.CALL_AFTER_CONVERSATION]
    lawful = Action("ann", "D1", "call", on(8, 21, 8), "no_answer")
    assert violations_find([*base, lawful], zones=ZONES) == []

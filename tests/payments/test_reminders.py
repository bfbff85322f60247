"""Reminders before due dates: queued on the reminder day (not before), once however often the run
repeats, on the promise's channel or the debtor's mobile for a plan, in the debtor's language, and
through the outbox, so the compliance gate refuses one under a cease."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from solvent.compliance.services import hold_place
from solvent.contact.adapters.fakes import FakeChannelSender
from solvent.contact.default_templates import default_templates_install
from solvent.contact.models import OutboxMessage
from solvent.contact.sender import outbox_dispatch
from solvent.payments.domain.reminders import reminder_due
from solvent.payments.models import ClientTerms
from solvent.payments.services.reminders import reminders_queue
from solvent.portfolio.models import Phone
from tests.contact.factories import make_debtor
from tests.payments.arrangements_world import (
    clock_fixture,  # noqa: F401 (the clock fixture)
    plan_make,
    promise_make,
)

MADE = date(2026, 12, 2)  # a Wednesday
DUE = date(2026, 12, 10)
REMINDER_DAY = date(2026, 12, 8)  # two days before, the default


@given(st.integers(0, 10), st.integers(0, 20))
def test_a_reminder_falls_due_on_a_few_days_before_the_due_date_only(
    days_before: int, made_days_before: int
) -> None:
    made_on = DUE - timedelta(days=made_days_before)
    days = [made_on + timedelta(days=n) for n in range(30)]
    due = [
        day
        for day in days
        if reminder_due(due_on=DUE, days_before=days_before, made_on=made_on, today=day)
    ]
    assert len(due) <= days_before and all(day < DUE for day in due)
    reminder_day = DUE - timedelta(days=days_before)
    if days_before and made_on < reminder_day:
        assert due[0] == reminder_day


@pytest.fixture
def debt(clock, db):
    default_templates_install()
    debtor, account = make_debtor()
    return account, debtor


def _messages() -> list[tuple[str, str, str]]:
    return list(
        OutboxMessage.objects.order_by("pk").values_list("channel", "contact_point", "cause")
    )


def test_the_rule_of_the_reminder_day() -> None:
    def due(today: date, made_on: date = MADE, days: int = 2) -> bool:
        return reminder_due(due_on=DUE, days_before=days, made_on=made_on, today=today)

    assert not due(date(2026, 12, 7))
    assert due(REMINDER_DAY)
    assert due(date(2026, 12, 9))  # a missed run is made up for
    assert not due(DUE)  # never on the day, nor after
    assert not due(REMINDER_DAY, made_on=REMINDER_DAY)  # just agreed: no reminder
    assert not due(REMINDER_DAY, days=0)  # the client's terms: none


def test_a_promise_is_reminded_once_on_its_channel_on_the_reminder_day(clock, debt) -> None:
    account, debtor = debt
    promise = promise_make(account, debtor, "100.00", DUE, reminder_channel="email")
    clock.to(date(2026, 12, 7))
    assert reminders_queue(today=date(2026, 12, 7)).queued == 0
    clock.to(REMINDER_DAY)
    assert reminders_queue(today=REMINDER_DAY).queued == 1
    again = reminders_queue(today=REMINDER_DAY)
    clock.to(date(2026, 12, 9))
    next_day = reminders_queue(today=date(2026, 12, 9))
    assert (again.queued, again.already_queued) == (0, 1)
    assert (next_day.queued, next_day.already_queued) == (0, 1)
    address = debtor.emails.get().address
    assert _messages() == [("email", address, f"reminder:promise:{promise.pk}:2026-12-10")]
    message = OutboxMessage.objects.get()
    assert "the payment you promised" in message.body and message.subject.startswith("Reminder")
    assert f"{account.currency} 100.00, is due on 2026-12-10" in message.body


def test_a_promise_without_a_reminder_channel_gets_none(clock, debt) -> None:
    account, debtor = debt
    promise_make(account, debtor, "100.00", DUE)
    clock.to(REMINDER_DAY)
    assert reminders_queue(today=REMINDER_DAY).queued == 0 and _messages() == []


def test_the_clients_terms_set_the_days_before(clock, debt) -> None:
    account, debtor = debt
    ClientTerms.objects.create(client=account.client, reminder_days_before=5)
    promise_make(account, debtor, "100.00", DUE, reminder_channel="sms")
    clock.to(date(2026, 12, 5))
    assert reminders_queue(today=date(2026, 12, 5)).queued == 1
    assert _messages()[0][0] == "sms"


def test_a_plan_instalment_is_reminded_on_the_mobile_else_the_email_in_spanish(clock, debt) -> None:
    account, debtor = debt
    debtor.language = "es"
    debtor.save(update_fields=["language"])
    plan = plan_make(account, debtor, DUE, "100")
    first = plan.instalments.get(number=1)
    clock.to(REMINDER_DAY)
    reminders_queue(today=REMINDER_DAY)
    mobile = debtor.phones.get().e164
    assert _messages() == [("sms", mobile, f"reminder:instalment:{first.pk}:2026-12-10")]
    assert "la próxima cuota de su plan" in OutboxMessage.objects.get().body
    # Without a usable mobile the next one goes by e-mail; without either, not at all.
    Phone.objects.filter(debtor=debtor).update(status="wrong_number")
    clock.to(date(2026, 12, 15))
    reminders_queue(today=date(2026, 12, 15))
    assert _messages()[-1][0:2] == ("email", debtor.emails.get().address)
    debtor.emails.all().delete()
    clock.to(date(2026, 12, 22))
    figures = reminders_queue(today=date(2026, 12, 22))
    assert (figures.queued, figures.no_contact_point) == (0, 1)


def test_the_gate_refuses_a_reminder_under_a_cease(clock, debt) -> None:
    account, debtor = debt
    promise_make(account, debtor, "100.00", DUE, reminder_channel="sms")
    clock.to(REMINDER_DAY, hour=19)  # 14:00 in New York: lawful hours
    reminders_queue(today=REMINDER_DAY)
    hold_place(debtor_id=debtor.pk, kind="cease", source="letter from the consumer")
    fake = FakeChannelSender(channel="sms")
    report = outbox_dispatch(worker="w", senders={"sms": fake})
    message = OutboxMessage.objects.get()
    assert fake.sent == [] and report.cancelled == 1
    assert message.status == "cancelled" and message.decision_log_id is not None


def test_without_a_hold_the_reminder_is_sent(clock, debt) -> None:
    account, debtor = debt
    promise_make(account, debtor, "100.00", DUE, reminder_channel="sms")
    clock.to(REMINDER_DAY, hour=19)
    reminders_queue(today=REMINDER_DAY)
    fake = FakeChannelSender(channel="sms")
    outbox_dispatch(worker="w", senders={"sms": fake})
    assert len(fake.sent) == 1 and OutboxMessage.objects.get().status == "sent"

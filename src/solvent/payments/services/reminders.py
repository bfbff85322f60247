"""Reminders before a promise's or a plan instalment's due date, queued in the outbox.

The client's ``ClientTerms.reminder_days_before`` (2 without terms; 0: none) days before the due
date (``payments.domain.reminders``). A promise is reminded on the channel the debtor chose with
it (text or e-mail; "none": never); a plan instalment on the debtor's own valid mobile, else their
e-mail, else not at all. The message goes through the outbox, so the compliance gate decides at
send time (a cease, a closed window, a revoked consent hold or cancel it like any message). Each
reminder's outbox cause is its key: the same reminder is queued once however often this runs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction

from solvent.arrangements.models import PaymentPlan, PlanInstalment, Promise, ReminderChannel
from solvent.compliance.selectors_planning import contact_point_for
from solvent.contact.models import OutboxMessage
from solvent.contact.services import MessageRequest, message_enqueue
from solvent.core import clock
from solvent.payments.domain.reminders import (
    instalment_reminder_key,
    promise_reminder_key,
    reminder_due,
)
from solvent.payments.models import ClientTerms
from solvent.portfolio.models import Debtor

PROMISE_TEMPLATE = "promise_reminder"
INSTALMENT_TEMPLATE = "instalment_reminder"
# No client reminds more than this many days ahead (a bound on what is read, not a rule).
_LONGEST_LEAD_DAYS = 60
_DEFAULT_DAYS_BEFORE = int(ClientTerms._meta.get_field("reminder_days_before").get_default())


@dataclass
class ReminderFigures:
    queued: int = 0
    already_queued: int = 0
    no_contact_point: int = 0


@dataclass(frozen=True, slots=True)
class _Due:
    key: str
    debtor_id: int
    account_id: int
    channel: str  # sms, email or "" (the debtor's best: mobile, else e-mail)
    template: str
    amount: str
    currency: str
    due_on: date
    lock: tuple[type[Promise] | type[PlanInstalment], int]


def _days_before() -> dict[int, int]:
    return dict(ClientTerms.objects.values_list("client_id", "reminder_days_before"))


def _promises_due(today: date, days: dict[int, int]) -> Iterable[_Due]:
    promises = Promise.objects.filter(
        status=Promise.Status.PENDING,
        due_on__gt=today,
        due_on__lte=today + timedelta(days=_LONGEST_LEAD_DAYS),
        reminder_channel__in=(ReminderChannel.SMS, ReminderChannel.EMAIL),
    ).select_related("account")
    for promise in promises.order_by("pk"):
        if reminder_due(
            due_on=promise.due_on,
            days_before=days.get(promise.account.client_id, _DEFAULT_DAYS_BEFORE),
            made_on=promise.created_at.date(),
            today=today,
        ):
            yield _Due(
                key=promise_reminder_key(promise.pk, promise.due_on),
                debtor_id=promise.debtor_id,
                account_id=promise.account_id,
                channel=promise.reminder_channel,
                template=PROMISE_TEMPLATE,
                amount=f"{promise.amount:,.2f}",
                currency=promise.currency,
                due_on=promise.due_on,
                lock=(Promise, promise.pk),
            )


def _instalments_due(today: date, days: dict[int, int]) -> Iterable[_Due]:
    instalments = PlanInstalment.objects.filter(
        plan__status=PaymentPlan.Status.ACTIVE,
        status=PlanInstalment.Status.PENDING,
        due_on__gt=today,
        due_on__lte=today + timedelta(days=_LONGEST_LEAD_DAYS),
    ).select_related("plan__account")
    for instalment in instalments.order_by("pk"):
        plan = instalment.plan
        if reminder_due(
            due_on=instalment.due_on,
            days_before=days.get(plan.account.client_id, _DEFAULT_DAYS_BEFORE),
            made_on=(plan.accepted_at or plan.created_at).date(),
            today=today,
        ):
            yield _Due(
                key=instalment_reminder_key(instalment.pk, instalment.due_on),
                debtor_id=plan.debtor_id,
                account_id=plan.account_id,
                channel="",
                template=INSTALMENT_TEMPLATE,
                amount=f"{instalment.amount:,.2f}",
                currency=plan.currency,
                due_on=instalment.due_on,
                lock=(PlanInstalment, instalment.pk),
            )


def _contact_point(debtor: Debtor, channel: str) -> tuple[str, str]:
    """(channel, point): the chosen channel's point, or for "" the mobile, else the e-mail."""
    phones, emails = list(debtor.phones.all()), list(debtor.emails.all())
    for wanted in (channel,) if channel else ("sms", "email"):
        point = contact_point_for(wanted, phones, emails, ())
        if point:
            return wanted, point
    return "", ""


def _not_before(today: date, now: datetime) -> datetime | None:
    """A run for a later day (``--day``) queues for that day; today's are due at once (the gate
    holds each until the debtor's lawful hours)."""
    start = datetime.combine(today, time(0), tzinfo=UTC)
    return start if start > now else None


def reminders_queue(*, today: date, actor_id: int | None = None) -> ReminderFigures:
    """Queue the reminders due ``today`` (see the module docstring); returns what it did."""
    figures = ReminderFigures()
    days = _days_before()
    now = clock.now()
    due = [*_promises_due(today, days), *_instalments_due(today, days)]
    for reminder in due:
        with transaction.atomic():
            model, pk = reminder.lock
            # Locked, so two runs at once queue it once: the second waits, then finds it.
            model.objects.select_for_update().filter(pk=pk).values_list("pk").first()
            if OutboxMessage.objects.filter(cause=reminder.key).exists():
                figures.already_queued += 1
                continue
            debtor = Debtor.objects.get(pk=reminder.debtor_id)
            channel, point = _contact_point(debtor, reminder.channel)
            if not point:
                figures.no_contact_point += 1
                continue
            message_enqueue(
                request=MessageRequest(
                    debtor_id=debtor.pk,
                    channel=channel,
                    contact_point=point,
                    account_ids=(reminder.account_id,),
                    template_code=reminder.template,
                    variables={
                        "arrangement_amount": reminder.amount,
                        "arrangement_due_date": reminder.due_on.isoformat(),
                    },
                    not_before=_not_before(today, now),
                    cause=reminder.key,
                ),
                actor_id=actor_id,
            )
            figures.queued += 1
    return figures

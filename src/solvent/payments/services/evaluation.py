"""The daily run of promises and plans: each account with a pending promise or a plan instalment
whose due date has passed is judged again (``consequences.payment_consequences``: kept, partly
kept, broken; instalments paid or missed; work items at once), the settlements time has overtaken
expire (``settlements.settlements_expire``), then the reminders due today are queued
(``reminders``). Run it before the daily plan (``solvent plan run`` does), so a broken
promise reaches the work queue and the path the same day.

Idempotent: a second run of the same day finds nothing to change and no reminder to queue. Each
account is its own transaction: one that fails (it is reported) loses nothing of the others.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from solvent.arrangements.models import PaymentPlan, PlanInstalment, Promise
from solvent.audit.services import audit_record, audit_system
from solvent.core.domain.errors import DomainError
from solvent.payments.services.consequences import Consequences, payment_consequences
from solvent.payments.services.reminders import ReminderFigures, reminders_queue
from solvent.payments.services.settlements import settlements_expire

logger = logging.getLogger(__name__)


@dataclass
class EvaluationFigures:
    """What a day's run did: accounts judged, status changes by kind, work items, reminders."""

    day: date
    accounts: int = 0
    promises: dict[str, int] = field(default_factory=dict)  # new status -> how many changed to it
    plans: dict[str, int] = field(default_factory=dict)
    instalments_missed: int = 0
    work_items: int = 0
    settlements_expired: int = 0
    reminders: ReminderFigures = field(default_factory=ReminderFigures)
    failed: list[tuple[int, str]] = field(default_factory=list)  # (account id, why)

    @property
    def changed(self) -> int:
        return (
            sum(self.promises.values())
            + sum(self.plans.values())
            + self.instalments_missed
            + self.settlements_expired
            + self.reminders.queued
        )

    def summary(self) -> str:
        """One line a person reads."""

        def counts(by_status: dict[str, int]) -> str:
            return ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in by_status.items())

        return (
            f"promises and plans of {self.day}: {self.accounts} account(s) judged; "
            f"promises: {counts(self.promises) or 'no change'}; "
            f"plans: {counts(self.plans) or 'no change'}; "
            f"{self.instalments_missed} instalment(s) missed; {self.work_items} work item(s); "
            f"{self.settlements_expired} settlement(s) expired; "
            f"{self.reminders.queued} reminder(s) queued ({self.reminders.already_queued} queued "
            f"before, {self.reminders.no_contact_point} without a contact point)"
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "day": self.day.isoformat(),
            "accounts": self.accounts,
            "promises": dict(self.promises),
            "plans": dict(self.plans),
            "instalments_missed": self.instalments_missed,
            "work_items": self.work_items,
            "settlements_expired": self.settlements_expired,
            "reminders_queued": self.reminders.queued,
            "reminders_already_queued": self.reminders.already_queued,
            "reminders_without_contact_point": self.reminders.no_contact_point,
            "failed": len(self.failed),
        }


def accounts_due(*, today: date) -> list[int]:
    """Accounts with a pending promise, or an instalment of a plan in force still pending, whose
    due date has passed (its grace may not have: the rule decides)."""
    promised = Promise.objects.filter(status=Promise.Status.PENDING, due_on__lt=today).values_list(
        "account_id", flat=True
    )
    planned = PlanInstalment.objects.filter(
        plan__status=PaymentPlan.Status.ACTIVE,
        status=PlanInstalment.Status.PENDING,
        due_on__lt=today,
    ).values_list("plan__account_id", flat=True)
    return sorted(set(promised) | set(planned))


def _count(figures: EvaluationFigures, done: Consequences) -> None:
    promises = Counter(after for _before, after in done.promises.values())
    plans = Counter(after for _before, after in done.plans.values())
    figures.promises = dict(Counter(figures.promises) + promises)
    figures.plans = dict(Counter(figures.plans) + plans)
    figures.instalments_missed += len(done.instalments_missed)
    figures.work_items += done.work_items


@audit_system("daily evaluation of promises and plans")
def arrangements_evaluate_day(*, today: date, actor_id: int | None = None) -> EvaluationFigures:
    """Judge what fell due by ``today`` and queue today's reminders (see the module docstring)."""
    figures = EvaluationFigures(day=today)
    for account_id in accounts_due(today=today):
        try:
            done = payment_consequences(account_id=account_id, today=today, actor_id=actor_id)
        except DomainError as exc:
            logger.warning("account %s not evaluated: %s", account_id, exc)
            figures.failed.append((account_id, str(exc)))
            continue
        figures.accounts += 1
        _count(figures, done)
    figures.settlements_expired = settlements_expire(today=today, actor_id=actor_id)
    figures.reminders = reminders_queue(today=today, actor_id=actor_id)
    if figures.changed or figures.failed:  # a run that changed nothing leaves no entry
        audit_record(
            action="payments.arrangements_evaluated",
            object_type="payments.Evaluation",
            object_id=today.isoformat(),
            data=figures.as_dict(),
            actor_id=actor_id,
        )
    return figures

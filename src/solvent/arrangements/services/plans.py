"""Income and expenditure statements, and the payment plans proposed from them and accepted."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction

from solvent.arrangements.domain.errors import FieldError
from solvent.arrangements.domain.proposal import PLAN_FREQUENCIES, Instalment
from solvent.arrangements.domain.proposal import plan_propose as proposal_build
from solvent.arrangements.domain.statement import Frequency, LineInput, statement_build
from solvent.arrangements.domain.status import (
    DEFAULT_GRACE_DAYS,
    Payment,
    instalment_statuses,
    plan_outcome,
)
from solvent.arrangements.models import IncomeExpenditure, PaymentPlan, PlanInstalment
from solvent.arrangements.services.account_status import account_status_sync
from solvent.arrangements.services.common import account_and_debtor, audit, money, not_past
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.portfolio.models import Account, Debtor


def income_expenditure_record(
    *,
    debtor_id: int,
    account_id: int,
    lines: Iterable[LineInput],
    actor_id: int | None = None,
) -> IncomeExpenditure:
    """A statement taken with the debtor about this debt, in the account's currency."""
    with transaction.atomic():
        account, debtor = account_and_debtor(account_id, debtor_id)
        statement = statement_build(account.currency, lines)
        row = IncomeExpenditure.objects.create(
            debtor=debtor,
            account=account,
            currency=account.currency,
            lines=[
                {
                    "code": line.kind.code,
                    "amount": str(line.amount),
                    "frequency": line.frequency.value,
                    "monthly": str(line.monthly),
                }
                for line in statement.lines
            ],
            income_total=statement.income,
            expenditure_total=statement.expenditure,
            disposable=statement.disposable,
            recorded_by_id=actor_id,
            recorded_at=clock.now(),
        )
        # The figures, not the lines: the statement is the debtor's private finances.
        audit(
            "income_expenditure_recorded",
            row,
            {
                "debtor_id": debtor.pk,
                "account_id": account.pk,
                "income": str(statement.income),
                "expenditure": str(statement.expenditure),
                "disposable": str(statement.disposable),
                "lines": len(statement.lines),
            },
            actor_id,
        )
    return row


def plan_propose(
    *,
    account_id: int,
    debtor_id: int,
    income_expenditure_id: int,
    frequency: str,
    first_due_on: date,
    instalment: Decimal | str | None = None,
    actor_id: int | None = None,
) -> PaymentPlan:
    """A proposed plan clearing the balance with instalments the statement shows are affordable
    (domain.proposal); refused, naming the field and why, when none fits."""
    now = clock.now()
    first_due_on = not_past(first_due_on, "first_due_on", now)
    asked = None if instalment is None or instalment == "" else money(instalment, "instalment")
    if frequency not in PLAN_FREQUENCIES:
        raise FieldError("frequency", "a plan is paid weekly, fortnightly or monthly")
    with transaction.atomic():
        account, debtor = account_and_debtor(account_id, debtor_id)
        statement = IncomeExpenditure.objects.filter(
            pk=income_expenditure_id, debtor_id=debtor.pk
        ).first()
        if statement is None:
            raise NotFoundError(f"statement {income_expenditure_id} not found for this debtor")
        if statement.currency != account.currency:
            raise FieldError(
                "income_expenditure",
                f"the statement is in {statement.currency}, the debt in {account.currency}",
            )
        proposal = proposal_build(
            total=account.balance,
            currency=account.currency,
            disposable_monthly=statement.disposable,
            frequency=Frequency(frequency),
            first_due_on=first_due_on,
            instalment=asked,
        )
        plan = PaymentPlan.objects.create(
            account=account,
            debtor=debtor,
            total=proposal.total,
            currency=account.currency,
            frequency=frequency,
            instalment_amount=proposal.instalment,
            affordable_amount=proposal.affordable,
            first_due_on=first_due_on,
            income_expenditure=statement,
            created_by_id=actor_id,
            created_at=now,
        )
        PlanInstalment.objects.bulk_create(
            PlanInstalment(plan=plan, number=i.number, due_on=i.due_on, amount=i.amount)
            for i in proposal.instalments
        )
        audit(
            "plan_proposed",
            plan,
            _plan_facts(plan, account, debtor) | {"instalments": proposal.count},
            actor_id,
        )
    return plan


def _plan_facts(plan: PaymentPlan, account: Account, debtor: Debtor) -> dict[str, object]:
    return {
        "account_id": account.pk,
        "debtor_id": debtor.pk,
        "total": str(plan.total),
        "currency": plan.currency,
        "frequency": plan.frequency,
        "instalment": str(plan.instalment_amount),
        "first_due_on": plan.first_due_on.isoformat(),
    }


def _plan_lock(plan_id: int) -> PaymentPlan:
    """The plan, locked after its account (the order the payments ledger locks in)."""
    account_id = PaymentPlan.objects.filter(pk=plan_id).values_list("account_id", flat=True).first()
    if account_id is not None:
        Account.objects.select_for_update().filter(pk=account_id).values_list("pk").first()
    plan = PaymentPlan.objects.select_for_update().filter(pk=plan_id).first()
    if plan is None:
        raise NotFoundError(f"payment plan {plan_id} not found")
    return plan


def plan_accept(*, plan_id: int, actor_id: int | None = None) -> PaymentPlan:
    """The debtor agreed: the proposed plan is in force (one per account at a time)."""
    with transaction.atomic():
        plan = _plan_lock(plan_id)
        if plan.status != PaymentPlan.Status.PROPOSED:
            raise ValidationError(
                f"this plan is {plan.status}: only a proposed plan is accepted",
                code="plan_not_proposed",
            )
        # A proposal whose first date has gone by is proposed again, with a date the debtor can meet.
        not_past(plan.first_due_on, "first_due_on", clock.now())
        if PaymentPlan.objects.filter(
            account_id=plan.account_id, status=PaymentPlan.Status.ACTIVE
        ).exists():
            raise ValidationError(
                "this account already has a plan in force: it ends before another is accepted",
                code="plan_already_active",
            )
        now = clock.now()
        plan.status = PaymentPlan.Status.ACTIVE
        plan.accepted_by_id = actor_id
        plan.accepted_at = now
        plan.status_changed_at = now
        try:
            with transaction.atomic():
                plan.save(
                    update_fields=["status", "accepted_by", "accepted_at", "status_changed_at"]
                )
        except IntegrityError:  # another acceptance on this account won the race
            raise ValidationError(
                "this account already has a plan in force", code="plan_already_active"
            ) from None
        # Proposals the debtor did not take are closed with it: one answer per conversation.
        others = PaymentPlan.objects.filter(
            account_id=plan.account_id, status=PaymentPlan.Status.PROPOSED
        ).exclude(pk=plan.pk)
        closed = list(others.values_list("pk", flat=True))
        others.update(status=PaymentPlan.Status.CANCELLED, status_changed_at=now)
        audit(
            "plan_accepted",
            plan,
            {
                "account_id": plan.account_id,
                "debtor_id": plan.debtor_id,
                "closed_proposals": closed,
            },
            actor_id,
        )
        account_status_sync(account_id=plan.account_id, actor_id=actor_id)
    return plan


# The plans whose status the payments decide: in force, or ended by them (a return reopens a
# completed plan; a payment posted late but dated in time mends a broken one).
EVALUATED_PLAN_STATUSES = (
    PaymentPlan.Status.ACTIVE,
    PaymentPlan.Status.COMPLETED,
    PaymentPlan.Status.BROKEN,
)


def plan_evaluate(
    *,
    plan_id: int,
    payments: Iterable[Payment],
    today: date,
    grace_days: int = DEFAULT_GRACE_DAYS,
    actor_id: int | None = None,
) -> PaymentPlan:
    """A plan's instalments and status from the payments that count for it (``domain.status``:
    payments fill the instalments in order); changes audited, the account's status follows.

    A completed or broken plan is judged again too, so a return reopens a completed plan and a
    payment dated in time but posted late mends a broken one, unless another plan is in force by
    then (the broken one stays broken). A proposed or cancelled plan is left alone.
    """
    with transaction.atomic():
        plan = _plan_lock(plan_id)
        if plan.status not in EVALUATED_PLAN_STATUSES:
            return plan
        rows = list(plan.instalments.order_by("number"))
        statuses = instalment_statuses(
            [Instalment(row.number, row.due_on, row.amount) for row in rows],
            list(payments),
            today=today,
            grace_days=grace_days,
        )
        changed = [row for row, status in zip(rows, statuses, strict=True) if row.status != status]
        for row, status in zip(rows, statuses, strict=True):
            row.status = status.value
        PlanInstalment.objects.bulk_update(changed, ["status"])
        before = plan.status
        outcome = plan_outcome(statuses).value
        if (
            outcome == PaymentPlan.Status.ACTIVE
            and before != PaymentPlan.Status.ACTIVE
            and PaymentPlan.objects.filter(
                account_id=plan.account_id, status=PaymentPlan.Status.ACTIVE
            ).exists()
        ):
            outcome = before  # another plan is in force: this one stays as it ended
        if outcome != before:
            plan.status = outcome
            plan.status_changed_at = clock.now()
            plan.save(update_fields=["status", "status_changed_at"])
        if changed or outcome != before:
            audit(
                "plan_evaluated",
                plan,
                {
                    "from": before,
                    "status": plan.status,
                    "instalments": {row.number: row.status for row in changed},
                    "today": today.isoformat(),
                    "grace_days": grace_days,
                },
                actor_id,
            )
        if outcome != before:
            account_status_sync(account_id=plan.account_id, actor_id=actor_id)
    return plan

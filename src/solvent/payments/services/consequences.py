"""What a payment changes beyond the balances: promises and plans, settlements, work items, paths.

The ledger calls ``payment_consequences`` inside the transaction that posted, cleared, returned or
reversed a payment; the daily evaluation (``evaluation``) calls it for every account with something
due. It judges the account's promises and plans again from its counted payments (pending and
cleared) and today's date, so whatever happened to the money the statuses are what the ledger says:

- every promise but a cancelled one: the payments made on or after the day it was made count
  (pending, kept, partly kept, broken: ``arrangements.domain.status``). A returned payment reopens
  a kept promise: pending again before its deadline (due date + grace), broken after it;
- every plan in force, completed or broken: the payments made on or after the day it was accepted
  fill its instalments in order; a return reopens a completed plan, a payment dated in time but
  posted late mends a broken one (unless another plan is in force by then);
- the grace days are the client's ``ClientTerms.promise_grace_days`` (3 without terms);
- the account's status follows (plan, promise, active; paid and settled are the ledger's);
- a promise that is newly broken, or an instalment newly missed or short, puts a ``broken_promise``
  item in the team's work queue at once (keys ``promise:<id>``, ``instalment:<id>``: added once,
  the same key the work-queue refresh derives for a broken promise);
- the strategy path reads these records each morning (``active_promise``, ``active_plan``,
  ``broken_promises``): a kept promise or completed plan ends the pause (a paid account leaves the
  strategy), a broken one lets the path's broken-promise rules fire and the plan ranks it higher.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction

from solvent.arrangements.domain.status import payments_since
from solvent.arrangements.models import PaymentPlan, PlanInstalment, Promise
from solvent.arrangements.services.account_status import account_status_sync
from solvent.arrangements.services.plans import EVALUATED_PLAN_STATUSES, plan_evaluate
from solvent.arrangements.services.promises import promise_evaluate
from solvent.core import clock
from solvent.payments.models import Settlement
from solvent.payments.selectors import account_payments
from solvent.payments.selectors_settlements import client_terms_get
from solvent.payments.services.settlements import settlement_after_payment
from solvent.portfolio.models import Account
from solvent.strategy.services.work_queues import work_items_add
from solvent.strategy.work_rules import WorkItemRequest, WorkKind, promise_source_key

_SHORT = (PlanInstalment.Status.MISSED, PlanInstalment.Status.PARTLY_PAID)


@dataclass
class Consequences:
    """What one evaluation of an account changed."""

    account_id: int
    # promise id -> (status before, status after), only the changed ones
    promises: dict[int, tuple[str, str]] = field(default_factory=dict)
    # plan id -> (status before, status after), only the changed ones
    plans: dict[int, tuple[str, str]] = field(default_factory=dict)
    # instalments that became missed or partly paid
    instalments_missed: list[int] = field(default_factory=list)
    work_items: int = 0
    account_status: str = ""


def instalment_source_key(instalment_id: int) -> str:
    return f"instalment:{instalment_id}"


def grace_days_for(client_id: int) -> int:
    """The client's grace days after a due date (the terms' default without a terms row)."""
    return int(client_terms_get(client_id=client_id).promise_grace_days)


def payment_consequences(
    *, account_id: int, today: date, actor_id: int | None = None
) -> Consequences:
    """Judge the account's promises and plans again from its counted payments (see the module
    docstring), in the caller's transaction (or its own). Running it again changes nothing."""
    if not _anything_to_judge(account_id):
        return Consequences(account_id)  # nothing to write: no lock needed either
    with transaction.atomic():
        # The account first: the order the ledger locks in, so a payment and the daily run queue.
        account = Account.objects.select_for_update().get(pk=account_id)
        grace = grace_days_for(account.client_id)
        payments = account_payments(account_id=account_id)
        done = Consequences(account_id)
        promises = Promise.objects.filter(account_id=account_id).exclude(
            status=Promise.Status.CANCELLED
        )
        for promise in promises.order_by("pk"):
            after = promise_evaluate(
                promise_id=promise.pk,
                payments=payments_since(payments, promise.created_at.date()),
                today=today,
                grace_days=grace,
                actor_id=actor_id,
            )
            if after.status != promise.status:
                done.promises[promise.pk] = (promise.status, after.status)
        plans = PaymentPlan.objects.filter(
            account_id=account_id, status__in=EVALUATED_PLAN_STATUSES
        )
        for plan in plans.order_by("pk"):
            before = dict(plan.instalments.values_list("pk", "status"))
            made_on = (plan.accepted_at or plan.created_at).date()
            after_plan = plan_evaluate(
                plan_id=plan.pk,
                payments=payments_since(payments, made_on),
                today=today,
                grace_days=grace,
                actor_id=actor_id,
            )
            if after_plan.status != plan.status:
                done.plans[plan.pk] = (plan.status, after_plan.status)
            if plan.status == PaymentPlan.Status.BROKEN:
                continue  # its later instalments are no news: the break was queued
            done.instalments_missed += [
                pk
                for pk, status in after_plan.instalments.values_list("pk", "status")
                if status in _SHORT and before.get(pk) not in _SHORT
            ]
        # A settlement paid settles the account; one a return took below its amount reopens it.
        settlement_after_payment(account_id=account_id, today=today, actor_id=actor_id)
        done.account_status = account_status_sync(account_id=account_id, actor_id=actor_id)
        if done.account_status == Account.Status.ACTIVE:
            done.work_items = _work_items_add(done)
    return done


def _anything_to_judge(account_id: int) -> bool:
    """Most payments land on an active or paid account with no promise, plan or settlement: then
    nothing here can change (its status is the ledger's), and one plain query says so (it runs once
    per payment posted: the ORM's query building was most of its cost)."""
    plans = tuple(str(status) for status in EVALUATED_PLAN_STATUSES)
    marks = ", ".join(["%s"] * len(plans))
    query = (
        f"SELECT 1 FROM {Account._meta.db_table} WHERE id = %s AND status NOT IN (%s, %s)"  # noqa: S608
        f" UNION ALL SELECT 1 FROM {Promise._meta.db_table} WHERE account_id = %s AND status <> %s"
        f" UNION ALL SELECT 1 FROM {PaymentPlan._meta.db_table}"
        f" WHERE account_id = %s AND status IN ({marks})"
        f" UNION ALL SELECT 1 FROM {Settlement._meta.db_table}"
        " WHERE account_id = %s AND status IN (%s, %s) LIMIT 1"
    )
    parameters: list[int | str] = [
        account_id,
        str(Account.Status.ACTIVE),
        str(Account.Status.PAID),
        account_id,
        str(Promise.Status.CANCELLED),
        account_id,
        *plans,
        account_id,
        str(Settlement.Status.ACCEPTED),
        str(Settlement.Status.PAID),
    ]
    with connection.cursor() as cursor:
        cursor.execute(query, parameters)
        return cursor.fetchone() is not None


def _work_items_add(done: Consequences) -> int:
    """A ``broken_promise`` item for each promise newly broken and instalment newly short."""
    now = clock.now()
    broken = [pk for pk, (_before, after) in done.promises.items() if after == "broken"]
    requests = [
        WorkItemRequest(
            account_id=promise.account_id,
            kind=WorkKind.BROKEN_PROMISE,
            source_key=promise_source_key(promise.pk),
            due_at=now,
            reason=f"promised {promise.amount} {promise.currency} by {promise.due_on:%d %b %Y}: "
            "not paid",
        )
        for promise in Promise.objects.filter(pk__in=broken).order_by("pk")
    ]
    requests += [
        WorkItemRequest(
            account_id=done.account_id,
            kind=WorkKind.BROKEN_PROMISE,
            source_key=instalment_source_key(instalment.pk),
            due_at=now,
            reason=f"plan instalment {instalment.number} of {instalment.amount} "
            f"{instalment.plan.currency} due {instalment.due_on:%d %b %Y}: "
            f"{instalment.get_status_display().lower()}",
        )
        for instalment in PlanInstalment.objects.filter(pk__in=done.instalments_missed)
        .select_related("plan")
        .order_by("pk")
    ]
    return work_items_add(items=requests) if requests else 0

"""The demo's working floor (issue 11): so every screen has something true to show.

- debtors who owe two clients (Lakeside Auto Finance's file names some of Harbor Bank's people,
  matched by the real import);
- promises and payment plans, kept, broken and pending, made through the arrangements services at
  the moment they were agreed (the clock is moved back for each, as the services read it);
- callbacks due today and tomorrow, a few holds (dispute, attorney, a hardship pause with a
  vulnerability flag), and messages waiting in the outbox (each passes the gate when it is sent).

Everything goes through the services, so it is audited and the compliance rules hold.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from unittest import mock

from django.contrib.auth.models import User

from solvent.arrangements.domain.statement import LineInput
from solvent.arrangements.services import (
    income_expenditure_record,
    plan_accept,
    plan_propose,
    promise_create,
    vulnerability_flag_record,
)
from solvent.audit.services import audit_system
from solvent.compliance.services import hold_place
from solvent.contact.services import MessageRequest, message_enqueue_many
from solvent.core import clock
from solvent.core.domain.errors import DomainError
from solvent.desk.models import Callback
from solvent.payments.services.evaluation import arrangements_evaluate_day
from solvent.payments.services.ledger import payment_post
from solvent.portfolio.domain.placement_columns import COLUMN_NAMES
from solvent.portfolio.generate import placement_rows
from solvent.portfolio.models import Account, AccountDebtor, Client, Debtor, Placement

SHARED_CLIENT = ("lakeside-auto", "Lakeside Auto Finance", "US", "USD")


@contextmanager
def _at(moment: datetime) -> Iterator[None]:
    """The services read ``clock.now()``: for the demo's past, the clock says when it happened."""
    with mock.patch.object(clock, "now", return_value=moment):
        yield


def _paid(account: Account, debtor_id: int, amount: Decimal, day: date, key: str) -> None:
    """A card payment on ``day`` through the ledger (allocated, promises and plans judged)."""
    with _at(datetime.combine(day, time(17, 0), tzinfo=UTC)):
        payment_post(
            account_id=account.pk,
            amount=amount,
            paid_on=day,
            method="card",
            source="agent",
            reference=f"DEMO-{key}",
            idempotency_key=f"demo:{key}",
            debtor_id=debtor_id,
        )


def demo_shared_client_load(
    *, harbor_rows: int, harbor_seed: int, work_dir: Path, as_of: date, every: int = 12
) -> Placement:
    """A second US creditor whose file names every ``every``-th Harbor Bank debtor again."""
    from solvent.portfolio.imports.services import placement_import

    code, name, country, currency = SHARED_CLIENT
    client, _ = Client.objects.get_or_create(
        code=code, defaults={"name": name, "country": country, "currency": currency}
    )
    rng = random.Random(harbor_seed + 1)  # noqa: S311 - reproducible demo data
    path = work_dir / f"{code}-placement.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMN_NAMES)
        writer.writeheader()
        source = placement_rows(
            rows=harbor_rows, seed=harbor_seed, client_country="US", as_of=as_of, account_prefix="X"
        )
        for index, row in enumerate(source):
            if index % every or not row["national_id"] or row["country"] != "US":
                continue
            principal = Decimal(rng.randrange(2_000, 18_000)).quantize(Decimal("0.01"))
            # An auto lender places early: 1-200 days past due, so every stage of the strategy
            # (early, middle, late) has accounts in the demo.
            delinquent = as_of - timedelta(days=rng.randrange(1, 200))
            row.update(
                delinquency_date=delinquent.isoformat(),
                charge_off_date="",
                last_payment_date=(delinquent - timedelta(days=30)).isoformat(),
                account_number=f"LAK{index + 1:08d}",
                original_creditor=name,
                product="auto_loan",
                currency=currency,
                principal=str(principal),
                interest=str((principal * Decimal("0.08")).quantize(Decimal("0.01"))),
                fees="0.00",
                cosigner_first_name="",
                cosigner_last_name="",
                cosigner_date_of_birth="",
                cosigner_phone="",
            )
            writer.writerow(row)
    try:
        return placement_import(client=client, path=path, placed_on=as_of)
    finally:
        path.unlink(missing_ok=True)


@dataclass(frozen=True, slots=True)
class FloorCounts:
    promises: int
    plans: int
    callbacks: int
    holds: int
    messages: int


def _candidates(rng: random.Random, count: int) -> list[tuple[Account, int]]:
    """Active accounts with a primary debtor who has a valid phone, no hold, no flag."""
    links = (
        AccountDebtor.objects.filter(
            role=AccountDebtor.Role.PRIMARY,
            account__status=Account.Status.ACTIVE,
            debtor__phones__status="valid",
            debtor__holds__isnull=True,
            debtor__cease_communication=False,
            debtor__attorney_represented=False,
            debtor__in_bankruptcy=False,
            debtor__is_deceased=False,
        )
        .select_related("account")
        .order_by("id")
        .distinct()[: count * 6]
    )
    chosen = list(links)
    rng.shuffle(chosen)
    return [(link.account, link.debtor_id) for link in chosen[:count]]


@audit_system("solvent demo: promises, plans, callbacks, holds and messages")
def demo_floor_create(*, now: datetime, agents: list[User], seed: int = 5) -> FloorCounts:
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data
    picks = _candidates(rng, 48)
    promises = plans = callbacks = holds = messages = 0
    # Promises: 8 kept, 6 broken, 8 still due (taken over the last three weeks by named agents).
    for number, (account, debtor_id) in enumerate(picks[:22]):
        agent = agents[number % len(agents)]
        taken = now - timedelta(days=rng.randrange(3, 21), hours=rng.randrange(0, 6))
        due = taken.date() + timedelta(days=rng.randrange(2, 10))
        if number >= 14:
            # Taken this morning: today's promises on the wallboard.
            taken = now - timedelta(hours=rng.randrange(1, 5))
            due = now.date() + timedelta(days=rng.randrange(1, 14))
        amount = min(account.balance, Decimal(rng.randrange(25, 400)))
        if amount <= 0:
            continue
        try:
            with _at(taken):
                promise = promise_create(
                    account_id=account.pk,
                    debtor_id=debtor_id,
                    amount=amount,
                    due_on=due,
                    reminder_channel=rng.choice(("sms", "email", "none")),
                    actor_id=agent.pk,
                )
        except DomainError:
            continue
        promises += 1
        if number < 8:
            # Kept: the payment came on the day, through the ledger (which judges the promise).
            _paid(account, debtor_id, amount, min(due, now.date()), f"promise:{promise.pk}")
    # Payment plans from an income and expenditure statement: 4 on track, 2 broken.
    for number, (account, debtor_id) in enumerate(picks[22:28]):
        agent = agents[number % len(agents)]
        agreed = now - timedelta(days=45)
        wages = Decimal(rng.randrange(1_600, 3_200))
        lines = [
            LineInput("earnings.wages", wages),
            LineInput("home.rent", (wages * Decimal("0.35")).quantize(Decimal("1"))),
            LineInput("home.energy", Decimal(rng.randrange(90, 180))),
            LineInput("food.groceries", Decimal(rng.randrange(250, 450))),
            LineInput("travel.fuel", Decimal(rng.randrange(60, 160))),
            LineInput("communications.phone", Decimal(rng.randrange(40, 90))),
        ]
        try:
            with _at(agreed):
                statement = income_expenditure_record(
                    debtor_id=debtor_id, account_id=account.pk, lines=lines, actor_id=agent.pk
                )
                plan = plan_propose(
                    account_id=account.pk,
                    debtor_id=debtor_id,
                    income_expenditure_id=statement.pk,
                    frequency="monthly",
                    first_due_on=agreed.date() + timedelta(days=7),
                    # Six instalments or so: small enough to fit, long enough to be a plan.
                    instalment=max(Decimal("10.00"), (account.balance / 6).quantize(Decimal("1"))),
                    actor_id=agent.pk,
                )
                plan = plan_accept(plan_id=plan.pk, actor_id=agent.pk)
        except DomainError:
            continue
        plans += 1
        fallen_due = list(plan.instalments.filter(due_on__lte=now.date()).order_by("number"))
        # On track: every instalment due so far paid on its day; broken: only the first.
        kept = fallen_due if number < 4 else fallen_due[:1]
        for row in kept:
            _paid(account, debtor_id, row.amount, row.due_on, f"instalment:{row.pk}")
    # Callbacks the debtors asked for: some due this morning, some tomorrow.
    for number, (account, debtor_id) in enumerate(picks[28:36]):
        debtor = Debtor.objects.get(pk=debtor_id)
        phone = debtor.phones.filter(status="valid").first()
        if phone is None:
            continue
        zone = (phone.time_zones or ["America/New_York"])[0]
        due = now + timedelta(hours=rng.randrange(-3, 0) if number < 4 else rng.randrange(20, 28))
        Callback.objects.create(
            account=account,
            debtor=debtor,
            phone=phone.e164,
            due_at=due,
            time_zone=zone,
            agent=agents[number % len(agents)] if number % 2 else None,
            note="Asked to be called back after work",
            created_by=agents[number % len(agents)],
        )
        callbacks += 1
    # Holds: two disputes, an attorney, a hardship pause that comes with a vulnerability flag.
    for number, (account, debtor_id) in enumerate(picks[36:40]):
        agent = agents[number % len(agents)]
        if number < 2:
            hold_place(
                debtor_id=debtor_id,
                kind="dispute",
                source="inbound_call",
                account_ids=[account.pk],
                evidence="Says the balance includes a fee already refunded",
                actor_id=agent.pk,
            )
        elif number == 2:
            hold_place(
                debtor_id=debtor_id,
                kind="attorney",
                source="letter",
                evidence="Letter of representation from Hale & Ortiz LLP",
                actor_id=agent.pk,
            )
        else:
            vulnerability_flag_record(
                debtor_id=debtor_id,
                account_id=account.pk,
                kind="job_loss",
                treatment="pause",
                consent_given=True,
                note="Lost their job last month; agreed we note it to pause contact for 30 days",
                actor_id=agent.pk,
            )
        holds += 1
    # Reminders waiting in the outbox (the gate decides each when the worker sends it).
    requests = []
    for account, debtor_id in picks[40:48]:
        debtor = Debtor.objects.get(pk=debtor_id)
        email = debtor.emails.first()
        phone = debtor.phones.filter(status="valid", line_type="mobile").first()
        if email is not None:
            requests.append(
                MessageRequest(
                    debtor_id=debtor_id,
                    channel="email",
                    contact_point=email.address,
                    account_ids=(account.pk,),
                    template_code="payment_reminder",
                    cause="demo: reminder",
                )
            )
        elif phone is not None:
            requests.append(
                MessageRequest(
                    debtor_id=debtor_id,
                    channel="sms",
                    contact_point=phone.e164,
                    account_ids=(account.pk,),
                    template_code="payment_reminder",
                    cause="demo: reminder",
                )
            )
    if requests:
        messages = len(message_enqueue_many(requests=requests))
    # The day's evaluation: promises and instalments past their grace without payment are broken.
    with _at(now):
        arrangements_evaluate_day(today=now.date())
    return FloorCounts(promises, plans, callbacks, holds, messages)

"""The demo's money (issue 13): each client's terms, two months of payments through the ledger (some
ACH still pending, a few returned), settlements in every state, last month's remittance statements,
a debtor writing in the chat, and a text message whose link opens the debtor's page.

Everything goes through the services, at the moment it happened (the clock is moved back for each),
so the balances, promises, plans, audit trail and statements agree with each other.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.models import User

from solvent.compliance.models import Hold
from solvent.contact.services import MessageRequest, message_enqueue
from solvent.core import clock
from solvent.core.domain.errors import DomainError
from solvent.demo.analytics_behaviour import (
    AccountSignal,
    spontaneous_payment_probability,
    stage_of,
)
from solvent.demo.work import _at
from solvent.payments.models import ClientTerms, Payment, Settlement
from solvent.payments.services.ledger import payment_post, payment_return
from solvent.payments.services.remittance import remittance_issue
from solvent.payments.services.settlements import (
    settlement_accept,
    settlement_approve,
    settlement_offer,
)
from solvent.portal.chat import chat_message_from_debtor
from solvent.portfolio.models import Account, AccountDebtor, Client, Phone

# What each demo client agreed with the agency (commission, remittance, allocation, authority).
_TERMS: dict[str, dict[str, object]] = {
    "harbor-bank": {
        "commission_rate": Decimal("0.2500"),
        "remittance_mode": ClientTerms.RemittanceMode.NET,
        "allocation_order": ["fees", "interest", "principal"],
        "settlement_floors": {"early": "95", "middle": "85", "late": "70"},
    },
    "lakeside-auto": {
        "commission_rate": Decimal("0.1800"),
        "remittance_mode": ClientTerms.RemittanceMode.GROSS,
        "allocation_order": ["interest", "fees", "principal"],
        "settlement_floors": {"early": "100", "middle": "90", "late": "75"},
    },
    "maple-telecom": {
        "commission_rate": Decimal("0.3000"),
        "remittance_mode": ClientTerms.RemittanceMode.NET,
        "allocation_order": ["fees", "interest", "principal"],
        "settlement_floors": {"early": "90", "middle": "80", "late": "60"},
    },
    "thames-energy": {
        "commission_rate": Decimal("0.2200"),
        "remittance_mode": ClientTerms.RemittanceMode.NET,
        "allocation_order": ["principal", "interest", "fees"],
        "settlement_floors": {"early": "95", "middle": "85", "late": "65"},
    },
}

_METHODS = (
    Payment.Method.CARD,
    Payment.Method.CARD,
    Payment.Method.ACH,
    Payment.Method.BANK_TRANSFER,
    Payment.Method.CHECK,
)


@dataclass(frozen=True, slots=True)
class PaymentCounts:
    payments: int
    returned: int
    pending: int
    settlements: int
    statements: int
    chats: int


def _moment(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randrange(14, 22), rng.randrange(60)), tzinfo=UTC)


def demo_terms_create() -> int:
    """Each client's terms (idempotent: the demo's second start finds them)."""
    made = 0
    for client in Client.objects.all():
        terms = _TERMS.get(client.code, _TERMS["harbor-bank"])
        _, created = ClientTerms.objects.get_or_create(client=client, defaults=terms)
        made += created
    return made


def _active_accounts(rng: random.Random, count: int) -> list[tuple[Account, int]]:
    held = set(Hold.objects.filter(released_at__isnull=True).values_list("debtor_id", flat=True))
    links = list(
        AccountDebtor.objects.filter(account__status=Account.Status.ACTIVE)
        .select_related("account")
        .order_by("account_id")
    )
    rng.shuffle(links)
    picked = [(link.account, link.debtor_id) for link in links if link.debtor_id not in held]
    return picked[:count]


def _pay_weight(account: Account, today: date) -> float:
    """The chance a drawn account is one who pays: its no-promise payment hazard relative to the
    highest any account has (``demo.analytics_behaviour``)."""
    signal = AccountSignal(
        balance=account.balance,
        stage=stage_of(account.days_past_due(today)),
        product=account.product,
    )
    best = AccountSignal(balance=Decimal(1), stage="early", product="telecom")
    return spontaneous_payment_probability(signal) / spontaneous_payment_probability(best)


def _payments_create(*, now: datetime, rng: random.Random, admin: User) -> tuple[int, int, int]:
    """Payments over the last two months, as the processors' files and cards brought them."""
    payments = returned = pending = 0
    today = now.date()
    wanted = max(12, Account.objects.count() // 12)
    # Who pays follows the demo's behaviour (smaller balances, earlier stages, telecom and
    # utility debts more): the propensity model must see one world across the demo's history.
    accounts = [
        (account, debtor_id)
        for account, debtor_id in _active_accounts(rng, wanted * 4)
        if rng.random() < _pay_weight(account, today)
    ][:wanted]
    for number, (account, debtor_id) in enumerate(accounts):
        for _ in range(rng.choice((1, 1, 2, 3))):
            day = today - timedelta(days=rng.randrange(1, 62))
            share = Decimal(rng.choice((5, 8, 10, 15, 20))) / 100
            account.refresh_from_db()
            amount = (account.balance * share).quantize(Decimal("0.01"))
            if amount < Decimal("5.00"):
                continue
            method = rng.choice(_METHODS)
            # An ACH debit of the last five days has not cleared yet.
            status = (
                Payment.Status.PENDING
                if method == Payment.Method.ACH and (today - day).days <= 5
                else Payment.Status.CLEARED
            )
            try:
                with _at(_moment(day, rng)):
                    outcome = payment_post(
                        account_id=account.pk,
                        amount=amount,
                        paid_on=day,
                        method=method,
                        source=Payment.Source.FILE,
                        reference=f"DEMO-{account.pk}-{day:%Y%m%d}-{payments}",
                        status=status,
                        idempotency_key=f"demo:{account.pk}:{payments}",
                        debtor_id=debtor_id,
                    )
            except DomainError:
                continue
            payments += 1
            pending += status == Payment.Status.PENDING
            # A few bounced: the bank sent them back a few days later.
            if number % 17 == 5 and status == Payment.Status.CLEARED:
                back = min(today, day + timedelta(days=4))
                with _at(_moment(back, rng)):
                    payment_return(
                        payment_id=outcome.pk,
                        reason="R01 insufficient funds",
                        actor_id=admin.pk,
                    )
                returned += 1
    return payments, returned, pending


def _settlements_create(*, now: datetime, rng: random.Random, agent: User, boss: User) -> int:
    """One offered within authority, one waiting for approval, one accepted and paid."""
    made = 0
    late = [
        (account, debtor_id)
        for account, debtor_id in _active_accounts(rng, 400)
        if account.days_past_due(now.date()) >= 120 and account.balance >= Decimal("500")
    ]
    for number, (account, debtor_id) in enumerate(late[:3]):
        percent = (Decimal("0.90"), Decimal("0.55"), Decimal("0.80"))[number]
        amount = (account.balance * percent).quantize(Decimal("0.01"))
        offered = now - timedelta(days=(1, 0, 6)[number])
        try:
            with _at(offered):
                settlement = settlement_offer(
                    account_id=account.pk,
                    debtor_id=debtor_id,
                    amount=amount,
                    due_on=offered.date() + timedelta(days=14),
                    actor_id=agent.pk,
                )
            if number == 2:
                with _at(offered + timedelta(hours=1)):
                    if settlement.status == Settlement.Status.PENDING_APPROVAL:
                        settlement_approve(
                            settlement_id=settlement.pk, actor_id=boss.pk, note="demo approval"
                        )
                    settlement_accept(settlement_id=settlement.pk, debtor_id=debtor_id)
                paid_on = offered.date() + timedelta(days=3)
                with _at(_moment(paid_on, rng)):
                    payment_post(
                        account_id=account.pk,
                        amount=amount,
                        paid_on=paid_on,
                        method=Payment.Method.CARD,
                        source=Payment.Source.GATEWAY,
                        reference=f"DEMO-SETTLE-{account.pk}",
                        idempotency_key=f"demo:settle:{account.pk}",
                        debtor_id=debtor_id,
                        settlement_id=settlement.pk,
                    )
        except DomainError:
            continue
        made += 1
    return made


def _last_month(today: date) -> tuple[date, date]:
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def _statements_issue(*, now: datetime, admin: User) -> int:
    start, end = _last_month(now.date())
    issued = 0
    for client in Client.objects.order_by("code"):
        try:
            remittance_issue(
                client_id=client.pk, period_start=start, period_end=end, actor_id=admin.pk, now=now
            )
        except DomainError:
            continue
        issued += 1
    return issued


def _late_return(*, now: datetime, admin: User) -> int:
    """A payment of last month comes back this morning, after its statement was issued: this
    month's statement deducts it (the trust account gives the money back to the bank)."""
    start, end = _last_month(now.date())
    payment = (
        Payment.objects.filter(
            client__code="harbor-bank",
            status=Payment.Status.CLEARED,
            paid_on__gte=start,
            paid_on__lte=end,
            method=Payment.Method.ACH,
        )
        .order_by("-paid_on", "pk")
        .first()
    )
    if payment is None:
        return 0
    with _at(now - timedelta(hours=2)):
        payment_return(
            payment_id=payment.pk, reason="R10 customer advises not authorized", actor_id=admin.pk
        )
    return 1


def _chat_create(*, rng: random.Random) -> int:
    """A debtor waiting in the chat (the agent answers from the desk's Chats page)."""
    for account, debtor_id in _active_accounts(rng, 50):
        if account.client.country != "US":
            continue
        try:
            chat_message_from_debtor(
                debtor_id=debtor_id,
                account_id=account.pk,
                body="Hi, I got your text. Can I pay half now and the rest on the 15th?",
            )
        except DomainError:
            continue
        return 1
    return 0


def demo_payments_create(*, now: datetime, agents: list[User], seed: int = 13) -> PaymentCounts:
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data
    demo_terms_create()
    admin = User.objects.get(username="admin")
    boss = User.objects.get(username="supervisor")
    payments, returned, pending = _payments_create(now=now, rng=rng, admin=admin)
    settlements = _settlements_create(now=now, rng=rng, agent=agents[0], boss=boss)
    statements = _statements_issue(now=now, admin=admin)
    returned += _late_return(now=now, admin=admin)
    chats = _chat_create(rng=rng)
    return PaymentCounts(payments, returned, pending, settlements, statements, chats)


_LINK = re.compile(r"https?://\S+/my/l/[A-Za-z0-9_\-]+/")


@dataclass(frozen=True, slots=True)
class PortalInvite:
    url: str
    debtor_name: str
    check_hint: str
    message_id: int


def demo_portal_invite(*, actor_id: int | None = None) -> PortalInvite | None:
    """A text to one demo debtor with a fresh link to their page (a link opens once, so each start
    of the demo sends a new one); the console prints the link and the answer to the check."""
    phones = (
        Phone.objects.filter(
            debtor__account_debtors__account__status=Account.Status.ACTIVE,
            debtor__account_debtors__account__client__code="harbor-bank",
            debtor__cease_communication=False,
            kind=Phone.Kind.MOBILE,
            status="valid",
        )
        .exclude(debtor__national_id_last4="")
        .select_related("debtor")
        .order_by("debtor_id")
    )
    held = set(Hold.objects.filter(released_at__isnull=True).values_list("debtor_id", flat=True))
    phone = next((p for p in phones[:200] if p.debtor_id not in held), None)
    if phone is None:
        return None
    account = (
        Account.objects.filter(account_debtors__debtor=phone.debtor, client__code="harbor-bank")
        .order_by("pk")
        .first()
    )
    if account is None:
        return None
    message = message_enqueue(
        request=MessageRequest(
            debtor_id=phone.debtor_id,
            channel="sms",
            contact_point=phone.e164,
            account_ids=(account.pk,),
            template_code="payment_reminder",
            cause=f"demo:portal-invite:{clock.now():%Y%m%d%H%M%S}",
        ),
        actor_id=actor_id,
    )
    found = _LINK.search(message.body)
    if found is None:
        return None
    return PortalInvite(
        url=found.group(0),
        debtor_name=phone.debtor.full_name,
        check_hint=f"last four digits {phone.debtor.national_id_last4}",
        message_id=message.pk,
    )

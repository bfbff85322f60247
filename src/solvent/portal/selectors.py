"""Reads of the debtor's page: the link's state, and what the page shows one debtor.

The page shows only the debtor's own records: every read here takes the debtor id the verified
session names (portal.session), never an id from the request alone. An account the debtor does not
owe is "not found", the same answer as an account that does not exist.

The itemization and the validation information are the validation notice's own (the notice the
outbox queued for the account, read back and laid out by contact.domain.validation_notice), so the
page says exactly what the letter said; before any notice was sent, the same layout is filled from
the account's components as the notice would be.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from django.conf import settings

from solvent.arrangements.domain.vulnerability import AdviceProvider, advice_providers
from solvent.arrangements.models import PaymentPlan, Promise
from solvent.compliance.models import Hold
from solvent.contact.domain.validation_notice import (
    NoticeFacts,
    NoticeSection,
    validation_notice_sections,
)
from solvent.contact.letter_batches import itemization_amounts, itemization_date
from solvent.contact.letters import VALIDATION_NOTICE, notice_facts_from_json
from solvent.contact.models import OutboxMessage
from solvent.core import clock
from solvent.core.crypto import decrypt
from solvent.core.domain.errors import NotFoundError
from solvent.payments.models import Settlement
from solvent.portal.domain.check import LinkState, link_state
from solvent.portal.domain.texts import currency_symbol, money
from solvent.portal.links import portal_link_find
from solvent.portal.models import PortalDocument, PortalLink
from solvent.portfolio.models import Account, Debtor

# Accounts no longer collected are not shown (recalled by the client, closed).
_HIDDEN_STATUSES = (Account.Status.RECALLED, Account.Status.CLOSED)
_LIVE_SETTLEMENTS = (Settlement.Status.OFFERED, Settlement.Status.ACCEPTED)
_OPEN_PLANS = (PaymentPlan.Status.PROPOSED, PaymentPlan.Status.ACTIVE)


def portal_link_status(*, token: str) -> tuple[PortalLink | None, LinkState | None]:
    link = portal_link_find(token)
    if link is None:
        return None, None
    state = link_state(
        now=clock.now(),
        expires_at=link.expires_at,
        used_at=link.used_at,
        locked_until=link.locked_until,
    )
    return link, state


def portal_debtor(*, debtor_id: int) -> Debtor:
    debtor = Debtor.objects.filter(pk=debtor_id).first()
    if debtor is None:
        raise NotFoundError(f"debtor {debtor_id} not found")
    return debtor


def portal_account_list(*, debtor_id: int) -> list[Account]:
    return list(
        Account.objects.select_related("client")
        .filter(account_debtors__debtor_id=debtor_id)
        .exclude(status__in=_HIDDEN_STATUSES)
        .order_by("pk")
    )


def portal_account_get(*, debtor_id: int, account_id: int) -> Account:
    account = (
        Account.objects.select_related("client")
        .filter(pk=account_id, account_debtors__debtor_id=debtor_id)
        .exclude(status__in=_HIDDEN_STATUSES)
        .first()
    )
    if account is None:
        raise NotFoundError(f"account {account_id} not found")
    return account


@dataclass
class AccountView:
    account: Account
    balance: str
    masked: str
    creditor: str
    original_creditor: str
    # The validation notice's sections: "our information shows" (with the itemization rows),
    # how to dispute, what else; empty when no notice has been sent (the page says the rights).
    itemization: NoticeSection | None = None
    rights: tuple[NoticeSection, ...] = ()
    validation_end: date | None = None
    promises: list[Promise] = field(default_factory=list)
    plans: list[PaymentPlan] = field(default_factory=list)
    settlement: Settlement | None = None
    disputed: bool = False


def _notice_facts(account: Account, debtor: Debtor) -> tuple[NoticeFacts, bool]:
    """The facts of the latest validation notice queued for the account, or (not sent) the ones a
    notice would carry today."""
    notice = (
        OutboxMessage.objects.filter(
            cause=f"validation_notice:{account.pk}", layout=VALIDATION_NOTICE, debtor=debtor
        )
        .order_by("-pk")
        .first()
    )
    # The amounts as they stand today (as placed, less the ledger's payments since): they add up
    # to the balance shown, whether or not a notice went out (its date and period are kept).
    now = itemization_amounts(account)
    placed, interest, fees, paid = (
        Decimal(now[name])
        for name in ("amount_on_itemization_date", "interest_since", "fees_since", "payments_since")
    )
    if notice is not None:
        facts = notice_facts_from_json(notice.body)
        return replace(
            facts,
            amount_on_itemization_date=placed,
            interest_since=interest,
            fees_since=fees,
            payments_since=paid,
        ), True
    today = clock.today()
    return (
        NoticeFacts(
            collector_name=settings.SOLVENT_AGENCY_NAME,
            collector_address=(),
            collector_phone=settings.SOLVENT_AGENCY_PHONE,
            collector_hours=getattr(settings, "SOLVENT_AGENCY_HOURS", "Mon-Fri 8am-8pm"),
            consumer_name=debtor.full_name,
            consumer_address=(),
            reference=f"{account.client.code.upper()}-{account.pk}",
            creditor_on_itemization_date=account.original_creditor or account.client.name,
            current_creditor=account.client.name,
            account_number_masked="••••" + account.account_number[-4:],
            itemization_date=itemization_date(account),
            amount_on_itemization_date=placed,
            interest_since=interest,
            fees_since=fees,
            payments_since=paid,
            validation_end=today,
            notice_date=today,
            currency_symbol=currency_symbol(account.currency),
        ),
        False,
    )


def _account_view(account: Account, debtor: Debtor, language: str) -> AccountView:
    facts, sent = _notice_facts(account, debtor)
    sections = validation_notice_sections(facts, language)
    view = AccountView(
        account=account,
        balance=money(account.balance, account.currency),
        masked="••••" + account.account_number[-4:],
        creditor=account.client.name,
        original_creditor=account.original_creditor or account.client.name,
        itemization=sections[1],
        rights=sections[2:4] if sent else (),
        validation_end=facts.validation_end if sent else None,
    )
    view.promises = list(
        Promise.objects.filter(account=account, status=Promise.Status.PENDING).order_by("due_on")
    )
    view.plans = list(
        PaymentPlan.objects.filter(account=account, status__in=_OPEN_PLANS)
        .prefetch_related("instalments")
        .order_by("-pk")
    )
    view.settlement = (
        Settlement.objects.filter(
            account=account,
            debtor=debtor,
            status__in=_LIVE_SETTLEMENTS,
            expires_on__gte=clock.today(),
        )
        .order_by("-pk")
        .first()
    )
    view.disputed = Hold.objects.filter(
        debtor=debtor, kind=Hold.Kind.DISPUTE, accounts=account, released_at__isnull=True
    ).exists()
    return view


@dataclass
class PageView:
    debtor: Debtor
    accounts: list[AccountView]
    current: AccountView
    advice: tuple[AdviceProvider, ...]
    ceased: bool


def portal_page(*, debtor_id: int, account_id: int, language: str, strict: bool = True) -> PageView:
    """Everything the page shows: the debtor's accounts (the current one first), each with its
    itemization, rights and open arrangements, and where free debt advice is. An account that is
    not the debtor's (or no longer shown) is not found; with ``strict`` off (the session's own
    account, since closed or recalled) the page opens on their first account instead."""
    debtor = portal_debtor(debtor_id=debtor_id)
    accounts = portal_account_list(debtor_id=debtor_id)
    if not accounts:
        raise NotFoundError(f"debtor {debtor_id} has no account to show")
    if account_id not in {account.pk for account in accounts}:
        if strict:
            raise NotFoundError(f"account {account_id} not found")
        account_id = accounts[0].pk
    accounts.sort(key=lambda a: (a.pk != account_id, a.pk))
    views = [_account_view(account, debtor, language) for account in accounts]
    address = debtor.addresses.filter(is_current=True).order_by("pk").first()
    country = address.country if address is not None else "US"
    ceased = Hold.objects.filter(
        debtor=debtor, kind=Hold.Kind.CEASE, released_at__isnull=True
    ).exists()
    return PageView(debtor, views, views[0], advice_providers(country), ceased)


def portal_plan_get(*, debtor_id: int, plan_id: int) -> PaymentPlan:
    plan = (
        PaymentPlan.objects.filter(pk=plan_id, debtor_id=debtor_id)
        .prefetch_related("instalments")
        .first()
    )
    if plan is None:
        raise NotFoundError(f"plan {plan_id} not found")
    return plan


def portal_settlement_get(*, debtor_id: int, settlement_id: int) -> Settlement:
    settlement = Settlement.objects.filter(pk=settlement_id, debtor_id=debtor_id).first()
    if settlement is None:
        raise NotFoundError(f"settlement {settlement_id} not found")
    return settlement


def portal_document_content(*, document: PortalDocument) -> bytes:
    """The file the debtor uploaded, decrypted (it is stored encrypted with the field key)."""
    with document.file.open("rb") as stored:
        sealed = stored.read().decode()
    return base64.b64decode(decrypt(sealed))

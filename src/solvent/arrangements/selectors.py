"""Arrangements' reads, tenant-scoped through ``portfolio.access.DebtorAccess``.

Promises, plans and statements belong to a debt (a client's); a vulnerability flag is the person's
(every client of the debtor sees its kind and treatment, ADR 0022), its note only where free text
may be shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from solvent.arrangements.domain.statement import CATEGORIES, LINES, Category, Side
from solvent.arrangements.domain.vulnerability import AdviceProvider, advice_provider
from solvent.arrangements.models import (
    IncomeExpenditure,
    PaymentPlan,
    PlanInstalment,
    Promise,
    ReminderChannel,
    VulnerabilityFlag,
)
from solvent.core.domain.errors import NotFoundError
from solvent.portfolio.access import DebtorAccess
from solvent.portfolio.models import Account

OPEN_PLAN_STATUSES = (PaymentPlan.Status.PROPOSED, PaymentPlan.Status.ACTIVE)


@dataclass(frozen=True, slots=True)
class FormChoices:
    """(value, label) pairs the desk's forms offer, from the records' own choices."""

    reminder_channels: list[tuple[str, str]]
    kinds: list[tuple[str, str]]
    treatments: list[tuple[str, str]]


def arrangement_choices() -> FormChoices:
    return FormChoices(
        reminder_channels=list(ReminderChannel.choices),
        kinds=list(VulnerabilityFlag.Kind.choices),
        treatments=list(VulnerabilityFlag.Treatment.choices),
    )


def promise_list(*, access: DebtorAccess, account_id: int | None = None) -> QuerySet[Promise]:
    """The debtor's promises on the accounts the user sees (one account when named), newest first."""
    accounts = access.account_ids if account_id is None else access.account_ids & {account_id}
    return (
        Promise.objects.filter(debtor_id=access.debtor.pk, account_id__in=accounts)
        .select_related("created_by")
        .order_by("-created_at", "-pk")
    )


def plan_list(*, access: DebtorAccess, account_id: int | None = None) -> QuerySet[PaymentPlan]:
    accounts = access.account_ids if account_id is None else access.account_ids & {account_id}
    return (
        PaymentPlan.objects.filter(debtor_id=access.debtor.pk, account_id__in=accounts)
        .prefetch_related(
            Prefetch("instalments", queryset=PlanInstalment.objects.order_by("number"))
        )
        .order_by("-created_at", "-pk")
    )


def account_promise_list(*, account: Account) -> QuerySet[Promise]:
    """Every promise on an account the caller loaded through ``access_account_by_id``."""
    return (
        Promise.objects.filter(account_id=account.pk)
        .select_related("debtor", "created_by")
        .order_by("-created_at", "-pk")
    )


def account_plan_list(*, account: Account) -> QuerySet[PaymentPlan]:
    """Every plan on an account the caller loaded through ``access_account_by_id``."""
    return (
        PaymentPlan.objects.filter(account_id=account.pk)
        .select_related("debtor")
        .prefetch_related(
            Prefetch("instalments", queryset=PlanInstalment.objects.order_by("number"))
        )
        .order_by("-created_at", "-pk")
    )


def promise_get(*, account_id: int, promise_id: int) -> Promise:
    """A promise on this (already accessed) account, or NotFoundError."""
    promise = Promise.objects.filter(pk=promise_id, account_id=account_id).first()
    if promise is None:
        raise NotFoundError(f"promise {promise_id} not found")
    return promise


def plan_get(*, account_id: int, plan_id: int) -> PaymentPlan:
    plan = PaymentPlan.objects.filter(pk=plan_id, account_id=account_id).first()
    if plan is None:
        raise NotFoundError(f"payment plan {plan_id} not found")
    return plan


def vulnerability_flag_get(*, debtor_ids: Iterable[int], flag_id: int) -> VulnerabilityFlag:
    """A flag of one of these (already accessed) debtors, or NotFoundError."""
    flag = VulnerabilityFlag.objects.filter(pk=flag_id, debtor_id__in=list(debtor_ids)).first()
    if flag is None:
        raise NotFoundError(f"vulnerability flag {flag_id} not found")
    return flag


@dataclass(frozen=True, slots=True)
class StatementView:
    """A recorded statement as the desk shows it: per SFS group, with its lines."""

    row: IncomeExpenditure
    groups: tuple[tuple[Category, Decimal, tuple[tuple[str, Decimal, str, Decimal], ...]], ...]

    @property
    def income_groups(
        self,
    ) -> list[tuple[Category, Decimal, tuple[tuple[str, Decimal, str, Decimal], ...]]]:
        return [group for group in self.groups if group[0].side is Side.INCOME]

    @property
    def expenditure_groups(
        self,
    ) -> list[tuple[Category, Decimal, tuple[tuple[str, Decimal, str, Decimal], ...]]]:
        return [group for group in self.groups if group[0].side is Side.EXPENDITURE]


def income_expenditure_latest(*, access: DebtorAccess) -> StatementView | None:
    """The newest statement the user may see: taken for one of their accounts, or any when they
    see every account of the debtor (a statement is private: never across clients)."""
    rows = IncomeExpenditure.objects.filter(debtor_id=access.debtor.pk)
    if not access.whole:
        rows = rows.filter(account_id__in=access.account_ids)
    row = rows.order_by("-recorded_at", "-pk").first()
    if row is None:
        return None
    lines: dict[str, list[tuple[str, Decimal, str, Decimal]]] = {}
    for line in row.lines:
        kind = LINES.get(line["code"])
        if kind is None:  # a line retired from the SFS since: shown under its code
            continue
        lines.setdefault(kind.category.code, []).append(
            (kind.label, Decimal(line["amount"]), line["frequency"], Decimal(line["monthly"]))
        )
    groups = tuple(
        (
            category,
            sum((entry[3] for entry in lines.get(category.code, [])), Decimal(0)),
            tuple(lines.get(category.code, [])),
        )
        for category in CATEGORIES
    )
    return StatementView(row=row, groups=groups)


@dataclass(frozen=True, slots=True)
class FlagRow:
    pk: int
    account_id: int | None  # the debt it was told about
    kind: str
    treatment: str
    treatment_code: str
    recorded_at: datetime
    note: str  # blank across clients (ADR 0022)
    referral: AdviceProvider | None
    paused: bool


def vulnerability_flag_list(*, access: DebtorAccess) -> list[FlagRow]:
    """The debtor's flags in force, newest first."""
    flags = VulnerabilityFlag.objects.filter(debtor_id=access.debtor.pk, active=True).order_by(
        "-recorded_at", "-pk"
    )
    return [
        FlagRow(
            pk=flag.pk,
            account_id=flag.account_id,
            kind=flag.get_kind_display(),
            treatment=flag.get_treatment_display(),
            treatment_code=flag.treatment,
            recorded_at=flag.recorded_at,
            note=flag.note
            if access.scope.shows_text(flag.debtor_id, [flag.account_id] if flag.account_id else [])
            else "",
            referral=advice_provider(flag.referral_to) if flag.referral_to else None,
            paused=flag.hold_id is not None,
        )
        for flag in flags
    ]


@dataclass(frozen=True, slots=True)
class OpenArrangements:
    promises: list[Promise]
    plans: list[PaymentPlan]


def open_arrangements(account_ids: Iterable[int]) -> OpenArrangements:
    """Pending promises and proposed or active plans on these accounts (the wallboard, the demo).

    The caller has already scoped ``account_ids`` to what its user sees.
    """
    ids = list(set(account_ids))
    return OpenArrangements(
        promises=list(
            Promise.objects.filter(account_id__in=ids, status=Promise.Status.PENDING).order_by(
                "due_on", "pk"
            )
        ),
        plans=list(
            PaymentPlan.objects.filter(account_id__in=ids, status__in=OPEN_PLAN_STATUSES).order_by(
                "first_due_on", "pk"
            )
        ),
    )

"""The reports people open, export and download: who may, for which client, and each report's
tables and chart, declared once for the desk pages, the CSV and XLSX exports and the read API.

Who: supervisors, strategy managers, compliance officers and admins read the reports of the clients
they see; a client viewer those of their own client; agents none (docs/adr/0039). The client a
request names is looked up among the user's first (404 alike for a missing one and another's), then
the role (403). The figures come from ``analytics.selectors``, which scope every computation to the
clients the user sees: a page never filters what a selector returned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from solvent.analytics import selectors
from solvent.analytics.domain import report_tables as tables
from solvent.analytics.domain.report_periods import MonthPeriod
from solvent.analytics.domain.report_tables import Table
from solvent.analytics.domain.reports import GROUPINGS, KpiTable
from solvent.core.domain.errors import NotFoundError, PermissionDeniedError, ValidationError
from solvent.core.models import Role
from solvent.core.selectors import staff_role_get
from solvent.portfolio.access import access_client_queryset
from solvent.portfolio.models import Client

REPORT_ROLES = frozenset(
    {
        Role.SUPERVISOR,
        Role.STRATEGY_MANAGER,
        Role.COMPLIANCE_OFFICER,
        Role.ADMIN,
        Role.CLIENT_VIEWER,
    }
)


def report_client_get(*, user: User | AnonymousUser, client_code: str) -> Client | None:
    """The client a request names, if the user sees it (None when none is named); else
    NotFoundError, alike for a missing client and another's."""
    code = client_code.strip()
    if not code:
        return None
    client = access_client_queryset(user=user).filter(code=code).first()
    if client is None:
        raise NotFoundError("no such client among yours", code="client_not_found")
    return client


def report_role_require(*, user: User | AnonymousUser) -> None:
    if staff_role_get(user=user) not in REPORT_ROLES:
        raise PermissionDeniedError("your role does not read the reports")


def report_client_list(*, user: User | AnonymousUser) -> QuerySet[Client]:
    return access_client_queryset(user=user).order_by("name")


def report_access(*, user: User | AnonymousUser, client_code: str) -> Client | None:
    """The named client (404 first), then the role (403): every report surface starts here."""
    client = report_client_get(user=user, client_code=client_code)
    report_role_require(user=user)
    return client


@dataclass(frozen=True, slots=True)
class Report:
    slug: str
    title: str
    tables: tuple[Table, ...]
    chart: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Request:
    """What a report is asked for: by whom, which months, which client ("" for all theirs)."""

    user: Any
    period: MonthPeriod
    today: date
    client_code: str = ""
    group_by: str = ""


@dataclass(frozen=True, slots=True)
class ReportKind:
    slug: str
    title: str
    summary: str
    # How many months the page shows when none are asked for.
    default_months: int
    build: Callable[[Request], Report]


def _liquidation(request: Request) -> Report:
    curves = selectors.liquidation_curves(
        user=request.user,
        cohorts_from=request.period.start,
        as_of=request.period.as_of(request.today),
        client_code=request.client_code,
    )
    return Report(
        "liquidation",
        "Liquidation curves",
        (tables.liquidation_table(curves),),
        tables.liquidation_chart(curves),
    )


def _roll_rates(request: Request) -> Report:
    matrices = selectors.roll_rate_matrices(
        user=request.user,
        months_from=request.period.start,
        as_of=request.period.as_of(request.today),
        client_code=request.client_code,
    )
    return Report(
        "roll-rates",
        "Roll rates",
        tuple(tables.roll_tables(matrices)),
        tables.roll_chart(matrices),
    )


def _funnel(request: Request) -> Report:
    funnel = selectors.promise_funnel(
        user=request.user,
        period_start=request.period.start,
        period_end=request.period.end,
        client_code=request.client_code,
    )
    return Report(
        "funnel", "Promise funnel", (tables.funnel_table(funnel),), tables.funnel_chart(funnel)
    )


def _agents(request: Request) -> Report:
    rows = selectors.agent_productivity(
        user=request.user,
        period_start=request.period.start,
        period_end=request.period.end,
        client_code=request.client_code,
    )
    return Report(
        "agents", "Agent productivity", (tables.agent_table(rows),), tables.agent_chart(rows)
    )


def _blocks(request: Request) -> Report:
    rows = selectors.compliance_blocks(
        user=request.user,
        period_start=request.period.start,
        period_end=request.period.end,
        client_code=request.client_code,
    )
    return Report(
        "compliance-blocks",
        "Compliance blocks by rule",
        (tables.blocks_table(rows),),
        tables.blocks_chart(rows),
    )


def _channels(request: Request) -> Report:
    rows = selectors.channel_effectiveness(
        user=request.user,
        period_start=request.period.start,
        period_end=request.period.end,
        client_code=request.client_code,
    )
    return Report(
        "channels",
        "Channel effectiveness",
        (tables.channel_table(rows),),
        tables.channel_chart(rows),
    )


def kpi_get(request: Request) -> KpiTable:
    if request.group_by not in GROUPINGS:
        raise ValidationError(
            f"group: {request.group_by!r} is not one of {', '.join(g for g in GROUPINGS if g)}",
            code="bad_grouping",
        )
    return selectors.kpi_table(
        user=request.user,
        period_start=request.period.start,
        period_end=request.period.end,
        group_by=request.group_by,
        client_code=request.client_code,
    )


def _kpis(request: Request) -> Report:
    return Report(
        "kpis", "Key performance indicators", (tables.kpi_report_table(kpi_get(request)),)
    )


KPIS = ReportKind(
    "kpis",
    "Key performance indicators",
    "Contact, right-party, promise and kept rates and the rest, each with its figures.",
    2,
    _kpis,
)

REPORT_KINDS: dict[str, ReportKind] = {
    kind.slug: kind
    for kind in (
        KPIS,
        ReportKind(
            "liquidation",
            "Liquidation curves",
            "Collected / placed for each month's placements, by months since placement.",
            12,
            _liquidation,
        ),
        ReportKind(
            "roll-rates",
            "Roll rates",
            "Where each stage's accounts were at the end of each month.",
            6,
            _roll_rates,
        ),
        ReportKind(
            "funnel",
            "Promise funnel",
            "Attempts, right-party contacts, promises, promises kept.",
            2,
            _funnel,
        ),
        ReportKind(
            "agents",
            "Agent productivity",
            "Hours, contacts, promises and collections per agent.",
            2,
            _agents,
        ),
        ReportKind(
            "compliance-blocks",
            "Compliance blocks",
            "Contacts the compliance engine refused, by rule and citation.",
            2,
            _blocks,
        ),
        ReportKind(
            "channels",
            "Channel effectiveness",
            "Contact and right-party rates, promises and money by channel.",
            2,
            _channels,
        ),
    )
}


def report_kind_get(slug: str) -> ReportKind:
    kind = REPORT_KINDS.get(slug)
    if kind is None:
        raise NotFoundError(f"no report {slug!r}", code="report_not_found")
    return kind


def report_build(*, slug: str, request: Request) -> Report:
    """One report's tables and chart for the request (the user's scope is the selectors')."""
    return report_kind_get(slug).build(request)

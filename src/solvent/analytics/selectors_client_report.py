"""Reads the monthly client report is made of (analytics/client_report.py draws it).

The client first (404 alike for a missing one and another's), then the role (403): the report roles
of ``selectors_reports``, a client viewer for their own client. The figures are the KPI selectors'
(scoped to the user), the month's placement files the portfolio's and the money the payments'
tenant-scoped selectors.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Sum

from solvent.analytics import selectors
from solvent.analytics.domain.client_report import ClientMonthReport, PlacementLine
from solvent.analytics.domain.report_periods import month_first_day, month_shift
from solvent.analytics.selectors_reports import report_access
from solvent.core.domain.errors import ValidationError
from solvent.payments.models import Payment
from solvent.payments.selectors import payment_list
from solvent.portfolio.models import Placement
from solvent.portfolio.selectors import placement_list

# How many placement cohorts the report's liquidation curve shows: the month's and the 11 before.
COHORT_MONTHS = 12
CENT = Decimal("0.01")
_NOT_PLACED = (Placement.Status.FAILED, Placement.Status.SUPERSEDED)


def client_report_get(
    *,
    user: User | AnonymousUser,
    client_code: str,
    month: str,
    agency_name: str,
    today: date,
) -> ClientMonthReport:
    """One client's report for one month, as the user may see it."""
    client = report_access(user=user, client_code=client_code)
    if client is None:
        raise ValidationError("client: choose a client", code="client_required")
    start = month_first_day(month)
    end = month_shift(start, 1)
    as_of = min(today, date.fromordinal(end.toordinal() - 1))
    code = client.code
    kpis = selectors.kpi_table(user=user, period_start=start, period_end=end, client_code=code)
    curves = selectors.liquidation_curves(
        user=user,
        cohorts_from=month_shift(start, -(COHORT_MONTHS - 1)),
        as_of=as_of,
        client_code=code,
    )
    funnel = selectors.promise_funnel(
        user=user, period_start=start, period_end=end, client_code=code
    )
    blocks = selectors.compliance_blocks(
        user=user, period_start=start, period_end=end, client_code=code
    )
    placements = (
        placement_list(user=user)
        .filter(client_id=client.pk, kind=Placement.Kind.PLACEMENT)
        .filter(placed_on__gte=start, placed_on__lt=end)
        .exclude(status__in=_NOT_PLACED)
        .order_by("placed_on", "pk")
    )
    money = (
        payment_list(user=user)
        .filter(client_id=client.pk, status=Payment.Status.CLEARED)
        .filter(paid_on__gte=start, paid_on__lt=end)
        .order_by()
        .values("currency")
        .annotate(total=Sum("amount"), count=Count("pk"))
    )
    collected, payments, other = Decimal("0.00"), 0, 0
    for line in money:
        if line["currency"] == client.currency:
            # SQLite sums decimals as floats: back to cents.
            collected = Decimal(line["total"]).quantize(CENT)
            payments = int(line["count"])
        else:
            other += int(line["count"])
    # A cohort has a curve per currency: the client's is the one placed in its currency.
    cohort = next(
        (c for c in curves if c.cohort == f"{start:%Y-%m}" and c.currency == client.currency),
        None,
    )
    return ClientMonthReport(
        agency_name=agency_name,
        client_code=code,
        client_name=client.name,
        currency=client.currency,
        month=f"{start:%Y-%m}",
        period_start=start,
        period_end=end,
        generated_on=today,
        placements=tuple(
            PlacementLine(
                placed_on=placement.placed_on,
                source_name=placement.source_name,
                accounts=placement.accounts_created + placement.accounts_updated,
                status=placement.status,
            )
            for placement in placements
        ),
        placed_accounts=cohort.accounts if cohort else 0,
        placed_amount=cohort.placed if cohort else Decimal("0.00"),
        collected=collected,
        payments=payments,
        other_currency_payments=other,
        curves=tuple(curves),
        funnel=funnel,
        kpis=kpis,
        blocks=tuple(blocks),
    )

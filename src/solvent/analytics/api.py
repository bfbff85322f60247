"""The read API of the KPIs and reports (/api/analytics/...), the same figures as the desk's pages
and exports. Thin: the client through ``selectors_reports.report_access`` (404 for one the caller
does not see, then 403 for a role that does not read reports), then the selectors, which compute
over the caller's clients only. Months are "YYYY-MM" (``from``, ``to``: both included).
"""

# No ``from __future__ import annotations``: ninja reads the parameters' annotations at import.
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.params.functions import Query

from solvent.analytics.client_report import client_report_filename, client_report_pdf
from solvent.analytics.domain.report_periods import month_or_default
from solvent.analytics.domain.report_tables import Cell, Table
from solvent.analytics.domain.reports import KpiRow, KpiTable, Ratio
from solvent.analytics.schemas import KpiTableOut, ReportOut
from solvent.analytics.selectors_client_report import client_report_get
from solvent.analytics.selectors_reports import (
    KPIS,
    ReportKind,
    Request,
    kpi_get,
    report_access,
    report_build,
    report_kind_get,
)
from solvent.core import clock

router = Router(tags=["analytics"])

_FROM = Query("", alias="from", description="the first month, YYYY-MM (default: the report's)")
_TO = Query("", alias="to", description="the last month, YYYY-MM, included")
_CLIENT = Query("", description="a client's code; empty: all the caller's clients")


def _asked(
    request: HttpRequest, kind: ReportKind, first: str, last: str, client: str, group: str = ""
) -> Request:
    found = report_access(user=request.user, client_code=client)
    today = clock.today()
    period = month_or_default(first, last, today=today, months=kind.default_months)
    return Request(
        user=request.user,
        period=period,
        today=today,
        client_code=found.code if found else "",
        group_by=group.strip(),
    )


def _ratio(ratio: Ratio) -> dict[str, Any]:
    return {"numerator": ratio.numerator, "denominator": ratio.denominator, "value": ratio.value}


def _row(row: KpiRow) -> dict[str, Any]:
    return {"group": row.group, "values": {key: _ratio(r) for key, r in row.values.items()}}


def _kpis(table: KpiTable) -> dict[str, Any]:
    return {
        "period_start": table.period_start,
        "period_end": table.period_end,
        "group_by": table.group_by,
        "metrics": [
            {
                "key": metric.key,
                "name": metric.name,
                "numerator": metric.numerator,
                "denominator": metric.denominator,
                "unit": metric.unit,
                "note": metric.note,
            }
            for metric in table.metrics
        ],
        "rows": [_row(row) for row in table.rows],
        "total": _row(table.total),
    }


def _cell(cell: Cell) -> Any:
    return _ratio(cell) if isinstance(cell, Ratio) else cell


def _table(table: Table) -> dict[str, Any]:
    return {
        "key": table.key,
        "title": table.title,
        "columns": [
            {"key": c.key, "label": c.label, "kind": c.kind, "help": c.help} for c in table.columns
        ],
        "rows": [[_cell(cell) for cell in row] for row in table.rows],
    }


@router.get("/kpis", response=KpiTableOut)
def kpis(
    request: HttpRequest,
    first: str = _FROM,
    last: str = _TO,
    group: str = Query("", description="one of the groupings: month, week, client, agent, ..."),
    client: str = _CLIENT,
) -> dict[str, Any]:
    """The KPIs for the months (default: this month and last), by the grouping, each rate with its
    numerator and denominator."""
    return _kpis(kpi_get(_asked(request, KPIS, first, last, client, group)))


@router.get("/reports/{report}", response=ReportOut)
def report(
    request: HttpRequest, report: str, first: str = _FROM, last: str = _TO, client: str = _CLIENT
) -> dict[str, Any]:
    """A report's tables and chart: kpis, liquidation, roll-rates, funnel, agents,
    compliance-blocks or channels."""
    kind = report_kind_get(report)
    asked = _asked(request, kind, first, last, client, "month" if kind is KPIS else "")
    built = report_build(slug=kind.slug, request=asked)
    return {
        "slug": built.slug,
        "title": built.title,
        "period_start": asked.period.start,
        "period_end": asked.period.end,
        "client": asked.client_code,
        "tables": [_table(table) for table in built.tables],
        "chart": built.chart,
    }


@router.get("/client-report.pdf")
def client_report(request: HttpRequest, client: str, month: str) -> HttpResponse:
    """One client's month as a PDF: staff with the client in scope, or the client's viewer."""
    found = client_report_get(
        user=request.user,
        client_code=client,
        month=month,
        agency_name=settings.SOLVENT_AGENCY_NAME,
        today=clock.today(),
    )
    response = HttpResponse(client_report_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{client_report_filename(found)}"'
    return response

"""The reports pages (issue 16): the KPI table, the report pages with their charts, their CSV and
XLSX exports, and the monthly client report as a PDF.

/analytics/                       KPIs for a period (default: this month and last), grouped by one
                                  of ``GROUPINGS``; each cell "rate (numerator / denominator)"
/analytics/<report>/              a report: its chart (Chart.js, drawn by desk/analytics.js from a
                                  JSON block: the CSP allows no inline script) and its tables
/analytics/<report>.csv|.xlsx     the same tables, to download
/analytics/client-report.pdf      one client's month (?client=CODE&month=YYYY-MM)

Thin: the client the request names through ``selectors_reports.report_access`` (404 for one the
user does not see, then 403 for a role that does not read reports: agents), then the selectors,
which compute over the user's clients only. A period or grouping that cannot be read is a 400 that
says why, on the page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from solvent.analytics.client_report import client_report_filename, client_report_pdf
from solvent.analytics.domain.report_periods import MonthPeriod, month_or_default, month_shift
from solvent.analytics.domain.reports import GROUPINGS
from solvent.analytics.exports import report_csv, report_xlsx
from solvent.analytics.selectors_client_report import client_report_get
from solvent.analytics.selectors_reports import (
    KPIS,
    REPORT_KINDS,
    Report,
    ReportKind,
    Request,
    report_access,
    report_build,
    report_client_list,
    report_kind_get,
)
from solvent.core import clock
from solvent.core.domain.errors import ValidationError
from solvent.desk.roles import desk_page
from solvent.desk.views_analytics_tables import shown_definitions, shown_tables

KPI_PAGE = "desk/analytics/kpis.html"
REPORT_PAGE = "desk/analytics/report.html"
BODY = "desk/analytics/_body.html"
GROUP_LABELS = {
    "": "Whole population",
    "month": "Month",
    "week": "Week",
    "client": "Client",
    "placement": "Placement",
    "segment": "Segment",
    "team": "Team",
    "agent": "Agent",
    "channel": "Channel",
    "arm": "Strategy arm",
}


def _asked(request: HttpRequest, kind: ReportKind) -> Request:
    """The request's client (404, then 403), months and grouping; ValidationError if unreadable."""
    client = report_access(user=request.user, client_code=request.GET.get("client", ""))
    today = clock.today()
    period = month_or_default(
        request.GET.get("from", ""),
        request.GET.get("to", ""),
        today=today,
        months=kind.default_months,
    )
    return Request(
        user=request.user,
        period=period,
        today=today,
        client_code=client.code if client else "",
        group_by=request.GET.get("group", "month" if kind is KPIS else "").strip(),
    )


def _query(asked: Request, *, group: bool) -> str:
    fields = {"from": asked.period.first, "to": asked.period.last}
    if asked.client_code:
        fields["client"] = asked.client_code
    if group:
        fields["group"] = asked.group_by
    return urlencode(fields)


def _context(request: HttpRequest, kind: ReportKind, asked: Request | None) -> dict[str, Any]:
    period: MonthPeriod | None = asked.period if asked else None
    last_month = month_shift(clock.today(), -1)
    return {
        "kind": kind,
        "kinds": list(REPORT_KINDS.values()),
        "clients": report_client_list(user=request.user),
        "client_code": asked.client_code if asked else request.GET.get("client", ""),
        "period": period,
        "first": period.first if period else request.GET.get("from", ""),
        "last": period.last if period else request.GET.get("to", ""),
        "group_by": asked.group_by if asked else request.GET.get("group", ""),
        "groupings": [(key, GROUP_LABELS.get(key, key)) for key in GROUPINGS],
        "query": _query(asked, group=kind is KPIS) if asked else "",
        "report_month": f"{last_month:%Y-%m}",
    }


def _page(
    request: HttpRequest, kind: ReportKind, page: str, *, group: bool = False
) -> HttpResponse:
    try:
        asked = _asked(request, kind)
        report: Report = report_build(slug=kind.slug, request=asked)
    except ValidationError as refused:
        context = _context(request, kind, None) | {"error": refused.message}
        # HTMX swaps only a 2xx: the refusal is shown in the swapped body.
        if _htmx(request):
            return render(request, BODY, context)
        return render(request, page, context, status=400)
    context = _context(request, kind, asked) | {
        "report": report,
        "tables": shown_tables(report.tables),
        "chart": report.chart or None,
    }
    if kind is KPIS:
        context["definitions"] = shown_definitions(report.tables[0])
    return render(request, BODY if _htmx(request) else page, context)


def _htmx(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request"))


@desk_page
@require_GET
def analytics_kpis(request: HttpRequest) -> HttpResponse:
    return _page(request, KPIS, KPI_PAGE)


@desk_page
@require_GET
def analytics_report(request: HttpRequest, report: str) -> HttpResponse:
    kind = report_kind_get(report)
    if kind is KPIS:
        query = request.GET.urlencode()
        return redirect(reverse("desk:analytics") + (f"?{query}" if query else ""))
    return _page(request, kind, REPORT_PAGE)


@desk_page
@require_GET
def analytics_export(request: HttpRequest, report: str, fmt: str) -> HttpResponse:
    """The report's tables as the page shows them, as CSV or XLSX."""
    kind = report_kind_get(report)
    try:
        asked = _asked(request, kind)
        built = report_build(slug=kind.slug, request=asked)
    except ValidationError as refused:
        return HttpResponse(refused.message, status=400, content_type="text/plain; charset=utf-8")
    scope = f"-{asked.client_code}" if asked.client_code else ""
    name = f"{kind.slug}{scope}-{asked.period.first}-to-{asked.period.last}.{fmt}"
    if fmt == "xlsx":
        response = HttpResponse(
            report_xlsx(built.tables),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(report_csv(built.tables), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@desk_page
@require_GET
def analytics_client_report(request: HttpRequest) -> HttpResponse:
    """One client's month as a PDF: staff with the client in scope, or the client's viewer."""
    try:
        report = client_report_get(
            user=request.user,
            client_code=request.GET.get("client", ""),
            month=request.GET.get("month", ""),
            agency_name=settings.SOLVENT_AGENCY_NAME,
            today=clock.today(),
        )
    except ValidationError as refused:
        return HttpResponse(refused.message, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(client_report_pdf(report), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{client_report_filename(report)}"'
    return response

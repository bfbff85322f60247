"""REST endpoints of the client remittance (issue 13): a client's statement for a month, its CSV
and PDF, and issuing it. Thin: the client through the tenant-scoped selector (404 for one the user
does not serve, as for a missing one), then the role (403), then one service.

Who: reading is for admins, compliance officers and supervisors (their clients); issuing is for
admins (operations, who run the trust account). See docs/payments.md, "Client remittance".
"""

# No ``from __future__ import annotations``: ninja reads the parameters' annotations at import.
import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema, Status

from solvent.payments.domain.remittance import Statement, month_period, statement_csv
from solvent.payments.remittance_pdf import statement_pdf_bytes
from solvent.payments.selectors_remittance import remittance_client_get, remittance_role_require
from solvent.payments.services.remittance import remittance_issue, remittance_preview

router = Router(tags=["remittance"])


class LineOut(Schema):
    kind: str = Field(description="collected, deduction or pending")
    payment_id: int
    account_number: str
    paid_on: dt.date
    amount: Decimal
    method: str
    reference: str
    status: str
    late: bool = Field(description="collected after its own period's statement was issued")


class StatementOut(Schema):
    client: str
    client_name: str
    currency: str
    period_start: dt.date
    period_end: dt.date
    issued: bool
    issued_at: dt.datetime | None
    issued_by: str
    terms_recorded: bool = Field(description="False: the default terms apply; not issuable")
    mode: str = Field(description="net: the commission is kept; gross: invoiced")
    commission_rate: Decimal
    collected: Decimal
    collected_count: int
    deductions: Decimal
    deductions_count: int
    net_collected: Decimal
    commission: Decimal
    remit: Decimal
    commission_invoiced: Decimal
    pending: Decimal = Field(description="payments not yet cleared: not collected, not remitted")
    pending_count: int
    notes: list[str]
    lines: list[LineOut]


class IssueIn(Schema):
    client: str = Field(max_length=40)
    month: str = Field(max_length=7, description="YYYY-MM")


def _statement(request: HttpRequest, client: str, month: str) -> Statement:
    found = remittance_client_get(user=request.user, client_code=client)
    remittance_role_require(user=request.user)
    start, end = month_period(month)
    return remittance_preview(client_id=found.pk, period_start=start, period_end=end)


def _out(statement: Statement) -> dict[str, Any]:
    figures = statement.figures
    return {
        "client": statement.client_code,
        "client_name": statement.client_name,
        "currency": statement.currency,
        "period_start": statement.period_start,
        "period_end": statement.period_end,
        "issued": statement.issued,
        "issued_at": statement.issued_at,
        "issued_by": statement.issued_by,
        "terms_recorded": statement.terms_recorded,
        "mode": figures.mode.value,
        "commission_rate": figures.commission_rate,
        "collected": figures.collected,
        "collected_count": figures.collected_count,
        "deductions": figures.deductions,
        "deductions_count": figures.deductions_count,
        "net_collected": figures.net_collected,
        "commission": figures.commission,
        "remit": figures.remit,
        "commission_invoiced": figures.invoice,
        "pending": figures.pending,
        "pending_count": figures.pending_count,
        "notes": statement.notes,
        "lines": [
            {
                **{name: getattr(line, name) for name in LineOut.model_fields},
                "kind": line.kind.value,
            }
            for line in statement.lines
        ],
    }


def _filename(statement: Statement, extension: str) -> str:
    return f"remittance-{statement.client_code}-{statement.period_start:%Y-%m}.{extension}"


@router.get("", response=StatementOut)
def remittance(request: HttpRequest, client: str, month: str) -> dict[str, Any]:
    """The client's statement for the month: as issued, or a preview of issuing it now."""
    return _out(_statement(request, client, month))


@router.get("/statement.csv")
def remittance_csv(request: HttpRequest, client: str, month: str) -> HttpResponse:
    """The statement's lines, then its figures, as CSV."""
    statement = _statement(request, client, month)
    response = HttpResponse(statement_csv(statement), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(statement, "csv")}"'
    return response


@router.get("/statement.pdf")
def remittance_pdf(request: HttpRequest, client: str, month: str) -> HttpResponse:
    statement = _statement(request, client, month)
    pdf = statement_pdf_bytes(statement, agency_name=settings.SOLVENT_AGENCY_NAME)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(statement, "pdf")}"'
    return response


@router.post("/issue", response={201: StatementOut})
def remittance_issue_post(request: HttpRequest, payload: IssueIn) -> Status[dict[str, Any]]:
    """Issue the month's statement: stored, frozen, audited. 400 with a code when the month is not
    over (period_not_over), already issued (remittance_already_issued) or the client has no terms
    (terms_missing)."""
    found = remittance_client_get(user=request.user, client_code=payload.client)
    actor_id = remittance_role_require(user=request.user, issue=True)
    start, end = month_period(payload.month)
    statement = remittance_issue(
        client_id=found.pk, period_start=start, period_end=end, actor_id=actor_id
    )
    return Status(201, _out(statement))

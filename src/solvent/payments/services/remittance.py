"""Client remittance statements: the preview of a period and its issue (frozen, audited).

A period is issued once: its figures and the payments it counted (``RemittanceLine``) are stored and
never change; a payment returned later is deducted on the statement of the period its return falls
in (or the next one issued), and a payment that cleared after its period was issued is collected on
the next one. Which payments a period counts is ``selectors_remittance``'s; the sums are the pure
``domain.remittance``'s.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import IntegrityError, transaction

from solvent.arrangements.domain.errors import FieldError
from solvent.audit.services import audit_record
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.payments.domain.remittance import (
    ZERO,
    Figures,
    LineKind,
    Mode,
    Statement,
    figures_of,
    lines_sorted,
    period_validate,
)
from solvent.payments.models import RemittanceLine, RemittanceStatement
from solvent.payments.selectors_remittance import (
    remittance_lines_compute,
    remittance_statement_find,
    remittance_statement_lines,
    remittance_statement_overlapping,
    remittance_terms_get,
)
from solvent.portfolio.models import Client


class RemittanceIssuedError(ValidationError):
    """The period (or a day of it) is already on an issued statement."""

    code = "remittance_already_issued"


def _client(client_id: int) -> Client:
    client = Client.objects.filter(pk=client_id).first()
    if client is None:
        raise NotFoundError(f"client {client_id} not found", code="client_not_found")
    return client


def _issued_view(client: Client, statement: RemittanceStatement) -> Statement:
    """The statement as stored: its frozen totals and the lines it counted."""
    lines = remittance_statement_lines(statement=statement)
    mode = Mode(statement.mode)
    figures = Figures(
        collected=statement.collected,
        collected_count=statement.payments_count,
        deductions=statement.returned,
        deductions_count=sum(1 for line in lines if line.kind is LineKind.DEDUCTION),
        net_collected=statement.net_collected,
        commission_rate=statement.commission_rate,
        commission=statement.commission,
        mode=mode,
        remit=statement.remit,
        invoice=statement.commission if mode is Mode.GROSS else ZERO,
        pending=ZERO,
        pending_count=0,
    )
    issued_by = statement.issued_by.get_username() if statement.issued_by else ""
    return Statement(
        client_code=client.code,
        client_name=client.name,
        currency=statement.currency,
        period_start=statement.period_start,
        period_end=statement.period_end,
        figures=figures,
        lines=lines_sorted(lines),
        statement_id=statement.pk,
        issued_at=statement.issued_at,
        issued_by=issued_by,
    )


def remittance_preview(*, client_id: int, period_start: date, period_end: date) -> Statement:
    """The period's statement: as issued (frozen) when it was, else what issuing now would store,
    with the period's pending payments listed apart. Stores nothing."""
    period_validate(period_start, period_end)
    client = _client(client_id)
    issued = remittance_statement_find(
        client_id=client.pk, period_start=period_start, period_end=period_end
    )
    if issued is not None:
        return _issued_view(client, issued)
    rate, mode, recorded = remittance_terms_get(client_id=client.pk)
    lines, other_currency = remittance_lines_compute(
        client=client, period_start=period_start, period_end=period_end
    )
    notes = []
    if not recorded:
        notes.append(
            f"{client.name} has no terms recorded: these figures use the default "
            f"{rate * 100:.2f} % {mode.value}; record the client's terms before issuing."
        )
    if other_currency:
        notes.append(
            f"{other_currency} payment(s) of the period are not in {client.currency} and are left "
            "out of this statement."
        )
    return Statement(
        client_code=client.code,
        client_name=client.name,
        currency=client.currency,
        period_start=period_start,
        period_end=period_end,
        figures=figures_of(lines, commission_rate=rate, mode=mode),
        lines=lines_sorted(lines),
        terms_recorded=recorded,
        other_currency_count=other_currency,
        notes=notes,
    )


def _issue_refusal(client: Client, period_start: date, period_end: date, today: date) -> None:
    if period_end >= today:
        raise FieldError(
            "month",
            f"the period ends on {period_end}: a statement is issued once its period is over "
            f"(from {period_end.isoformat()} + 1 day)",
            code="period_not_over",
        )
    overlapping = remittance_statement_overlapping(
        client_id=client.pk, period_start=period_start, period_end=period_end
    )
    if overlapping is not None:
        raise RemittanceIssuedError(
            f"{client.code}: the statement for {overlapping.period_start} to "
            f"{overlapping.period_end} was already issued on "
            f"{overlapping.issued_at:%Y-%m-%d %H:%M} UTC; an issued statement is never issued "
            "again (a later correction shows on the next period's statement)"
        )


def remittance_issue(
    *,
    client_id: int,
    period_start: date,
    period_end: date,
    actor_id: int | None,
    now: datetime | None = None,
) -> Statement:
    """Store the period's statement and the payments it counted, frozen; audited. Refused: a
    period not yet over, one already issued (or overlapping an issued one), a client without terms."""
    now = now or clock.now()
    period_validate(period_start, period_end)
    with transaction.atomic():
        # One issue at a time per client: the second waits, then finds the first one's statement.
        client = Client.objects.select_for_update().filter(pk=client_id).first()
        if client is None:
            raise NotFoundError(f"client {client_id} not found", code="client_not_found")
        _issue_refusal(client, period_start, period_end, now.date())
        preview = remittance_preview(
            client_id=client.pk, period_start=period_start, period_end=period_end
        )
        if not preview.terms_recorded:
            raise FieldError(
                "client",
                f"{client.name} has no terms recorded (commission rate, gross or net): record "
                "them before issuing a statement",
                code="terms_missing",
            )
        figures = preview.figures
        try:
            with transaction.atomic():
                statement = RemittanceStatement.objects.create(
                    client=client,
                    period_start=period_start,
                    period_end=period_end,
                    currency=client.currency,
                    mode=figures.mode.value,
                    commission_rate=figures.commission_rate,
                    collected=figures.collected,
                    returned=figures.deductions,
                    net_collected=figures.net_collected,
                    commission=figures.commission,
                    remit=figures.remit,
                    payments_count=figures.collected_count,
                    issued_at=now,
                    issued_by_id=actor_id,
                )
                RemittanceLine.objects.bulk_create(
                    RemittanceLine(
                        statement=statement,
                        payment_id=line.payment_id,
                        kind=line.kind.value,
                        amount=line.amount,
                        status=line.status,
                    )
                    for line in preview.lines
                    if line.kind is not LineKind.PENDING
                )
        except IntegrityError:
            raise RemittanceIssuedError(
                f"{client.code}: the statement for {period_start} to {period_end} was issued "
                "at the same moment by someone else"
            ) from None
        audit_record(
            action="remittance.issue",
            object_type="remittance_statement",
            object_id=statement.pk,
            data={
                "client": client.code,
                "period_start": period_start.isoformat(),
                "period_end": period_end.isoformat(),
                "currency": client.currency,
                "mode": figures.mode.value,
                "commission_rate": str(figures.commission_rate),
                "collected": str(figures.collected),
                "collected_count": figures.collected_count,
                "deductions": str(figures.deductions),
                "deductions_count": figures.deductions_count,
                "net_collected": str(figures.net_collected),
                "commission": str(figures.commission),
                "remit": str(figures.remit),
            },
            actor_id=actor_id,
            system="" if actor_id else "remittance issue (command)",
        )
        statement.issued_by_id = actor_id
        return _issued_view(client, statement)

"""The payments ledger's REST endpoints (mounted at /api/payments). Thin: the account or payment
through the tenant-scoped access helpers (another client's is a 404, as a missing one), then the
role, then one service or selector.

POST /api/payments                 post a payment (source "api"); the ``Idempotency-Key`` header
                                   or field is required: 201 the first time, 200 with the same
                                   payment on a retry, 409 when the key posted something else
GET  /api/payments?account_id=     payments on the accounts the user sees (one account if named)
POST /api/payments/{id}/return     the bank sent it back (supervisor, admin)
POST /api/payments/{id}/reverse    posted in error (supervisor, admin)
POST /api/payments/files           multipart: file, client (code), dry_run: the report (admin)
"""

# No ``from __future__ import annotations``: ninja reads the parameters' annotations at import.
import io
from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from solvent.arrangements.domain.errors import FieldError
from solvent.core.domain.errors import NotFoundError, PermissionDeniedError, ValidationError
from solvent.core.models import Role
from solvent.core.schemas import RowId
from solvent.core.selectors import staff_role_get
from solvent.payments import selectors
from solvent.payments.models import Payment
from solvent.payments.schemas import (
    ClientCode,
    FileReportOut,
    PaymentIn,
    PaymentOut,
    ReasonIn,
    RefusedOut,
)
from solvent.payments.services.files import PaymentFileError, payment_file_post
from solvent.payments.services.ledger import payment_record, payment_return, payment_reverse
from solvent.portfolio.access import access_account_by_id, access_client_queryset

router = Router(tags=["payments"])

# Taking money back is a supervisor's decision (or the back office's); posting one is any writer's.
CORRECTORS = frozenset({Role.SUPERVISOR, Role.ADMIN})
# Payment files are the back office's job, like placements.
FILE_LOADERS = frozenset({Role.ADMIN})
MAX_FILE_BYTES = 5 * 1024 * 1024


@router.post("", response={200: PaymentOut, 201: PaymentOut, 409: RefusedOut})
def payment_create(request: HttpRequest, payload: PaymentIn) -> Status[Any]:
    """Post a payment taken now (never above the balance)."""
    account = access_account_by_id(user=request.user, account_id=payload.account_id, for_write=True)
    key = (request.headers.get("Idempotency-Key") or payload.idempotency_key).strip()
    if not key:
        raise FieldError(
            "idempotency_key",
            "send an Idempotency-Key header (or field): a retry then never posts twice",
            code="idempotency_key_required",
        )
    try:
        outcome = payment_record(
            account_id=account.pk,
            amount=payload.amount,
            paid_on=payload.paid_on,
            method=payload.method,
            source=Payment.Source.API,
            reference=payload.reference,
            status=payload.status,
            idempotency_key=key,
            currency=payload.currency,
            actor_id=request.user.pk,
        )
    except ValidationError as refused:
        if refused.code != "idempotency_key_reused":
            raise
        return Status(409, RefusedOut(code=refused.code, detail=refused.message))
    return Status(201 if outcome.created else 200, _with_allocations(outcome.payment))


@router.get("", response=list[PaymentOut])
def payment_index(request: HttpRequest, account_id: RowId | None = None) -> list[Payment]:
    """Payments newest first (200 at most), of one account when ``account_id`` is given."""
    payments = selectors.payment_list(user=request.user, account_id=account_id)
    return list(payments.prefetch_related("allocations")[:200])


@router.post("/{payment_id}/return", response=PaymentOut)
def payment_return_view(request: HttpRequest, payment_id: RowId, payload: ReasonIn) -> Payment:
    """The bank sent the payment back (NSF, chargeback): what it allocated is undone."""
    payment = selectors.payment_get(user=request.user, payment_id=payment_id)
    _corrector_require(request)
    payment = payment_return(payment_id=payment.pk, reason=payload.reason, actor_id=request.user.pk)
    return _with_allocations(payment)


@router.post("/{payment_id}/reverse", response=PaymentOut)
def payment_reverse_view(request: HttpRequest, payment_id: RowId, payload: ReasonIn) -> Payment:
    """The payment was posted in error: what it allocated is undone."""
    payment = selectors.payment_get(user=request.user, payment_id=payment_id)
    _corrector_require(request)
    payment = payment_reverse(
        payment_id=payment.pk, reason=payload.reason, actor_id=_actor_id(request)
    )
    return _with_allocations(payment)


@router.post("/files", response={200: FileReportOut, 413: RefusedOut})
def payment_file_upload(
    request: HttpRequest,
    file: File[UploadedFile],
    client: Form[ClientCode],
    dry_run: Form[bool] = False,
) -> Status[Any]:
    """Post a payment CSV for a client (columns in docs/payments.md); the report lists the
    refused rows (row, field, reason) and what was posted."""
    creditor = access_client_queryset(user=request.user).filter(code=client).first()
    if creditor is None:
        raise NotFoundError(f"client {client!r} not found")
    if staff_role_get(user=request.user) not in FILE_LOADERS:
        raise PermissionDeniedError("only operations staff may post payment files")
    if file.size is None or file.size > MAX_FILE_BYTES:
        detail = f"the file is over {MAX_FILE_BYTES:,} bytes: split it into smaller files"
        return Status(413, RefusedOut(code="upload_too_large", detail=detail))
    try:
        text = file.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PaymentFileError("the file is not UTF-8 text: save it as 'CSV UTF-8'") from None
    report = payment_file_post(
        client_id=creditor.pk,
        file=io.StringIO(text),
        actor_id=request.user.pk,
        dry_run=dry_run,
        name=file.name or "upload.csv",
    )
    return Status(
        200,
        {
            "client": report.client_code,
            "dry_run": report.dry_run,
            "rows": report.rows,
            "posted": report.posted,
            "posted_total": report.posted_total,
            "returned": report.returned,
            "duplicates": report.duplicates,
            "rejected": report.rejected,
            "errors": [asdict(error) for error in report.errors],
            "overpayments": [
                {"row": row, "account_number": number, "amount": amount}
                for row, number, amount in report.overpayments
            ],
            "errors_csv": report.errors_csv(),
        },
    )


def _actor_id(request: HttpRequest) -> int:
    actor_id = request.user.pk
    if actor_id is None:
        raise PermissionDeniedError("sign in first")
    return int(actor_id)


def _corrector_require(request: HttpRequest) -> None:
    if staff_role_get(user=request.user) not in CORRECTORS:
        raise PermissionDeniedError("only a supervisor returns or reverses a payment")


def _with_allocations(payment: Payment) -> Payment:
    return Payment.objects.prefetch_related("allocations").get(pk=payment.pk)

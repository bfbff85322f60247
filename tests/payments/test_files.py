"""Payment files: good rows posted and bad rows reported (row, field, reason), a file posted twice
posts nothing twice, returned rows return, a dry run keeps nothing, and the command's exits."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from solvent.audit.models import AuditEntry
from solvent.payments.models import Payment
from solvent.payments.services.files import PaymentFileError, payment_file_post
from solvent.portfolio.models import Account
from tests.arrangements.factories import ClientFactory, debt_create

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=UTC)
D = Decimal

GOOD_AND_BAD = (
    "account_number,amount,paid_on,method,reference,status,currency\n"
    "HB-A,100.00,2026-12-01,ach,R-1,,\n"
    "HB-A,abc,2026-12-01,ach,R-2,,\n"  # row 3: amount
    "HB-NOPE,5.00,2026-12-01,card,R-3,,\n"  # row 4: account
    "HB-B,25.50,2026-12-01,card,R-4,pending,GBP\n"
    "HB-B,5.00,2026-13-01,card,R-5,,\n"  # row 6: paid_on
    "HB-B,5.00,2026-12-01,card,,,\n"  # row 7: reference
    "HB-B,5.00,2026-12-01,card,R-6,,USD\n"  # row 8: currency
    "HB-A,950.00,2026-12-01,bank_transfer,R-7,,\n"  # overpays by 50
)


@pytest.fixture(autouse=True)
def _frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)


@pytest.fixture
def accounts() -> tuple[Account, Account]:
    client = ClientFactory()
    first, _ = debt_create(client=client, principal="1000.00")
    second, _ = debt_create(client=client, principal="300.00")
    Account.objects.filter(pk=first.pk).update(account_number="HB-A")
    Account.objects.filter(pk=second.pk).update(account_number="HB-B")
    first.refresh_from_db()
    second.refresh_from_db()
    return first, second


def test_good_rows_post_and_bad_rows_are_reported_with_row_field_and_reason(accounts) -> None:
    first, second = accounts
    report = payment_file_post(
        client_id=first.client_id, file=io.StringIO(GOOD_AND_BAD), actor_id=None
    )
    assert (report.rows, report.posted, report.rejected) == (8, 3, 5)
    assert [(error.row, error.field) for error in report.errors] == [
        (3, "amount"),
        (4, "account_number"),
        (6, "paid_on"),
        (7, "reference"),
        (8, "currency"),
    ]
    assert report.posted_total == D("1075.50")
    assert report.overpayments == [(9, "HB-A", D("50.00"))]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.balance, first.status) == (D("0.00"), Account.Status.PAID)
    assert second.balance == D("274.50")
    assert Payment.objects.get(reference="R-4").status == Payment.Status.PENDING
    assert Payment.objects.get(reference="R-1").idempotency_key == "file:R-1"
    lines = report.errors_csv().splitlines()
    assert lines[0] == "row,field,value,reason"
    assert lines[1].startswith("3,amount,abc,")
    entry = AuditEntry.objects.get(action="payments.payment_file_posted")
    assert entry.data["posted"] == 3
    assert entry.data["rejected"] == 5


def test_a_file_posted_twice_posts_nothing_twice(accounts) -> None:
    first, _ = accounts
    payment_file_post(client_id=first.client_id, file=io.StringIO(GOOD_AND_BAD), actor_id=None)
    again = payment_file_post(
        client_id=first.client_id, file=io.StringIO(GOOD_AND_BAD), actor_id=None
    )
    assert (again.posted, again.duplicates, again.rejected) == (0, 3, 5)
    assert Payment.objects.count() == 3


def test_a_dry_run_reports_what_posting_would_do_and_keeps_nothing(accounts) -> None:
    first, _ = accounts
    report = payment_file_post(
        client_id=first.client_id, file=io.StringIO(GOOD_AND_BAD), actor_id=None, dry_run=True
    )
    assert (report.posted, report.rejected, report.dry_run) == (3, 5, True)
    assert report.overpayments == [(9, "HB-A", D("50.00"))]
    assert Payment.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="payments.").exists()
    first.refresh_from_db()
    assert first.balance == D("1000.00")


def test_a_returned_row_returns_the_payment_with_that_reference(accounts) -> None:
    first, _ = accounts
    payment_file_post(
        client_id=first.client_id,
        file=io.StringIO(
            "account_number,amount,paid_on,method,reference\nHB-A,100.00,2026-12-01,ach,R-1\n"
        ),
        actor_id=None,
    )
    returns = (
        "account_number;amount;paid_on;method;reference;status;reason\n"
        "HB-A;100.00;2026-12-02;ach;R-1;returned;NSF\n"
        "HB-A;100.00;2026-12-02;ach;R-9;returned;NSF\n"
    )
    report = payment_file_post(client_id=first.client_id, file=io.StringIO(returns), actor_id=None)
    assert report.returned == 1
    assert [(error.row, error.field) for error in report.errors] == [(3, "reference")]
    payment = Payment.objects.get(reference="R-1")
    assert (payment.status, payment.status_reason) == ("returned", "NSF")
    first.refresh_from_db()
    assert first.balance == D("1000.00")
    again = payment_file_post(client_id=first.client_id, file=io.StringIO(returns), actor_id=None)
    assert (again.returned, again.duplicates) == (0, 1)


def test_a_utf8_bom_and_semicolons_are_read(accounts, tmp_path: Path) -> None:
    first, _ = accounts
    path = tmp_path / "payments.csv"
    path.write_bytes(
        "\ufeffAccount_Number;Amount;Paid_On;Method;Reference\nHB-A;10.00;2026-12-01;card;Z-1\n".encode()
    )
    report = payment_file_post(client_id=first.client_id, file=path, actor_id=None)
    assert report.posted == 1


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("", "empty"),
        ("account_number,amount\nHB-A,1\n", "paid_on"),
    ],
)
def test_a_file_without_its_columns_is_refused_whole(accounts, content, reason) -> None:
    first, _ = accounts
    with pytest.raises(PaymentFileError) as refused:
        payment_file_post(client_id=first.client_id, file=io.StringIO(content), actor_id=None)
    assert reason in refused.value.message


def test_the_command_posts_reports_and_exits_1_on_refused_rows(accounts, tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text(GOOD_AND_BAD, encoding="utf-8")
    errors = tmp_path / "errors.csv"
    out = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command(
            "payments",
            "post-file",
            str(path),
            "--client",
            "harbor",
            "--errors",
            str(errors),
            stdout=out,
        )
    assert failed.value.returncode == 1
    assert "posted 3" in out.getvalue()
    assert "overpaid by 50.00" in out.getvalue()
    assert errors.read_text().count("\n") == 6
    entry = AuditEntry.objects.filter(action="payments.payment_posted").first()
    assert entry is not None
    assert entry.system == "solvent payments post-file"
    payment = Payment.objects.get(reference="R-1")
    out = io.StringIO()
    call_command("payments", "return", str(payment.pk), "--reason", "chargeback", stdout=out)
    assert f"payment {payment.pk} returned" in out.getvalue()
    with pytest.raises(CommandError, match="already returned"):
        call_command("payments", "return", str(payment.pk), "--reason", "again")


def test_a_row_for_a_recalled_account_is_refused_by_its_column(accounts) -> None:
    first, _ = accounts
    Account.objects.filter(pk=first.pk).update(status=Account.Status.RECALLED)
    report = payment_file_post(
        client_id=first.client_id,
        file=io.StringIO(
            "account_number,amount,paid_on,method,reference\nHB-A,10.00,2026-12-01,ach,Q-1\n"
        ),
        actor_id=None,
    )
    assert [(e.row, e.field, e.value) for e in report.errors] == [(2, "account_number", "HB-A")]
    assert "recalled" in report.errors[0].reason

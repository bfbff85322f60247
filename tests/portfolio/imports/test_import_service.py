"""The placement import service on a real database: upserts, debtor matching, the error report.

Runs on SQLite (the ORM writer) and, in the PostgreSQL pass, on PostgreSQL (the COPY writer).
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from solvent.audit.models import AuditEntry
from solvent.portfolio.imports.services import placement_import
from solvent.portfolio.models import (
    Account,
    AccountDebtor,
    Address,
    Client,
    Debtor,
    Email,
    Phone,
    Placement,
)
from tests.portfolio.imports.placement_files import good_row, write_rows

pytestmark = pytest.mark.django_db
PLACED_ON = date(2026, 11, 1)


@pytest.fixture
def acme() -> Client:
    return Client.objects.create(code="acme", name="Acme Bank", country="US", currency="USD")


def _import(client: Client, path: Path, **options) -> Placement:
    return placement_import(client=client, path=path, placed_on=PLACED_ON, **options)


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (Account, Debtor, Phone, Email, Address, AccountDebtor)
    )


def test_import_writes_accounts_debtors_contact_points_and_one_audit_entry(acme, tmp_path) -> None:
    path = write_rows(
        tmp_path / "p.csv",
        [
            good_row(1),
            good_row(
                2,
                cosigner_first_name="Ann",
                cosigner_last_name="Lee",
                cosigner_phone="212-234-9876",
            ),
        ],
    )
    placement = _import(acme, path)
    assert placement.status == Placement.Status.DONE
    assert (placement.rows_total, placement.rows_imported, placement.rows_rejected) == (2, 2, 0)
    assert (placement.accounts_created, placement.accounts_updated) == (2, 0)
    assert _counts() == (2, 3, 5, 2, 2, 3)
    account = Account.objects.get(account_number="A-0002")
    assert account.balance == Decimal("1244.56")
    assert account.placement == placement and account.placed_on == PLACED_ON
    roles = sorted(account.account_debtors.values_list("role", flat=True))
    assert roles == ["co_signer", "primary"]
    debtor = Debtor.objects.get(last_name="Lopez1")
    assert debtor.national_id == "123456001" and debtor.national_id_last4 == "6001"
    assert debtor.date_of_birth == "1980-05-17"
    with connection.cursor() as cursor:
        cursor.execute("SELECT national_id FROM portfolio_debtor WHERE id = %s", [debtor.pk])
        assert "123456001" not in cursor.fetchone()[0]  # encrypted at rest
    phone = debtor.phones.get(kind="mobile")
    assert (phone.e164, phone.time_zones) == ("+19172345678", ["America/New_York"])
    entries = AuditEntry.objects.filter(object_type="placement", object_id=str(placement.pk))
    assert [e.action for e in entries] == ["placement.imported"]
    assert entries[0].data["rows_imported"] == 2


def test_reimporting_the_same_file_changes_nothing(acme, tmp_path) -> None:
    path = write_rows(tmp_path / "p.csv", [good_row(n) for n in range(1, 6)])
    _import(acme, path)
    before = _counts()
    again = _import(acme, path)
    assert _counts() == before
    # Every row is as the first import wrote it: skipped by its fingerprint, not written again.
    assert (again.accounts_created, again.accounts_updated, again.rows_unchanged) == (0, 0, 5)


def test_an_updated_file_updates_balances_and_adds_accounts(acme, tmp_path) -> None:
    first = _import(acme, write_rows(tmp_path / "a.csv", [good_row(1), good_row(2)]))
    updated = [good_row(1, principal="99.00", phone_work="212-234-1111"), good_row(2), good_row(3)]
    second = _import(acme, write_rows(tmp_path / "b.csv", updated))
    # Row 2 is unchanged: skipped by its fingerprint.
    assert (second.accounts_created, second.accounts_updated, second.rows_unchanged) == (1, 1, 1)
    account = Account.objects.get(account_number="A-0001")
    assert account.principal == Decimal("99.00")
    assert account.placement_id == first.pk  # the cohort an account was placed in stays
    assert Debtor.objects.count() == 3
    assert set(Debtor.objects.get(last_name="Lopez1").phones.values_list("kind", flat=True)) == {
        "home",
        "mobile",
        "work",
    }


def test_one_debtor_is_not_created_twice(acme, tmp_path) -> None:
    rows = [
        # the same national id on two accounts
        good_row(1, national_id="111-22-3333"),
        good_row(2, national_id="111-22-3333", last_name="Lopez1"),
        # no national id: name + date of birth + postal code, spelled differently
        good_row(3, national_id="", last_name="Smith"),
        good_row(4, national_id="", last_name="SMITH ", first_name="maria"),
        # same name and birth date but two different national ids: two people
        good_row(5, national_id="222-33-4444", last_name="Jones"),
        good_row(6, national_id="222-33-5555", last_name="Jones"),
    ]
    # Batches of two: the matches must also hold across batches.
    _import(acme, write_rows(tmp_path / "p.csv", rows), batch_rows=2)
    assert Debtor.objects.count() == 4
    assert Debtor.objects.get(last_name="Lopez1").accounts.count() == 2
    assert Account.objects.filter(debtors__last_name__iexact="smith").distinct().count() == 2
    assert Debtor.objects.filter(last_name="Jones").count() == 2


def test_a_debtor_known_by_identity_gains_the_national_id_later(acme, tmp_path) -> None:
    _import(acme, write_rows(tmp_path / "a.csv", [good_row(1, national_id="")]))
    _import(
        acme,
        write_rows(
            tmp_path / "b.csv",
            [good_row(1), good_row(2, national_id="123-45-6001", account_number="X-1")],
        ),
    )
    # Row 2 carries Lopez1's national id: the national id wins over the name, and the later
    # row's name is the debtor's (ADR 0036: whatever the batching, the file's last word wins).
    assert Debtor.objects.count() == 1
    debtor = Debtor.objects.get()
    assert debtor.last_name == "Lopez2"
    assert debtor.national_id == "123456001"
    assert debtor.accounts.count() == 2


def test_flags_from_a_file_never_lift_what_was_recorded(acme, tmp_path) -> None:
    _import(
        acme,
        write_rows(
            tmp_path / "a.csv",
            [good_row(1, deceased="true", attorney_name="Sam Law", attorney_phone="212-234-0000")],
        ),
    )
    _import(acme, write_rows(tmp_path / "b.csv", [good_row(1, deceased="false")]))
    debtor = Debtor.objects.get()
    assert debtor.is_deceased is True
    assert (debtor.attorney_represented, debtor.attorney_name) == (True, "Sam Law")
    assert debtor.attorney_phone == "+12122340000"


def test_bad_rows_are_reported_and_good_rows_imported(acme, tmp_path) -> None:
    rows = [
        good_row(1),
        good_row(2, principal="-5", email="nope"),
        good_row(3),
        good_row(4, account_number="A-0003"),  # the same account as row 4 of the file
        good_row(5, delinquency_date="2025-13-01"),
    ]
    errors_path = tmp_path / "errors.csv"
    placement = _import(acme, write_rows(tmp_path / "p.csv", rows), errors_path=errors_path)
    assert placement.status == Placement.Status.DONE
    assert (placement.rows_total, placement.rows_imported, placement.rows_rejected) == (5, 1, 4)
    assert list(Account.objects.values_list("account_number", flat=True)) == ["A-0001"]
    report = list(csv.DictReader(io.StringIO(placement.error_report)))
    assert [(r["row"], r["column"], r["value"]) for r in report] == [
        ("3", "principal", "-5"),
        ("3", "email", "nope"),
        ("4", "account_number", "A-0003"),
        ("5", "account_number", "A-0003"),
        ("6", "delinquency_date", "2025-13-01"),
    ]
    assert report[4]["reason"] == "no such date: '2025-13-01'"
    assert errors_path.read_text() == placement.error_report


def test_a_file_with_wrong_columns_fails_whole_and_says_why(acme, tmp_path) -> None:
    path = write_rows(
        tmp_path / "p.csv",
        [good_row(1)],
        columns=["account_number", "principle", "first_name", "last_name"],
    )
    placement = _import(acme, path)
    assert placement.status == Placement.Status.FAILED
    assert "principle: unknown column (did you mean 'principal'?)" in placement.failure
    assert "principal: required column is missing" in placement.failure
    assert placement.error_report.splitlines()[1].startswith("1,principle,principle,unknown column")
    assert Account.objects.count() == 0
    assert AuditEntry.objects.filter(action="placement.failed").count() == 1


def test_an_empty_file_fails(acme, tmp_path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("")
    placement = _import(acme, path)
    assert placement.status == Placement.Status.FAILED
    assert placement.failure.startswith("the file is empty")


def test_validation_in_worker_processes_imports_the_same(acme, tmp_path) -> None:
    rows = [good_row(n, principal="x" if n == 3 else "10.00") for n in range(1, 31)]
    placement = _import(acme, write_rows(tmp_path / "p.csv", rows), workers=2, batch_rows=7)
    assert (placement.rows_imported, placement.rows_rejected) == (29, 1)
    assert placement.error_report.splitlines()[1].startswith("4,principal,x,")
    assert Account.objects.count() == 29
    assert Debtor.objects.count() == 29


def test_a_latin1_file_imports_and_an_enormous_line_is_reported(acme, tmp_path) -> None:
    """Issue 15 changed this: a file is read whole in one encoding, so a Latin-1 (Windows-1252)
    file imports with its accents instead of rejecting its accented rows."""
    path = write_rows(tmp_path / "p.csv", [good_row(1), good_row(2), good_row(3)])
    lines = path.read_bytes().splitlines(keepends=True)
    lines[2] = lines[2].replace(b"Maria", "Ren\xe9e".encode("latin-1"))
    lines.insert(3, b"A-9," + b"9" * (200 * 1024) + b"\n")
    path.write_bytes(b"".join(lines))
    placement = _import(acme, path)
    assert (placement.rows_imported, placement.rows_rejected) == (3, 1)
    report = list(csv.DictReader(io.StringIO(placement.error_report)))
    assert len(report) == 1
    assert (
        report[0]["row"] == "4" and "longer than the limit of 131072 bytes" in report[0]["reason"]
    )
    assert sorted(Account.objects.values_list("account_number", flat=True)) == [
        "A-0001",
        "A-0002",
        "A-0003",
    ]
    assert Debtor.objects.get(last_name="Lopez2").first_name == "Ren\xe9e"


def test_an_xlsx_placement_imports_like_a_csv(acme, tmp_path) -> None:
    from openpyxl import Workbook

    from solvent.portfolio.domain.placement_columns import COLUMN_NAMES

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMN_NAMES))
    for n in (1, 2):
        row = good_row(n)
        sheet.append([row[name] for name in COLUMN_NAMES])
    path = tmp_path / "p.xlsx"
    workbook.save(path)
    assert _import(acme, path).rows_imported == 2
    workbook.create_sheet("Notes")
    workbook.save(path)
    failed = _import(acme, path)
    assert failed.status == Placement.Status.FAILED
    assert "the workbook has 2 sheets (Sheet, Notes)" in failed.failure

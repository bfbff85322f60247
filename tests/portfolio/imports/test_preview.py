"""The dry run: the first rows as they will be stored, the errors and the counts; nothing written."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from solvent.portfolio.domain.placement_profile import ProfileSpec
from solvent.portfolio.imports.layout import Layout
from solvent.portfolio.imports.preview import (
    placement_file_discard,
    placement_file_stage,
    placement_file_staged,
    placement_preview,
    record_shown,
)
from solvent.portfolio.imports.records import ImportContext, PhoneRecord
from solvent.portfolio.imports.rows import row_validate
from solvent.portfolio.imports.source import RawRow
from solvent.portfolio.models import Account, Client, Debtor, Placement
from tests.portfolio.imports.placement_files import good_row, write_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme() -> Client:
    return Client.objects.create(code="acme", name="Acme Bank", currency="USD", country="US")


def test_the_first_valid_rows_are_shown_as_they_will_be_stored(acme, tmp_path) -> None:
    rows = [good_row(1), good_row(2, principal="abc"), good_row(3)]
    path = write_rows(tmp_path / "p.csv", rows)
    preview = placement_preview(client=acme, path=path, rows=5)
    assert (preview.rows_total, preview.rows_valid, preview.rows_rejected) == (3, 2, 1)
    assert preview.complete and preview.rows_checked == 3
    assert preview.failure == ""
    assert [record["account_number"] for record in preview.records] == ["A-0001", "A-0003"]
    first = preview.records[0]
    assert first["row"] == "2"
    assert (first["principal"], first["interest"], first["fees"]) == ("1234.56", "10.00", "0.00")
    assert first["balance"] == "1244.56"
    assert first["delinquency_date"] == "2025-03-01"
    assert first["last_name"] == "Lopez1"
    assert first["address"] == "1 Main St, New York, NY 10001, US"
    assert "+19172345678 (mobile)" in first["phones"]
    assert first["email"] == "maria1@example.com"


def test_an_extension_is_shown_apart_from_the_number(acme, tmp_path) -> None:
    path = write_rows(tmp_path / "p.csv", [good_row(1)])
    preview = placement_preview(client=acme, path=path)
    # The row's phones as validation gives them, one of them with an extension (track C's
    # phones.py reads it off the text): shown apart, never glued onto the number.
    context = ImportContext(
        client_id=acme.pk,
        client_country="US",
        client_currency="USD",
        placed_on=date(2026, 11, 1),
        hasher=lambda text: text,
        today=date(2026, 11, 1),
    )
    raw = RawRow(2, list(good_row(1).values()))
    layout = Layout(header_row=1, positions={n: i for i, n in enumerate(good_row(1))}, width=40)
    row = row_validate(raw, layout=layout, context=context)
    assert not isinstance(row, list), row
    row.debtor.phones = [
        PhoneRecord("+12122345678", "work", "fixed_line", "US", (), extension="212")
    ]
    assert record_shown(row)["phones"] == "+12122345678 ext. 212 (work)"
    assert preview.records[0]["phones"].startswith("+1")


def test_a_date_of_birth_and_a_national_id_are_never_shown(acme, tmp_path) -> None:
    rows = [good_row(1), good_row(2, date_of_birth="1980-02-31", national_id="999-99-99999")]
    path = write_rows(tmp_path / "p.csv", rows)
    preview = placement_preview(client=acme, path=path)
    [record] = preview.records
    assert record["date_of_birth"] == "[masked]" and record["national_id"] == "[masked]"
    shown = repr(preview)
    for secret in ("1980-05-17", "123-45-6001", "1980-02-31", "999-99-99999"):
        assert secret not in shown
    assert {error.column for error in preview.errors} >= {"date_of_birth"}
    assert all(error.value in ("", "[masked]") for error in preview.errors)


def test_nothing_is_written(acme, tmp_path) -> None:
    path = write_rows(tmp_path / "p.csv", [good_row(n) for n in range(1, 6)])
    with CaptureQueriesContext(connection) as queries:
        placement_preview(client=acme, path=path)
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert not Account.objects.exists() and not Debtor.objects.exists()
    assert not Placement.objects.exists()


def test_only_the_first_rows_and_errors_asked_for_are_kept(acme, tmp_path) -> None:
    rows = [good_row(n) for n in range(1, 31)] + [good_row(n, principal="x") for n in range(31, 41)]
    path = write_rows(tmp_path / "p.csv", rows)
    preview = placement_preview(client=acme, path=path, rows=3, error_limit=4)
    assert len(preview.records) == 3 and len(preview.errors) == 4
    assert (preview.rows_valid, preview.rows_rejected) == (30, 10)


def test_a_row_limit_checks_the_first_rows_and_says_the_counts_are_partial(acme, tmp_path) -> None:
    path = write_rows(tmp_path / "p.csv", [good_row(n) for n in range(1, 11)])
    preview = placement_preview(client=acme, path=path, check_rows=4)
    assert preview.rows_total == 10
    assert (preview.rows_checked, preview.rows_valid) == (4, 4)
    assert not preview.complete


def test_an_account_number_given_twice_rejects_both_rows_as_the_import_does(acme, tmp_path) -> None:
    rows = [good_row(1), good_row(2, account_number="A-0001"), good_row(3)]
    path = write_rows(tmp_path / "p.csv", rows)
    preview = placement_preview(client=acme, path=path)
    assert (preview.rows_valid, preview.rows_rejected) == (1, 2)


def test_a_file_that_cannot_be_read_says_why(acme, tmp_path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("account_number,first_name\nA-1,Pat\n", encoding="utf-8")
    preview = placement_preview(client=acme, path=path)
    assert preview.failure
    assert preview.records == [] and preview.rows_total == 0
    assert any(
        "last_name" in error.column or "last_name" in error.reason for error in preview.errors
    )


def test_the_spec_given_is_the_one_read_with(acme, tmp_path) -> None:
    path = write_rows(tmp_path / "p.csv", [good_row(1)])
    preview = placement_preview(client=acme, path=path, spec=ProfileSpec.default())
    assert preview.rows_valid == 1
    assert preview.sources["principal"] == "principal"


def test_a_staged_file_is_found_by_its_token_and_gone_once_discarded(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    token = placement_file_stage(name="march.CSV", content=[b"a,b\n", b"1,2\n"])
    assert token.endswith(".csv") and len(token) == 36
    path = placement_file_staged(token=token)
    assert path.read_bytes() == b"a,b\n1,2\n"
    assert Path(settings.MEDIA_ROOT) in path.parents
    placement_file_discard(token=token)
    from solvent.core.domain.errors import NotFoundError

    with pytest.raises(NotFoundError):
        placement_file_staged(token=token)
    for forged in ("../../etc/passwd", "0" * 32 + "/..", ""):
        with pytest.raises(NotFoundError):
            placement_file_staged(token=forged)


def test_a_creditor_file_previews_through_its_suggested_profile(acme, tmp_path) -> None:
    from solvent.portfolio.imports.profiles import profile_create
    from solvent.portfolio.imports.suggest import profile_suggest_from_file
    from tests.portfolio.imports.creditor_files import us_medical_csv

    path, expected = us_medical_csv(tmp_path / "harbor.csv")
    suggestion = profile_suggest_from_file(path, client_country="US")
    version = profile_create(client=acme, name="Harbor", spec=suggestion.spec, created_by=None)
    preview = placement_preview(client=acme, path=path, profile_version=version)
    assert preview.failure == ""
    assert preview.encoding == "windows-1252"
    assert preview.header_row == 3
    assert (preview.rows_valid, preview.rows_rejected) == (len(expected), 0)
    assert preview.rows_skipped >= 1  # the totals row
    assert preview.sources["principal"] == "Balance"
    by_number = {record["account_number"]: record for record in preview.records}
    for row in expected:
        record = by_number[row.account_number]
        assert (record["first_name"], record["last_name"]) == (row.first_name, row.last_name)
        assert record["principal"] == str(row.principal)
        assert row.postal_code in record["address"]
        assert record["date_of_birth"] == "[masked]"
        number = f"{row.phone} ext. {row.extension}" if row.extension else row.phone
        assert record["phones"].startswith(number)
    assert "123-45-6001" not in repr(preview) and "03/15/1980" not in repr(preview)


def test_an_error_under_the_files_own_name_for_a_date_of_birth_is_masked(acme, tmp_path) -> None:
    from solvent.portfolio.imports.profiles import profile_create

    path = tmp_path / "harbor.csv"
    path.write_text(
        "Account Number,First Name,Last Name,Balance,DOB\n"
        "H-1,Ana,Ruiz,$10.00,03/15/1980\n"
        "H-2,Bo,Kim,$12.00,31/31/1975\n",
        encoding="utf-8",
    )
    spec = ProfileSpec(
        columns={
            "account_number": "Account Number",
            "first_name": "First Name",
            "last_name": "Last Name",
            "principal": "Balance",
            "date_of_birth": "DOB",
        },
        date_formats=("%m/%d/%Y",),
    )
    version = profile_create(client=acme, name="H", spec=spec, created_by=None)
    preview = placement_preview(client=acme, path=path, profile_version=version)
    assert (preview.rows_valid, preview.rows_rejected) == (1, 1), preview.errors
    [error] = preview.errors
    assert error.row == 3 and error.value == "[masked]"
    assert "31/31/1975" not in error.reason

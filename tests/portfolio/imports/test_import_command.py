"""`solvent import placements FILE --client CODE`: a summary, an error file, clear failures."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from solvent.portfolio.models import Account, Client
from tests.portfolio.imports.placement_files import good_row, write_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme() -> Client:
    return Client.objects.create(code="acme", name="Acme Bank")


def test_import_prints_a_summary_and_writes_the_errors(acme, tmp_path) -> None:
    path = write_rows(tmp_path / "p.csv", [good_row(1), good_row(2, email="bad@")])
    out = io.StringIO()
    errors = tmp_path / "errors.csv"
    call_command(
        "import",
        "placements",
        str(path),
        "--client",
        "acme",
        "--placed-on",
        "2026-11-01",
        "--errors",
        str(errors),
        stdout=out,
    )
    summary = out.getvalue()
    assert "rows imported              1" in summary
    assert "rows rejected              1" in summary
    assert f"errors: written to {errors}" in summary
    assert "3,email,bad@,not an e-mail address: 'bad@'" in errors.read_text()
    assert Account.objects.get().placed_on.isoformat() == "2026-11-01"


def test_without_an_errors_file_the_summary_says_where_the_report_is(acme, tmp_path) -> None:
    path = write_rows(tmp_path / "p.csv", [good_row(1), good_row(2, email="bad@")])
    out = io.StringIO()
    call_command("import", "placements", str(path), "--client", "acme", stdout=out)
    summary = out.getvalue()
    placement_id = Account.objects.get().placement_id
    assert f"GET /api/placements/{placement_id}/errors" in summary
    assert "--errors FILE" in summary
    assert "3,email,bad@,not an e-mail address: 'bad@'" in summary  # the first lines, shown


def test_unknown_client_and_missing_file(acme, tmp_path) -> None:
    path = write_rows(tmp_path / "p.csv", [good_row(1)])
    with pytest.raises(CommandError, match="no client with code 'nope'; the clients are: acme"):
        call_command("import", "placements", str(path), "--client", "nope")
    with pytest.raises(CommandError, match="no such file"):
        call_command("import", "placements", str(tmp_path / "missing.csv"), "--client", "acme")


def test_a_failed_file_exits_with_the_reason(acme, tmp_path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("account_number,principal\nA-1,1.00\n")
    with pytest.raises(CommandError, match="first_name: required column is missing"):
        call_command("import", "placements", str(path), "--client", "acme", stdout=io.StringIO())

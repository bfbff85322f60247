"""A re-import skips the rows that did not change since they were imported (their fingerprint).

Runs on SQLite and, in the PostgreSQL pass, on PostgreSQL.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from solvent.portfolio.domain.placement_profile import ProfileSpec
from solvent.portfolio.imports.fingerprint import row_fingerprint
from solvent.portfolio.imports.profiles import profile_create, profile_version_add
from solvent.portfolio.imports.services import placement_import
from solvent.portfolio.imports.source import RawRow
from solvent.portfolio.models import Account, AccountDebtor, Address, Client, Debtor, Email, Phone
from tests.portfolio.imports.placement_files import good_row, write_rows

pytestmark = pytest.mark.django_db
PLACED_ON = date(2026, 11, 1)


@pytest.fixture
def acme() -> Client:
    return Client.objects.create(code="acme", name="Acme Bank", country="US", currency="USD")


def _state() -> tuple[object, ...]:
    counts = tuple(
        model.objects.count() for model in (Account, Debtor, Phone, Email, Address, AccountDebtor)
    )
    accounts = tuple(
        Account.objects.order_by("account_number").values_list(
            "account_number", "principal", "import_hash", "updated_at"
        )
    )
    return counts, accounts


def test_an_unchanged_reimport_writes_nothing_and_counts_the_rows_unchanged(acme, tmp_path) -> None:
    path = write_rows(tmp_path / "p.csv", [good_row(n) for n in range(1, 6)])
    first = placement_import(client=acme, path=path, placed_on=PLACED_ON)
    assert (first.rows_imported, first.rows_unchanged) == (5, 0)
    hashes = set(Account.objects.values_list("import_hash", flat=True))
    assert len(hashes) == 5 and all(len(h) == 32 for h in hashes)
    before = _state()
    again = placement_import(client=acme, path=path, placed_on=date(2026, 12, 1))
    assert again.status == "done"
    assert (again.rows_total, again.rows_unchanged, again.rows_imported) == (5, 5, 0)
    assert (again.accounts_created, again.accounts_updated, again.rows_rejected) == (0, 0, 0)
    assert again.rows_done == 5
    assert _state() == before  # not one row touched, not even updated_at


def test_one_changed_row_is_validated_and_written(acme, tmp_path) -> None:
    rows = [good_row(n) for n in range(1, 6)]
    placement_import(client=acme, path=write_rows(tmp_path / "a.csv", rows), placed_on=PLACED_ON)
    rows[2] = good_row(3, principal="999.00")
    rows[4] = good_row(5, principal="not money")
    again = placement_import(
        client=acme, path=write_rows(tmp_path / "b.csv", rows), placed_on=PLACED_ON
    )
    assert (again.rows_unchanged, again.rows_imported, again.rows_rejected) == (3, 1, 1)
    assert (again.accounts_created, again.accounts_updated) == (0, 1)
    assert str(Account.objects.get(account_number="A-0003").principal) == "999.00"
    assert "not money" in again.error_report
    # The rejected row keeps its account as it was, and its old fingerprint.
    assert str(Account.objects.get(account_number="A-0005").principal) == "1234.56"


def test_a_repeated_account_number_is_rejected_even_when_one_copy_is_unchanged(
    acme, tmp_path
) -> None:
    rows = [good_row(n) for n in range(1, 4)]
    placement_import(client=acme, path=write_rows(tmp_path / "a.csv", rows), placed_on=PLACED_ON)
    again = placement_import(
        client=acme,
        path=write_rows(tmp_path / "b.csv", [*rows, good_row(2, principal="5.00")]),
        placed_on=PLACED_ON,
    )
    assert (again.rows_unchanged, again.rows_rejected, again.rows_imported) == (2, 2, 0)


def test_a_new_profile_version_reads_every_row_again(acme, tmp_path) -> None:
    spec = ProfileSpec.default()
    first_version = profile_create(client=acme, name="monthly", spec=spec, created_by=None)
    path = write_rows(tmp_path / "p.csv", [good_row(n) for n in range(1, 4)])
    placement_import(client=acme, path=path, placed_on=PLACED_ON, profile_version=first_version)
    same = placement_import(
        client=acme, path=path, placed_on=PLACED_ON, profile_version=first_version
    )
    assert same.rows_unchanged == 3
    second_version = profile_version_add(
        profile=first_version.profile,
        spec=dataclasses.replace(spec, skip_rows=(r"^\s*total\b", r"^\s*footer\b")),
        created_by=None,
    )
    assert second_version.pk != first_version.pk
    again = placement_import(
        client=acme, path=path, placed_on=PLACED_ON, profile_version=second_version
    )
    assert (again.rows_unchanged, again.rows_imported, again.accounts_updated) == (0, 3, 3)
    # And the rows now carry the new version's fingerprint: the next run skips them again.
    third = placement_import(
        client=acme, path=path, placed_on=PLACED_ON, profile_version=second_version
    )
    assert third.rows_unchanged == 3


def test_the_fingerprint_depends_on_every_value_and_on_the_key(tmp_path: Path) -> None:
    row = RawRow(2, ["A-1", "Maria", "1,234.56"])
    base = row_fingerprint(row, spec_key="k1")
    assert len(base) == 32 and int(base, 16) >= 0
    assert row_fingerprint(RawRow(9, ["A-1", "Maria", "1,234.56"]), spec_key="k1") == base
    assert row_fingerprint(RawRow(2, ["A-1", "Maria", "1,234.57"]), spec_key="k1") != base
    assert row_fingerprint(row, spec_key="k2") != base
    # Values cannot slide into each other.
    assert row_fingerprint(RawRow(2, ["A-1", "Maria,", "1"]), spec_key="k1") != row_fingerprint(
        RawRow(2, ["A-1", "Maria", ",1"]), spec_key="k1"
    )

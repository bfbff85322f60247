"""A re-import finds the debtor already on the account (issue 15, defect 3).

A corrected name or address changes the identity hash, so matching on it alone created a second
primary debtor on the same account. Matching now goes national id, then the debtor linked to the
account in the same role, then identity; a different national id is a different person, who
replaces the old one on the account (the old link removed and audited): never two primaries.
"""

from __future__ import annotations

import pytest

from solvent.audit.models import AuditEntry
from solvent.portfolio.models import Account, AccountDebtor, Address, Client, Debtor
from tests.portfolio.imports.placement_files import good_row
from tests.portfolio.imports.store_batches import placement_create, rows_store, rows_valid

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def acme() -> Client:
    return Client.objects.create(code="acme", name="Acme Bank")


def _links(number: str = "A-0001") -> list[tuple[str, str]]:
    return sorted(
        AccountDebtor.objects.filter(account__account_number=number).values_list(
            "debtor__last_name", "role"
        )
    )


@pytest.mark.parametrize("national_id", ["123-45-6001", ""])
def test_a_corrected_name_and_address_update_the_debtor_already_on_the_account(
    acme: Client, national_id: str
) -> None:
    rows_store(acme, [good_row(1, national_id=national_id, last_name="Lopes")])
    debtor = Debtor.objects.get()
    corrected = good_row(
        1,
        national_id=national_id,
        last_name="Lopez",
        address_line1="12 Corrected Ave",
        postal_code="10002",
    )
    outcomes = rows_store(acme, [corrected])
    assert outcomes[0].accounts_updated == 1
    assert list(Debtor.objects.values_list("pk", "last_name")) == [(debtor.pk, "Lopez")]
    assert _links() == [("Lopez", "primary")]
    assert set(Address.objects.values_list("line1", "is_current")) == {
        ("1 Main St", False),
        ("12 Corrected Ave", True),
    }


def test_a_different_national_id_is_another_person_who_replaces_the_old_one(acme: Client) -> None:
    rows_store(acme, [good_row(1, last_name="Wrongperson")])
    old = Debtor.objects.get()
    rows_store(acme, [good_row(1, last_name="Rightperson", national_id="321-54-9876")])
    assert Debtor.objects.count() == 2  # the old person is kept, with their history
    assert _links() == [("Rightperson", "primary")]
    entry = AuditEntry.objects.get(action="account.debtor_replaced")
    account = Account.objects.get()
    assert entry.object_id == str(account.pk)
    assert entry.data["debtor_id"] == old.pk
    assert entry.data["role"] == "primary"
    assert entry.data["replaced_by"] == Debtor.objects.get(last_name="Rightperson").pk


def test_an_account_never_has_two_primary_debtors_after_any_reimport(acme: Client) -> None:
    rows_store(acme, [good_row(n) for n in range(1, 4)])
    rows_store(acme, [good_row(n, last_name=f"Renamed{n}", city="Brooklyn") for n in range(1, 4)])
    rows_store(acme, [good_row(n, national_id=f"555-12-{n:04d}") for n in range(1, 4)])
    primaries = AccountDebtor.objects.filter(role="primary")
    assert primaries.count() == 3
    assert primaries.values("account").distinct().count() == 3


def test_a_co_signer_corrected_on_a_reimport_stays_one_co_signer(acme: Client) -> None:
    cosigner = {
        "cosigner_first_name": "Sam",
        "cosigner_last_name": "Ortiz",
        "cosigner_date_of_birth": "1979-02-03",
    }
    rows_store(acme, [good_row(1, **cosigner)])
    rows_store(acme, [good_row(1, **{**cosigner, "cosigner_last_name": "Ortega"})])
    assert _links() == [("Lopez1", "primary"), ("Ortega", "co_signer")]
    assert Debtor.objects.count() == 2
    # A later file without the co-signer removes nobody.
    rows_store(acme, [good_row(1)])
    assert _links() == [("Lopez1", "primary"), ("Ortega", "co_signer")]


def test_the_rows_fingerprint_is_the_accounts_import_hash(acme: Client) -> None:
    from django.db import transaction

    from solvent.core import clock
    from solvent.portfolio.imports.store import Batch, batch_store

    placement = placement_create(acme)
    rows = rows_valid(acme, [good_row(1), good_row(2)])
    rows[0].fingerprint, rows[1].fingerprint = "a" * 32, "b" * 32
    with transaction.atomic():
        batch_store(Batch(acme.pk, placement.pk, placement.placed_on, clock.now(), rows))
    rows = rows_valid(acme, [good_row(1, principal="99.00"), good_row(3)])
    rows[0].fingerprint, rows[1].fingerprint = "c" * 32, "d" * 32
    with transaction.atomic():
        batch_store(Batch(acme.pk, placement.pk, placement.placed_on, clock.now(), rows))
    assert dict(Account.objects.values_list("account_number", "import_hash")) == {
        "A-0001": "c" * 32,  # updated
        "A-0002": "b" * 32,
        "A-0003": "d" * 32,
    }

"""Every address a file gives a debtor is kept, whatever the batching (issue 15, defect 2), and a
re-import that moves a debtor keeps the old address as history, not current (defect 3).

Rows of one debtor are merged in file order, so the address of the later row is the current one
both when the rows share a batch and when each row is a batch of its own.
"""

from __future__ import annotations

import pytest

from solvent.portfolio.models import Account, Address, Client, Debtor, Phone
from tests.portfolio.imports.placement_files import good_row
from tests.portfolio.imports.store_batches import rows_store, snapshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def acme() -> Client:
    return Client.objects.create(code="acme", name="Acme Bank")


def _addresses() -> set[tuple[str, str, bool]]:
    return set(Address.objects.values_list("debtor__last_name", "line1", "is_current"))


def _clear() -> None:
    Account.objects.all().delete()
    Debtor.objects.all().delete()


def _one_debtor_on_three_rows() -> list[dict[str, str]]:
    # One person (the same national id) on three accounts with two addresses, beside two others.
    same = {"national_id": "123-45-6789", "last_name": "Rivera", "first_name": "Ana"}
    return [
        good_row(1, address_line1="1 Old Rd", **same),
        good_row(2),
        good_row(3, address_line1="9 New Ave", postal_code="10002", **same),
        good_row(4),
        good_row(5, address_line1="1 Old Rd", **same),
    ]


def test_every_address_of_a_debtor_in_one_batch_is_kept(acme: Client) -> None:
    rows_store(acme, _one_debtor_on_three_rows())
    assert {line for name, line, _ in _addresses() if name == "Rivera"} == {"1 Old Rd", "9 New Ave"}


@pytest.mark.parametrize("other_size", [2, 3])
def test_the_same_file_gives_the_same_addresses_whatever_the_batch_size(
    acme: Client, other_size: int
) -> None:
    rows = _one_debtor_on_three_rows()
    rows_store(acme, rows, batch_rows=10_000)
    whole = snapshot()
    _clear()
    rows_store(acme, rows, batch_rows=1)
    assert snapshot() == whole
    _clear()
    rows_store(acme, rows, batch_rows=other_size)
    assert snapshot() == whole
    # The later row's address is the current one: row 5 gave the old road again.
    assert ("Rivera", "1 Old Rd", True) in _addresses()
    assert ("Rivera", "9 New Ave", False) in _addresses()


def test_a_move_keeps_the_old_address_as_history(acme: Client) -> None:
    rows_store(acme, [good_row(1)])
    rows_store(acme, [good_row(1, address_line1="77 Elm St", postal_code="10003")])
    assert _addresses() == {("Lopez1", "1 Main St", False), ("Lopez1", "77 Elm St", True)}
    assert Debtor.objects.count() == 1


def test_an_address_the_debtor_gave_is_never_made_old_by_a_file(acme: Client) -> None:
    rows_store(acme, [good_row(1)])
    debtor = Debtor.objects.get()
    Address.objects.create(
        debtor=debtor,
        line1="5 Told Us St",
        city="New York",
        postal_code="10004",
        country="US",
        source=Phone.Source.DEBTOR,
    )
    rows_store(acme, [good_row(1, address_line1="77 Elm St", postal_code="10003")])
    assert ("Lopez1", "5 Told Us St", True) in _addresses()
    assert ("Lopez1", "1 Main St", False) in _addresses()


def test_another_clients_address_stays_current(acme: Client) -> None:
    other = Client.objects.create(code="beta", name="Beta Bank")
    rows_store(other, [good_row(1, account_number="B-1")])
    rows_store(acme, [good_row(1)])  # the same person and address: both clients supplied it
    rows_store(acme, [good_row(1, address_line1="77 Elm St", postal_code="10003")])
    # Beta's file still says 1 Main St: only what this client alone supplied is made old.
    assert _addresses() == {("Lopez1", "1 Main St", True), ("Lopez1", "77 Elm St", True)}

"""A number the client's file replaced is superseded, not left valid and dialable (issue 15, 6b).

When a client's file gives a debtor another number of a kind (home, mobile, work) than the one its
files supplied before, the old one is marked superseded: kept for the history, never dialled (the
gate refuses it, tests/compliance/services/test_contact_point_not_in_use.py). Only numbers this
client's files alone supplied are touched: never one the debtor or skip tracing gave, nor one
another client's file still gives.
"""

from __future__ import annotations

import pytest

from solvent.portfolio.models import Account, Client, ContactStatus, Debtor, Phone
from tests.portfolio.imports.placement_files import good_row
from tests.portfolio.imports.store_batches import rows_store, snapshot

pytestmark = pytest.mark.django_db(transaction=True)

OLD, NEW = "(917) 234-5678", "(917) 555-0199"
OLD_E164, NEW_E164 = "+19172345678", "+19175550199"


@pytest.fixture
def acme() -> Client:
    return Client.objects.create(code="acme", name="Acme Bank")


def _statuses() -> dict[str, str]:
    return dict(Phone.objects.filter(kind="mobile").values_list("e164", "status"))


def test_a_replaced_mobile_is_superseded_and_the_new_one_valid(acme: Client) -> None:
    rows_store(acme, [good_row(1, phone_mobile=OLD)])
    rows_store(acme, [good_row(1, phone_mobile=NEW)])
    assert _statuses() == {OLD_E164: ContactStatus.SUPERSEDED, NEW_E164: ContactStatus.VALID}
    # The home number, given again unchanged, is untouched.
    assert Phone.objects.get(kind="home").status == ContactStatus.VALID


def test_a_file_that_leaves_the_column_empty_supersedes_nothing(acme: Client) -> None:
    rows_store(acme, [good_row(1, phone_mobile=OLD)])
    rows_store(acme, [good_row(1, phone_mobile="")])
    assert _statuses() == {OLD_E164: ContactStatus.VALID}


def test_a_superseded_number_given_again_is_valid_again(acme: Client) -> None:
    rows_store(acme, [good_row(1, phone_mobile=OLD)])
    rows_store(acme, [good_row(1, phone_mobile=NEW)])
    rows_store(acme, [good_row(1, phone_mobile=OLD)])
    assert _statuses() == {OLD_E164: ContactStatus.VALID, NEW_E164: ContactStatus.SUPERSEDED}


def test_a_number_the_debtor_gave_is_never_superseded_by_a_file(acme: Client) -> None:
    rows_store(acme, [good_row(1, phone_mobile="")])
    Phone.objects.create(
        debtor=Debtor.objects.get(), e164=OLD_E164, kind="mobile", source=Phone.Source.DEBTOR
    )
    rows_store(acme, [good_row(1, phone_mobile=NEW)])
    assert _statuses() == {OLD_E164: ContactStatus.VALID, NEW_E164: ContactStatus.VALID}


def test_a_number_another_clients_file_gives_stays_valid(acme: Client) -> None:
    beta = Client.objects.create(code="beta", name="Beta Bank")
    rows_store(beta, [good_row(1, account_number="B-1", phone_mobile=OLD)])
    rows_store(acme, [good_row(1, phone_mobile=OLD)])
    rows_store(acme, [good_row(1, phone_mobile=NEW)])
    assert _statuses() == {OLD_E164: ContactStatus.VALID, NEW_E164: ContactStatus.VALID}


def test_a_wrong_number_stays_a_wrong_number(acme: Client) -> None:
    rows_store(acme, [good_row(1, phone_mobile=OLD)])
    Phone.objects.filter(e164=OLD_E164).update(status=ContactStatus.WRONG_NUMBER)
    rows_store(acme, [good_row(1, phone_mobile=OLD)])
    rows_store(acme, [good_row(1, phone_mobile=NEW)])
    assert _statuses() == {OLD_E164: ContactStatus.WRONG_NUMBER, NEW_E164: ContactStatus.VALID}


def test_superseding_inside_one_file_does_not_depend_on_the_batch_size(acme: Client) -> None:
    same = {"national_id": "123-45-6789", "last_name": "Rivera"}
    rows = [
        good_row(1, phone_mobile=OLD, **same),
        good_row(2),
        good_row(3, phone_mobile=NEW, **same),
    ]
    rows_store(acme, rows, batch_rows=10_000)
    whole = snapshot()
    Account.objects.all().delete()
    Debtor.objects.all().delete()
    rows_store(acme, rows, batch_rows=1)
    assert snapshot() == whole
    assert ("Rivera", OLD_E164, "", "mobile", ContactStatus.SUPERSEDED) in whole["phones"]
    assert ("Rivera", NEW_E164, "", "mobile", ContactStatus.VALID) in whole["phones"]

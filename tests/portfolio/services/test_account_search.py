"""The search box finds an account the way people type it (issue 11): a full name in either order,
part of an e-mail address, a phone number in any format, the account number.

Another client's contact points stay out of reach (ADR 0022): see also
tests/portfolio/services/test_shared_debtor.py::test_searching_for_the_other_clients_number_finds_nothing.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from solvent.core.models import Role
from solvent.core.services import staff_role_set
from solvent.portfolio.models import Account, AccountDebtor, Client, Debtor, Email, Phone, Team
from solvent.portfolio.selectors import account_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, object]:
    acme = Client.objects.create(code="acme", name="Acme Bank")
    globex = Client.objects.create(code="globex", name="Globex Telecom")
    laura = Debtor.objects.create(first_name="Laura", middle_name="Jane", last_name="Gilbert")
    gilbert = Debtor.objects.create(first_name="Gilbert", last_name="Stone")
    laura_card = Account.objects.create(
        client=acme, account_number="4000-1234-9876", currency="USD", principal=Decimal("900")
    )
    stone_loan = Account.objects.create(
        client=acme, account_number="LN-77", currency="USD", principal=Decimal("50")
    )
    laura_phone = Account.objects.create(
        client=globex, account_number="TEL-5", currency="USD", principal=Decimal("80")
    )
    AccountDebtor.objects.create(account=laura_card, debtor=laura)
    AccountDebtor.objects.create(account=laura_phone, debtor=laura)
    AccountDebtor.objects.create(account=stone_loan, debtor=gilbert)
    mobile = Phone.objects.create(debtor=laura, e164="+16142250777", kind="mobile")
    mobile.clients.add(acme)
    uk_mobile = Phone.objects.create(debtor=gilbert, e164="+447700900123", kind="mobile")
    uk_mobile.clients.add(acme)
    work_mail = Email.objects.create(debtor=laura, address="laura.gilbert@globex-mail.example")
    work_mail.clients.add(globex)  # only Globex's file gave it
    home_mail = Email.objects.create(debtor=gilbert, address="g.stone@post.example")
    home_mail.clients.add(acme)
    officer = User.objects.create_user(username="officer")
    staff_role_set(user=officer, role=Role.COMPLIANCE_OFFICER)
    acme_agent = User.objects.create_user(username="acme-agent")
    staff_role_set(user=acme_agent, role=Role.AGENT)
    team = Team.objects.create(name="acme floor")
    team.clients.add(acme)
    team.members.add(acme_agent)
    return {"officer": officer, "acme_agent": acme_agent}


def _found(user: object, query: str) -> list[str]:
    accounts = account_list(user=user, query=query)  # type: ignore[arg-type]
    return sorted(accounts.values_list("account_number", flat=True))


@pytest.mark.parametrize(
    "query",
    [
        "Laura Gilbert",
        "Gilbert Laura",
        "  laura   GILBERT ",
        "Gilbert, Laura",
        "Laura Jane Gilbert",
    ],
)
def test_a_full_name_in_any_order_finds_the_persons_accounts(world, query) -> None:
    assert _found(world["officer"], query) == ["4000-1234-9876", "TEL-5"]


def test_one_name_finds_everyone_with_it_as_a_first_or_last_name(world) -> None:
    assert _found(world["officer"], "Gilbert") == ["4000-1234-9876", "LN-77", "TEL-5"]


def test_every_word_of_a_name_must_belong_to_the_same_person(world) -> None:
    # Laura Gilbert and Gilbert Stone both carry "Gilbert"; nobody is called Laura Stone.
    assert _found(world["officer"], "Laura Stone") == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("post.example", ["LN-77"]),
        ("@post.example", ["LN-77"]),
        ("g.stone", ["LN-77"]),
        ("G.Stone@Post.Example", ["LN-77"]),
        ("globex-mail.example", ["4000-1234-9876", "TEL-5"]),
    ],
)
def test_part_of_an_email_address_finds_the_account(world, query, expected) -> None:
    assert _found(world["officer"], query) == expected


@pytest.mark.parametrize(
    "query",
    ["+16142250777", "(614) 225-0777", "614.225.0777", "1 614 225 0777", "225-0777", "6142250777"],
)
def test_a_phone_number_in_any_format_finds_the_account(world, query) -> None:
    assert "4000-1234-9876" in _found(world["officer"], query)


@pytest.mark.parametrize("query", ["07700 900123", "+44 7700 900123", "0044 7700 900 123"])
def test_a_national_or_international_uk_number_finds_the_account(world, query) -> None:
    assert _found(world["officer"], query) == ["LN-77"]


@pytest.mark.parametrize("query", ["4000-1234-9876", "40001234", "1234-98", "ln-77"])
def test_the_account_number_or_part_of_it_finds_the_account(world, query) -> None:
    assert _found(world["officer"], query)[0] in {"4000-1234-9876", "LN-77"}
    assert len(_found(world["officer"], query)) == 1


def test_an_address_only_another_client_supplied_finds_nothing(world) -> None:
    # Acme's agent sees Laura's Acme card, but her work e-mail came from Globex's file only.
    assert _found(world["acme_agent"], "globex-mail.example") == []
    assert _found(world["acme_agent"], "Laura Gilbert") == ["4000-1234-9876"]
    assert _found(world["officer"], "globex-mail.example") == ["4000-1234-9876", "TEL-5"]


def test_a_short_or_empty_query_is_not_a_phone_search(world) -> None:
    assert _found(world["officer"], "") == ["4000-1234-9876", "LN-77", "TEL-5"]
    assert _found(world["officer"], "77") == ["LN-77"]  # the account number, not every phone

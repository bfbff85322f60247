"""The back office cannot move money, statuses or the law's facts by hand (issue 11, ADR 0027).

Balances change through the payments ledger and the placement files, an account's status through
the services that take promises, plans, disputes and recalls, a debtor's cease, bankruptcy, deceased
and attorney flags through the compliance holds and the placements, contact points' status and
owner through the desk's services. An administrator still corrects descriptive data (a name's
spelling, the language, the original creditor), each edit in the audit chain.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client as HttpClient
from django.test import RequestFactory

from solvent.portfolio.models import Account, Debtor
from tests.contact.factories import make_debtor

pytestmark = pytest.mark.django_db

ACCOUNT_LEDGER_FIELDS = {
    "client",
    "placement",
    "account_number",
    "currency",
    "principal",
    "interest",
    "fees",
    "last_payment_date",
    "last_payment_amount",
    "status",
    "placed_on",
    "open_date",
    "delinquency_date",
    "charge_off_date",
}
DEBTOR_LEGAL_FLAGS = {"is_deceased", "in_bankruptcy", "attorney_represented", "cease_communication"}


def _superuser() -> tuple[User, HttpClient]:
    root = User.objects.create_superuser("root", "root@example.com")
    http = HttpClient()
    http.force_login(root)
    return root, http


def _request(user: User) -> object:
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _management_forms(http: HttpClient, url: str) -> dict[str, str]:
    """The inline formsets' hidden counters, as the browser sends them back."""
    html = http.get(url).content.decode()
    pattern = r'name="([\w-]+-(?:TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS)" value="(\d*)"'
    return dict(re.findall(pattern, html))


def test_an_accounts_money_status_and_dates_are_read_only_in_the_back_office() -> None:
    root, _ = _superuser()
    account_admin = admin.site._registry[Account]
    read_only = set(account_admin.get_readonly_fields(_request(root)))
    assert read_only >= ACCOUNT_LEDGER_FIELDS
    assert not account_admin.has_add_permission(_request(root))
    assert not account_admin.has_delete_permission(_request(root))
    for inline in account_admin.get_inline_instances(_request(root)):
        assert not inline.has_add_permission(_request(root), None), inline
        assert not inline.has_change_permission(_request(root)), inline
        assert not inline.has_delete_permission(_request(root)), inline


def test_a_superuser_posting_a_new_balance_and_status_changes_neither() -> None:
    _, account = make_debtor()
    _, http = _superuser()
    url = f"/admin/portfolio/account/{account.pk}/change/"
    assert http.get(url).status_code == 200
    response = http.post(
        url,
        {
            **_management_forms(http, url),
            "principal": "1.00",
            "interest": "0",
            "fees": "0",
            "status": "paid",
            "product": "medical",
            "original_creditor": "Acme Card Services",
            "original_account_number": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    account.refresh_from_db()
    assert (account.principal, account.interest, account.status) == (
        Decimal("1000.00"),
        Decimal("34.56"),
        "active",
    )
    assert (account.product, account.original_creditor) == ("medical", "Acme Card Services")
    assert http.get("/admin/portfolio/account/add/").status_code == 403
    assert (
        http.post(f"/admin/portfolio/account/{account.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert Account.objects.filter(pk=account.pk).exists()


def test_a_debtors_legal_flags_and_contact_points_are_read_only_but_the_name_is_not() -> None:
    debtor, _ = make_debtor()
    root, http = _superuser()
    debtor_admin = admin.site._registry[Debtor]
    assert set(debtor_admin.get_readonly_fields(_request(root))) >= DEBTOR_LEGAL_FLAGS
    for inline in debtor_admin.get_inline_instances(_request(root)):
        assert not inline.has_add_permission(_request(root), debtor), inline
        assert not inline.has_change_permission(_request(root), debtor), inline
        assert not inline.has_delete_permission(_request(root), debtor), inline
    url = f"/admin/portfolio/debtor/{debtor.pk}/change/"
    response = http.post(
        url,
        {
            **_management_forms(http, url),
            "first_name": "María",
            "last_name": debtor.last_name,
            "language": "es",
            "cease_communication": "on",
            "is_deceased": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    debtor.refresh_from_db()
    assert (debtor.first_name, debtor.language) == ("María", "es")
    assert not debtor.cease_communication and not debtor.is_deceased

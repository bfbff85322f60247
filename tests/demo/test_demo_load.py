"""The demo loads a clean, realistic portfolio through the real import, and every role can log in."""

from __future__ import annotations

from io import StringIO

import phonenumbers
import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from solvent.core.selectors import staff_role_get
from solvent.demo.services import DEMO_USERS
from solvent.portfolio.generate import placement_rows
from solvent.portfolio.models import Account, Debtor, Placement

pytestmark = pytest.mark.django_db


def test_demo_loads_three_clients_without_rejections_and_users_for_every_role(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("demo", "--no-serve", "--accounts", "120", stdout=out)
    accounts = Account.objects.count()
    assert 120 < accounts < 132  # and Lakeside Auto's file, naming some of Harbor Bank's people
    assert set(Account.objects.values_list("client__code", flat=True)) == {
        "harbor-bank",
        "maple-telecom",
        "thames-energy",
        "lakeside-auto",
    }
    assert all(p.rows_rejected == 0 for p in Placement.objects.all())
    assert Debtor.objects.filter(phones__isnull=False).exists()
    for spec in DEMO_USERS:
        user = authenticate(username=spec.username, password=spec.password)
        assert user is not None, spec.username
        assert staff_role_get(user=user) == spec.role
    # Loading again keeps what is there.
    call_command("demo", "--no-serve", "--accounts", "120", stdout=out)
    assert Account.objects.count() == accounts
    assert "agent-demo" in out.getvalue()
    # The client codes a newcomer needs for `solvent import placements --client CODE`.
    for code in ("harbor-bank", "maple-telecom", "thames-energy", "lakeside-auto"):
        assert f"  {code:<13}  " in out.getvalue()


def test_generated_phones_are_valid_and_rows_are_reproducible() -> None:
    first = list(placement_rows(rows=300, seed=5))
    again = list(placement_rows(rows=300, seed=5))
    assert first == again
    countries = {row["country"] for row in first}
    assert {"US", "CA", "GB"} <= countries
    for row in first:
        for column in ("phone_home", "phone_mobile", "phone_work", "cosigner_phone"):
            if row[column]:
                number = phonenumbers.parse(row[column], row["country"])
                assert phonenumbers.is_valid_number(number), (row[column], row["country"])


def test_the_demo_floor_has_something_true_on_every_screen(tmp_path, settings) -> None:
    from django.db.models import Count

    from solvent.arrangements.models import PaymentPlan, Promise
    from solvent.compliance.models import Hold
    from solvent.contact.models import Interaction, OutboxMessage
    from solvent.desk.models import Callback

    settings.VAR_DIR = tmp_path
    call_command("demo", "--no-serve", "--accounts", "300", stdout=StringIO())
    shared = (
        Debtor.objects.annotate(clients=Count("accounts__client", distinct=True))
        .filter(clients__gte=2)
        .count()
    )
    assert shared >= 3  # people who owe Harbor Bank and Lakeside Auto
    assert {"kept", "broken", "pending"} <= set(Promise.objects.values_list("status", flat=True))
    assert {"active", "broken"} <= set(PaymentPlan.objects.values_list("status", flat=True))
    assert Callback.objects.filter(status="pending").count() >= 4
    assert {"dispute", "attorney", "hardship"} <= set(Hold.objects.values_list("kind", flat=True))
    assert OutboxMessage.objects.exists()
    named = set(
        Interaction.objects.filter(agent__isnull=False).values_list("agent__username", flat=True)
    )
    assert {"agent", "maria", "tom"} <= named
    # The money (issue 13): a ledger that agrees with the balances, last month's statements, a
    # settlement in each state, a debtor waiting in the chat, and a text with a working link.
    from solvent.payments.models import Payment, PaymentAllocation, RemittanceStatement, Settlement
    from solvent.portal.links import portal_link_find
    from solvent.portal.models import ChatConversation

    statuses = set(Payment.objects.values_list("status", flat=True))
    assert {"cleared", "returned"} <= statuses
    for payment in Payment.objects.filter(status="cleared")[:50]:
        allocated = sum(a.amount for a in PaymentAllocation.objects.filter(payment=payment))
        assert allocated == payment.amount, payment.pk
    assert RemittanceStatement.objects.values("client").distinct().count() == 4
    assert {"offered", "pending_approval", "paid"} <= set(
        Settlement.objects.values_list("status", flat=True)
    )
    assert Account.objects.filter(status="settled").exists()
    assert ChatConversation.objects.filter(status="waiting").exists()
    invite = OutboxMessage.objects.filter(cause__startswith="demo:portal-invite").latest("pk")
    token = invite.body.split("/my/l/")[1].split("/")[0]
    link = portal_link_find(token)
    assert link is not None and link.used_at is None

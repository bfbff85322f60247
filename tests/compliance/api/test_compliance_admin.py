"""The back office lists compliance records and refuses to edit them (services own every change)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client as HttpClient

from solvent.compliance import services
from solvent.compliance.models import Hold
from tests.compliance.services.compliance_fixtures import MOBILE, NOON, ohio_debtor_create

pytestmark = pytest.mark.django_db

MODELS = ("consent", "hold", "timepreference", "decisionlog", "contactattempt", "debtnotice")


def test_changelists_render_and_rows_cannot_be_edited() -> None:
    ohio = ohio_debtor_create()
    hold = services.hold_place(debtor_id=ohio.debtor.pk, kind="dispute", source="letter")
    services.consent_grant(
        debtor_id=ohio.debtor.pk, channel="call", contact_point=MOBILE, source="application"
    )
    services.contact_attempt_authorize(
        debtor_id=ohio.debtor.pk,
        channel="call",
        contact_point=MOBILE,
        account_ids=[ohio.card.pk],
        at=NOON,
    )
    client = HttpClient()
    client.force_login(User.objects.create_superuser(username="root", email="root@example.com"))
    for model in MODELS:
        response = client.get(f"/admin/compliance/{model}/")
        assert response.status_code == 200, model
    assert client.get(f"/admin/compliance/hold/{hold.pk}/change/").status_code == 200
    assert client.get("/admin/compliance/hold/add/").status_code == 403
    client.post(f"/admin/compliance/hold/{hold.pk}/delete/", {"post": "yes"})
    assert Hold.objects.filter(pk=hold.pk).exists()

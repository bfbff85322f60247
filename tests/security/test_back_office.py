"""The back office cannot rewrite history, and every edit it can make is in the audit chain.

Every model registered in the admin has a decision: evidence (contact history, the outbox, inbound
events, every compliance record, the audit log, placements) is read-only for everyone, superusers
included; everything else is edited through `AuditedAdmin`, which writes each add, change and delete
to the audit chain with the request's user. The tests are generated from `admin.site._registry`, so
a model registered without a decision fails here.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.db.models import Model
from django.test import Client as HttpClient
from django.test import RequestFactory

from solvent.audit.models import AuditEntry
from solvent.contact.models import Interaction, OutboxMessage
from solvent.core.admin_audit import AuditedAdmin, ReadOnlyAdmin, admin_change_summary
from solvent.portfolio.models import Client
from tests.contact.factories import make_debtor

# Evidence: what was said to whom and when, and why it was lawful. Services write it, with their
# audit entry, locks and who/when/why columns; nobody edits it here.
READ_ONLY = frozenset(
    {
        "contact.Interaction",
        "contact.OutboxMessage",
        "contact.InboundEvent",
        "contact.LetterBatch",
        "compliance.Consent",
        "compliance.Hold",
        "compliance.HoldReleaseRequest",
        "compliance.TimePreference",
        "compliance.DecisionLog",
        "compliance.ContactAttempt",
        "compliance.DebtNotice",
        "audit.AuditEntry",
        "portfolio.Placement",
        "payments.Payment",
        "django_tasks_database.DBTaskResult",
        # The dialer's records (issue 14): the dialer process and its services write them.
        "dialer.AgentSession",
        "dialer.HopperEntry",
        "dialer.Call",
        "dialer.Recording",
        # QA (issue 16): the desk's QA pages and the practice floor write them, audited.
        "quality.QaReview",
        "quality.CoachingNote",
    }
)
# Reference data the back office owns: edited here, every edit audited with its actor.
AUDITED = frozenset(
    {
        "auth.User",
        "auth.Group",
        "core.StaffProfile",
        "core.ApiToken",
        "portfolio.Client",
        "portfolio.Team",
        "portfolio.Debtor",
        "portfolio.Account",
        "contact.MessageTemplate",
        "payments.ClientTerms",
        "dialer.Campaign",
        "portfolio.PlacementProfile",
    }
)
REGISTERED = sorted(model._meta.label for model in admin.site._registry)
EVIDENCE_APPS = ("contact", "compliance", "audit")


def _admin_for(label: str) -> admin.ModelAdmin:  # type: ignore[type-arg]
    for model, model_admin in admin.site._registry.items():
        if model._meta.label == label:
            return model_admin
    raise AssertionError(f"{label} is not registered")


def _superuser_request() -> object:
    request = RequestFactory().get("/admin/")
    request.user = User(username="root", is_superuser=True, is_staff=True, is_active=True)
    return request


@pytest.mark.parametrize("label", REGISTERED)
def test_every_back_office_model_is_read_only_or_audited(label: str) -> None:
    model_admin = _admin_for(label)
    assert label in READ_ONLY | AUDITED, (
        f"{label} is in the back office with no decision: read-only evidence (ReadOnlyAdmin) or "
        "edited with an audit entry (AuditedAdmin)? Add it to READ_ONLY or AUDITED here."
    )
    if label in AUDITED:
        assert isinstance(model_admin, AuditedAdmin), label
        return
    request = _superuser_request()
    assert not model_admin.has_add_permission(request), label  # type: ignore[arg-type]
    assert not model_admin.has_change_permission(request), label  # type: ignore[arg-type]
    assert not model_admin.has_delete_permission(request), label  # type: ignore[arg-type]
    for inline in model_admin.get_inline_instances(request):  # type: ignore[arg-type]
        assert not inline.has_add_permission(request, None), (label, inline)  # type: ignore[arg-type]
        assert not inline.has_change_permission(request, None), (label, inline)  # type: ignore[arg-type]
        assert not inline.has_delete_permission(request, None), (label, inline)  # type: ignore[arg-type]


@pytest.mark.parametrize("label", [x for x in REGISTERED if x.startswith(EVIDENCE_APPS)])
def test_contact_compliance_and_audit_records_are_evidence_unless_decided_otherwise(
    label: str,
) -> None:
    if label == "contact.MessageTemplate":  # templates: edited here, versions through services
        return
    assert isinstance(_admin_for(label), ReadOnlyAdmin), label


@pytest.mark.django_db
def test_a_superuser_cannot_add_change_or_delete_contact_history_over_http() -> None:
    debtor, _ = make_debtor()
    interaction = Interaction.objects.create(
        debtor=debtor,
        channel="sms",
        direction="outbound",
        contact_point="+15185550001",
        occurred_at=datetime(2026, 1, 5, 15, tzinfo=UTC),
        summary="reminder sent",
    )
    http = HttpClient()
    http.force_login(User.objects.create_superuser("root", "root@example.com"))
    base = "/admin/contact/interaction"
    assert http.get(f"{base}/{interaction.pk}/change/").status_code == 200
    assert http.get(f"{base}/add/").status_code == 403
    assert http.post(f"{base}/{interaction.pk}/change/", {"summary": "never"}).status_code == 403
    assert http.post(f"{base}/{interaction.pk}/delete/", {"post": "yes"}).status_code == 403
    listing = http.post(
        f"{base}/",
        {"action": "delete_selected", "_selected_action": [interaction.pk], "post": "yes"},
    )
    assert listing.status_code == 200  # no such action: the list is shown again
    interaction.refresh_from_db()
    assert interaction.summary == "reminder sent"


def _entries(action: str, obj: Model) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            action=action, object_type=obj._meta.label, object_id=str(obj.pk)
        ).order_by("id")
    )


@pytest.mark.django_db
def test_an_edit_in_the_back_office_is_in_the_audit_chain_with_its_actor() -> None:
    root = User.objects.create_superuser("root", "root@example.com")
    http = HttpClient()
    http.force_login(root)
    form = {"code": "acme", "name": "Acme Bank", "currency": "USD", "country": "US"}
    assert http.post("/admin/portfolio/client/add/", {**form, "is_active": "on"}).status_code == 302
    client = Client.objects.get(code="acme")
    changed = http.post(
        f"/admin/portfolio/client/{client.pk}/change/", {**form, "name": "Acme", "is_active": "on"}
    )
    assert changed.status_code == 302
    deleted = http.post(f"/admin/portfolio/client/{client.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302 and not Client.objects.filter(pk=client.pk).exists()

    (added,) = _entries("admin.added", client)
    (change,) = _entries("admin.changed", client)
    (deletion,) = _entries("admin.deleted", client)
    assert {added.actor_id, change.actor_id, deletion.actor_id} == {root.pk}
    assert change.data["changes"] == [{"changed": {"fields": ["Name"]}}]

    password = http.post(
        f"/admin/auth/user/{root.pk}/password/",
        {"password1": "a-new-long-password-9", "password2": "a-new-long-password-9"},
    )
    assert password.status_code == 302
    (user_change,) = _entries("admin.changed", root)
    assert user_change.actor_id == root.pk
    assert "a-new-long-password-9" not in str(user_change.data)


def test_the_audit_keeps_which_fields_and_rows_changed_never_their_text() -> None:
    message = [
        {"changed": {"fields": ["Last name"]}},
        {"added": {"name": "phone", "object": "+15185550001"}},
        {"deleted": {"name": "email", "object": "maria@example.com"}},
    ]
    assert admin_change_summary(message) == [
        {"changed": {"fields": ["Last name"]}},
        {"added": {"name": "phone"}},
        {"deleted": {"name": "email"}},
    ]


@pytest.mark.django_db
def test_the_dead_letter_requeue_goes_through_the_service_and_is_audited_as_the_operator() -> None:
    debtor, _ = make_debtor()
    message = OutboxMessage.objects.create(
        channel="sms",
        debtor=debtor,
        contact_point="+15185550001",
        body="hello",
        status="dead",
        failures=5,
        next_attempt_at=datetime(2026, 1, 5, tzinfo=UTC),
    )
    root = User.objects.create_superuser("root", "root@example.com")
    http = HttpClient()
    http.force_login(root)
    response = http.post(
        "/admin/contact/outboxmessage/", {"action": "requeue", "_selected_action": [message.pk]}
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.status, message.failures) == ("pending", 0)
    (entry,) = AuditEntry.objects.filter(action="outbox.requeue")
    assert entry.actor_id == root.pk

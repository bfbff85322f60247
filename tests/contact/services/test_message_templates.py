"""Templates: versions, activation checks, previews, and messages rendered from them."""

from __future__ import annotations

import pytest

from solvent.audit.models import AuditEntry
from solvent.contact.models import TemplateVersion
from solvent.contact.selectors import template_preview
from solvent.contact.services import (
    MessageRequest,
    TemplateInvalidError,
    message_enqueue,
    template_create,
    template_version_activate,
    template_version_add,
)
from tests.contact.factories import make_debtor

pytestmark = pytest.mark.django_db

BODY = (
    "Dear {{ debtor_first_name }}, your {{ creditor_name }} balance is {{ balance }} {{ currency }}.\n"
    "{{ debt_collector_disclosure }}\nStop e-mails: {{ unsubscribe_url }}"
)


def _email_template(language: str = "en"):
    return template_create(code="reminder", channel="email", language=language, name="Reminder")


def test_versions_are_numbered_and_one_is_active() -> None:
    template = _email_template()
    first = template_version_add(template_id=template.pk, subject="Reminder", body=BODY)
    second = template_version_add(template_id=template.pk, subject="Reminder 2", body=BODY)
    template_version_activate(version_id=first.pk)
    template_version_activate(version_id=second.pk)
    first.refresh_from_db()
    assert (first.number, second.number) == (1, 2)
    assert first.status == TemplateVersion.Status.RETIRED
    assert TemplateVersion.objects.get(status="active") == second
    assert AuditEntry.objects.filter(action="template.activate").count() == 2


def test_a_template_with_an_unknown_variable_fails_at_activation_not_at_send() -> None:
    template = _email_template()
    version = template_version_add(
        template_id=template.pk, subject="Hi", body=BODY + " {{ amount_due }}"
    )
    with pytest.raises(TemplateInvalidError) as caught:
        template_version_activate(version_id=version.pk)
    assert caught.value.errors == ["unknown variable(s): amount_due"]
    version.refresh_from_db()
    assert version.status == TemplateVersion.Status.DRAFT


def test_an_email_without_opt_out_cannot_be_activated() -> None:
    template = _email_template()
    version = template_version_add(
        template_id=template.pk, subject="Hi", body="{{ debt_collector_disclosure }}"
    )
    with pytest.raises(TemplateInvalidError, match=r"1006\.6\(e\)"):
        template_version_activate(version_id=version.pk)


def test_preview_uses_sample_values() -> None:
    template = _email_template()
    version = template_version_add(template_id=template.pk, subject="Hi", body=BODY)
    subject, body = template_preview(version_id=version.pk, variables={"debtor_first_name": "Ana"})
    assert subject == "Hi"
    assert body.startswith("Dear Ana, your Acme Bank balance is 1,234.56 USD.")


def test_a_message_renders_the_active_version_in_the_debtors_language(lawful_time) -> None:
    for language in ("en", "es"):
        template = _email_template(language)
        version = template_version_add(template_id=template.pk, subject=f"[{language}]", body=BODY)
        template_version_activate(version_id=version.pk)
    debtor, account = make_debtor(language="es")
    message = message_enqueue(
        request=MessageRequest(
            debtor_id=debtor.pk,
            channel="email",
            contact_point=debtor.emails.first().address,
            account_ids=(account.pk,),
            template_code="reminder",
        )
    )
    assert message.subject == "[es]"
    assert message.language == "es"
    assert "cobrador de deudas" in message.body
    assert "1,034.56 USD" in message.body
    assert "/contact/unsubscribe/" in message.body

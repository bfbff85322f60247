"""The default templates pass their own activation checks and render for a real debtor."""

from __future__ import annotations

import pytest

from solvent.contact.default_templates import DEFAULT_TEMPLATES, default_templates_install
from solvent.contact.models import TemplateVersion
from solvent.contact.services import MessageRequest, message_enqueue
from tests.contact.factories import make_debtor

pytestmark = pytest.mark.django_db


def test_all_defaults_install_active_and_twice_is_harmless() -> None:
    assert default_templates_install() == len(DEFAULT_TEMPLATES)
    assert default_templates_install() == 0
    assert TemplateVersion.objects.filter(status="active").count() == len(DEFAULT_TEMPLATES)


def test_the_voicemail_script_says_nothing_about_a_debt(lawful_time) -> None:
    default_templates_install()
    debtor, account = make_debtor()
    message = message_enqueue(
        request=MessageRequest(
            debtor_id=debtor.pk,
            channel="voicemail",
            contact_point=debtor.phones.first().e164,
            account_ids=(account.pk,),
            template_code="limited_content_voicemail",
        )
    )
    assert "debt" not in message.body.lower() and "Alex" in message.body


def test_a_spanish_text_from_the_defaults(lawful_time) -> None:
    default_templates_install()
    debtor, account = make_debtor(language="es")
    message = message_enqueue(
        request=MessageRequest(
            debtor_id=debtor.pk,
            channel="sms",
            contact_point=debtor.phones.first().e164,
            account_ids=(account.pk,),
            template_code="payment_reminder",
        )
    )
    assert "Responda STOP" in message.body and "cobrador de deudas" in message.body

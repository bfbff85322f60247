"""The templates a new installation starts with, in English and Spanish; installed through the services.

They pass the same activation checks as any author's template, which the tests prove, so they are
also worked examples: the disclosure, the opt-out words and the limited-content voicemail script.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from solvent.audit.services import audit_system
from solvent.contact.models import MessageTemplate
from solvent.contact.services import (
    template_create,
    template_version_activate,
    template_version_add,
)


@dataclass(frozen=True)
class DefaultTemplate:
    code: str
    channel: str
    language: str
    name: str
    subject: str
    body: str
    limited_content: bool = False


DEFAULT_TEMPLATES: tuple[DefaultTemplate, ...] = (
    DefaultTemplate(
        "payment_reminder",
        "email",
        "en",
        "Payment reminder (e-mail)",
        "Your {{ creditor_name }} account {{ account_number_masked }}",
        "Dear {{ debtor_first_name }},\n\nYour {{ creditor_name }} account {{ account_number_masked }} "
        "has a balance of {{ balance }} {{ currency }}. You can see the details, pay, or set up a plan "
        "that suits you at {{ portal_url }}, or call us on {{ agency_phone }} ({{ agency_hours }}).\n\n"
        "{{ debt_collector_disclosure }}\n\n{{ agency_name }}\n\n"
        "To stop receiving e-mails from us at this address: {{ unsubscribe_url }}",
    ),
    DefaultTemplate(
        "payment_reminder",
        "email",
        "es",
        "Recordatorio de pago (correo)",
        "Su cuenta de {{ creditor_name }} {{ account_number_masked }}",
        "Estimado/a {{ debtor_first_name }}:\n\nSu cuenta de {{ creditor_name }} "
        "{{ account_number_masked }} tiene un saldo de {{ balance }} {{ currency }}. Puede ver los "
        "detalles, pagar o acordar un plan en {{ portal_url }}, o llamarnos al {{ agency_phone }} "
        "({{ agency_hours }}).\n\n{{ debt_collector_disclosure }}\n\n{{ agency_name }}\n\n"
        "Para dejar de recibir correos nuestros en esta dirección: {{ unsubscribe_url }}",
    ),
    DefaultTemplate(
        "payment_reminder",
        "sms",
        "en",
        "Payment reminder (text)",
        "",
        "{{ agency_name }}: {{ debt_collector_disclosure }} About your {{ creditor_name }} account: "
        "{{ portal_url }} or {{ agency_phone }}. Reply STOP to opt out.",
    ),
    DefaultTemplate(
        "payment_reminder",
        "sms",
        "es",
        "Recordatorio de pago (texto)",
        "",
        "{{ agency_name }}: {{ debt_collector_disclosure }} Sobre su cuenta de {{ creditor_name }}: "
        "{{ portal_url }} o {{ agency_phone }}. Responda STOP para no recibir mensajes.",
    ),
    DefaultTemplate(
        "limited_content_voicemail",
        "voicemail",
        "en",
        "Limited-content voicemail",
        "",
        "Hello, this is {{ agent_name }} calling from {{ agency_name }}. Please call me back at "
        "{{ callback_number }}. Thank you.",
        limited_content=True,
    ),
    DefaultTemplate(
        "limited_content_voicemail",
        "voicemail",
        "es",
        "Mensaje de voz de contenido limitado",
        "",
        "Hola, le habla {{ agent_name }} de {{ agency_name }}. Por favor llámeme al "
        "{{ callback_number }}. Gracias.",
        limited_content=True,
    ),
)


@audit_system("default templates installed by a command")
def default_templates_install(*, actor_id: int | None = None) -> int:
    """Create and activate the default templates that do not exist yet; returns how many."""
    created = 0
    with transaction.atomic():
        for default in DEFAULT_TEMPLATES:
            if MessageTemplate.objects.filter(
                code=default.code, channel=default.channel, language=default.language
            ).exists():
                continue
            template = template_create(
                code=default.code,
                channel=default.channel,
                language=default.language,
                name=default.name,
                limited_content=default.limited_content,
                actor_id=actor_id,
            )
            version = template_version_add(
                template_id=template.pk,
                subject=default.subject,
                body=default.body,
                actor_id=actor_id,
            )
            template_version_activate(version_id=version.pk, actor_id=actor_id)
            created += 1
    return created

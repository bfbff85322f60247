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
    # Reminders before a promise's or a plan instalment's due date (payments.services.reminders).
    DefaultTemplate(
        "promise_reminder",
        "sms",
        "en",
        "Promise reminder (text)",
        "",
        "{{ agency_name }}: {{ debt_collector_disclosure }} A reminder: the payment you promised on "
        "your {{ creditor_name }} account {{ account_number_masked }}, {{ currency }} "
        "{{ arrangement_amount }}, is due on {{ arrangement_due_date }}. See it or change it at {{ portal_url }} or call {{ agency_phone }}. Reply STOP to opt out.",
    ),
    DefaultTemplate(
        "promise_reminder",
        "sms",
        "es",
        "Recordatorio de promesa (texto)",
        "",
        "{{ agency_name }}: {{ debt_collector_disclosure }} Recordatorio: el pago que prometió en su "
        "cuenta de {{ creditor_name }} {{ account_number_masked }}, {{ currency }} "
        "{{ arrangement_amount }}, vence el {{ arrangement_due_date }}. Véalo o cámbielo en "
        "{{ portal_url }} o llame al {{ agency_phone }}. Responda STOP para no recibir mensajes.",
    ),
    DefaultTemplate(
        "promise_reminder",
        "email",
        "en",
        "Promise reminder (e-mail)",
        "Reminder: the payment you promised on your {{ creditor_name }} account",
        "Dear {{ debtor_first_name }},\n\nThis is a reminder that the payment you promised on your "
        "{{ creditor_name }} account {{ account_number_masked }}, {{ currency }} "
        "{{ arrangement_amount }}, is due on {{ arrangement_due_date }}. See it, pay, or tell us if you need to change it at {{ portal_url }}, or "
        "call us on {{ agency_phone }} ({{ agency_hours }}).\n\n{{ debt_collector_disclosure }}"
        "\n\n{{ agency_name }}\n\nTo stop receiving e-mails from us at this address: "
        "{{ unsubscribe_url }}",
    ),
    DefaultTemplate(
        "promise_reminder",
        "email",
        "es",
        "Recordatorio de promesa (correo)",
        "Recordatorio: el pago que prometió en su cuenta de {{ creditor_name }}",
        "Estimado/a {{ debtor_first_name }}:\n\nLe recordamos que el pago que prometió en su cuenta "
        "de {{ creditor_name }} {{ account_number_masked }}, {{ currency }} {{ arrangement_amount }}, "
        "vence el {{ arrangement_due_date }}. Véalo, pague o díganos si necesita cambiarlo en {{ portal_url }}, o llámenos "
        "al {{ agency_phone }} ({{ agency_hours }}).\n\n{{ debt_collector_disclosure }}\n\n"
        "{{ agency_name }}\n\nPara dejar de recibir correos nuestros en esta dirección: "
        "{{ unsubscribe_url }}",
    ),
    DefaultTemplate(
        "instalment_reminder",
        "sms",
        "en",
        "Plan instalment reminder (text)",
        "",
        "{{ agency_name }}: {{ debt_collector_disclosure }} A reminder: the next instalment of your "
        "plan on your {{ creditor_name }} account {{ account_number_masked }}, {{ currency }} "
        "{{ arrangement_amount }}, is due on {{ arrangement_due_date }}. Details: "
        "{{ portal_url }} or {{ agency_phone }}. Reply STOP to opt out.",
    ),
    DefaultTemplate(
        "instalment_reminder",
        "sms",
        "es",
        "Recordatorio de cuota del plan (texto)",
        "",
        "{{ agency_name }}: {{ debt_collector_disclosure }} Recordatorio: la próxima cuota de su plan "
        "en su cuenta de {{ creditor_name }} {{ account_number_masked }}, {{ currency }} "
        "{{ arrangement_amount }}, vence el {{ arrangement_due_date }}. Detalles: "
        "{{ portal_url }} o {{ agency_phone }}. Responda STOP para no recibir mensajes.",
    ),
    DefaultTemplate(
        "instalment_reminder",
        "email",
        "en",
        "Plan instalment reminder (e-mail)",
        "Reminder: your next {{ creditor_name }} plan instalment",
        "Dear {{ debtor_first_name }},\n\nThis is a reminder that the next instalment of your "
        "payment plan on your {{ creditor_name }} account {{ account_number_masked }}, {{ currency }} "
        "{{ arrangement_amount }}, is due on {{ arrangement_due_date }}. See it, pay, or tell us if it has become hard to keep "
        "up at {{ portal_url }}, or call us on {{ agency_phone }} ({{ agency_hours }}).\n\n"
        "{{ debt_collector_disclosure }}\n\n{{ agency_name }}\n\nTo stop receiving e-mails from "
        "us at this address: {{ unsubscribe_url }}",
    ),
    DefaultTemplate(
        "instalment_reminder",
        "email",
        "es",
        "Recordatorio de cuota del plan (correo)",
        "Recordatorio: su próxima cuota del plan de {{ creditor_name }}",
        "Estimado/a {{ debtor_first_name }}:\n\nLe recordamos que la próxima cuota de su plan de "
        "pagos en su cuenta de {{ creditor_name }} {{ account_number_masked }}, {{ currency }} "
        "{{ arrangement_amount }}, vence el {{ arrangement_due_date }}. Véala, pague o díganos si le resulta difícil seguir en "
        "{{ portal_url }}, o llámenos al {{ agency_phone }} ({{ agency_hours }}).\n\n"
        "{{ debt_collector_disclosure }}\n\n{{ agency_name }}\n\nPara dejar de recibir correos "
        "nuestros en esta dirección: {{ unsubscribe_url }}",
    ),
    # A new link to the debtor's page, asked for on the page when an old link was used or expired
    # (solvent.portal, docs/portal.md).
    DefaultTemplate(
        "portal_link",
        "sms",
        "en",
        "New link to your page (text)",
        "",
        "{{ agency_name }}: {{ debt_collector_disclosure }} Your new link: {{ portal_url }} "
        "Reply STOP to opt out.",
    ),
    DefaultTemplate(
        "portal_link",
        "sms",
        "es",
        "Enlace nuevo a su página (texto)",
        "",
        "{{ agency_name }}: {{ debt_collector_disclosure }} Su enlace nuevo: {{ portal_url }} "
        "Responda STOP para no recibir mensajes.",
    ),
    DefaultTemplate(
        "portal_link",
        "email",
        "en",
        "New link to your page (e-mail)",
        "Your new link from {{ agency_name }}",
        "Dear {{ debtor_first_name }},\n\nYou asked for a new link to your page. It opens once: "
        "{{ portal_url }}\n\nQuestions: {{ agency_phone }} ({{ agency_hours }}).\n\n"
        "{{ debt_collector_disclosure }}\n\n{{ agency_name }}\n\n"
        "To stop receiving e-mails from us at this address: {{ unsubscribe_url }}",
    ),
    DefaultTemplate(
        "portal_link",
        "email",
        "es",
        "Enlace nuevo a su página (correo)",
        "Su enlace nuevo de {{ agency_name }}",
        "Estimado/a {{ debtor_first_name }}:\n\nPidió un enlace nuevo a su página. Se abre una sola "
        "vez: {{ portal_url }}\n\nDudas: {{ agency_phone }} ({{ agency_hours }}).\n\n"
        "{{ debt_collector_disclosure }}\n\n{{ agency_name }}\n\n"
        "Para dejar de recibir correos nuestros en esta dirección: {{ unsubscribe_url }}",
    ),
    # The default treatment paths' messages (solvent.strategy.domain.defaults, docs/strategy.md).
    DefaultTemplate(
        "strategy_sms_selfservice",
        "sms",
        "en",
        "Strategy: first text with the self-service link",
        "",
        "{{ agency_name }}: {{ debt_collector_disclosure }} See your {{ creditor_name }} balance, pay "
        "or set up a plan at {{ portal_url }}. Questions: {{ agency_phone }}. Reply STOP to opt out.",
    ),
    DefaultTemplate(
        "strategy_sms_selfservice",
        "sms",
        "es",
        "Estrategia: primer texto con el enlace de autoservicio",
        "",
        "{{ agency_name }}: {{ debt_collector_disclosure }} Vea su saldo de {{ creditor_name }}, pague "
        "o acuerde un plan en {{ portal_url }}. Dudas: {{ agency_phone }}. Responda STOP para no "
        "recibir mensajes.",
    ),
    DefaultTemplate(
        "strategy_email_reminder",
        "email",
        "en",
        "Strategy: reminder e-mail",
        "About your {{ creditor_name }} account {{ account_number_masked }}",
        "Dear {{ debtor_first_name }},\n\nWe wrote to you about your {{ creditor_name }} account "
        "{{ account_number_masked }} (balance {{ balance }} {{ currency }}). If you are finding it hard "
        "to pay, we can agree an amount you can afford: see {{ portal_url }} or call "
        "{{ agency_phone }} ({{ agency_hours }}).\n\n{{ debt_collector_disclosure }}\n\n"
        "{{ agency_name }}\n\nTo stop receiving e-mails from us at this address: {{ unsubscribe_url }}",
    ),
    DefaultTemplate(
        "strategy_email_reminder",
        "email",
        "es",
        "Estrategia: correo recordatorio",
        "Sobre su cuenta de {{ creditor_name }} {{ account_number_masked }}",
        "Estimado/a {{ debtor_first_name }}:\n\nLe escribimos sobre su cuenta de {{ creditor_name }} "
        "{{ account_number_masked }} (saldo {{ balance }} {{ currency }}). Si le resulta difícil pagar, "
        "podemos acordar una cantidad que pueda asumir: {{ portal_url }} o {{ agency_phone }} "
        "({{ agency_hours }}).\n\n{{ debt_collector_disclosure }}\n\n{{ agency_name }}\n\n"
        "Para dejar de recibir correos nuestros en esta dirección: {{ unsubscribe_url }}",
    ),
    DefaultTemplate(
        "strategy_email_settlement",
        "email",
        "en",
        "Strategy: settlement offer e-mail",
        "An offer to settle your {{ creditor_name }} account",
        "Dear {{ debtor_first_name }},\n\nYour {{ creditor_name }} account {{ account_number_masked }} "
        "has a balance of {{ balance }} {{ currency }}. We may be able to accept less than the full "
        "balance to settle it. See what we can offer at {{ portal_url }} or call {{ agency_phone }} "
        "({{ agency_hours }}).\n\n{{ debt_collector_disclosure }}\n\n{{ agency_name }}\n\n"
        "To stop receiving e-mails from us at this address: {{ unsubscribe_url }}",
    ),
    DefaultTemplate(
        "strategy_email_settlement",
        "email",
        "es",
        "Estrategia: oferta de liquidación (correo)",
        "Una oferta para liquidar su cuenta de {{ creditor_name }}",
        "Estimado/a {{ debtor_first_name }}:\n\nSu cuenta de {{ creditor_name }} "
        "{{ account_number_masked }} tiene un saldo de {{ balance }} {{ currency }}. Podríamos aceptar "
        "menos del saldo total para liquidarla. Vea nuestra oferta en {{ portal_url }} o llame al "
        "{{ agency_phone }} ({{ agency_hours }}).\n\n{{ debt_collector_disclosure }}\n\n"
        "{{ agency_name }}\n\nPara dejar de recibir correos nuestros en esta dirección: "
        "{{ unsubscribe_url }}",
    ),
    DefaultTemplate(
        "strategy_letter_contact",
        "letter",
        "en",
        "Strategy: letter asking the debtor to get in touch",
        "Please contact us about your {{ creditor_name }} account",
        "Dear {{ debtor_full_name }},\n\n## Your {{ creditor_name }} account "
        "{{ account_number_masked }}\n\nWe have tried to reach you about this account, which has a "
        "balance of {{ balance }} {{ currency }}. Please contact us on {{ agency_phone }} "
        "({{ agency_hours }}) or visit {{ portal_url }} to see the details and agree a way forward "
        "you can afford.\n\n{{ debt_collector_disclosure }}\n\n{{ agency_name }}",
    ),
    DefaultTemplate(
        "strategy_letter_contact",
        "letter",
        "es",
        "Estrategia: carta pidiendo que nos contacte",
        "Por favor contáctenos sobre su cuenta de {{ creditor_name }}",
        "Estimado/a {{ debtor_full_name }}:\n\n## Su cuenta de {{ creditor_name }} "
        "{{ account_number_masked }}\n\nHemos intentado contactarle sobre esta cuenta, con un saldo de "
        "{{ balance }} {{ currency }}. Llámenos al {{ agency_phone }} ({{ agency_hours }}) o visite "
        "{{ portal_url }} para ver los detalles y acordar una solución que pueda asumir.\n\n"
        "{{ debt_collector_disclosure }}\n\n{{ agency_name }}",
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

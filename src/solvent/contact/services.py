"""Writes of the contact app: queue messages, record interactions, manage templates.

Queuing a message is part of the caller's transaction (the decision that causes it): the outbox row
and the decision commit together or not at all. The dispatch task is enqueued on commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from solvent.audit.services import audit_record
from solvent.contact.domain.model import Channel, Direction, Disposition, ledger_outcome_for
from solvent.contact.domain.templates import (
    TemplateDraft,
    TemplateProblemError,
    render,
    template_problems,
)
from solvent.contact.models import Interaction, MessageTemplate, OutboxMessage, TemplateVersion
from solvent.contact.unsubscribe import unsubscribe_url_for
from solvent.core import clock
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.portfolio.models import Account, Debtor

_DISCLOSURE = {
    "en": "This communication is from a debt collector.",
    "es": "Esta comunicación proviene de un cobrador de deudas.",
}
# Dispositions that are a request the law makes us honour at once: they place a hold.
_HOLD_FOR_DISPOSITION = {
    Disposition.CEASE_REQUEST: "cease",
    Disposition.DISPUTE: "dispute",
    Disposition.BANKRUPTCY: "bankruptcy",
    Disposition.ATTORNEY: "attorney",
    Disposition.DECEASED: "deceased",
    Disposition.HARDSHIP: "hardship",
}
# Outbound contacts here are recorded only with the gate's authorization (chat too: ADR 0031).
_OUTBOUND_ATTEMPT_CHANNELS = {
    Channel.CALL,
    Channel.VOICEMAIL,
    Channel.SMS,
    Channel.EMAIL,
    Channel.CHAT,
}
_PHONE_CHANNELS = {Channel.CALL, Channel.VOICEMAIL, Channel.SMS}


class TemplateInvalidError(ValidationError):
    code = "template_invalid"

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.errors = problems


@dataclass(frozen=True)
class MessageRequest:
    """One message to queue: either a template code with variables, or a ready subject and body."""

    debtor_id: int
    channel: str
    contact_point: str
    account_ids: tuple[int, ...] = ()
    template_code: str = ""
    variables: Mapping[str, str] = field(default_factory=dict)
    subject: str = ""
    body: str = ""
    language: str = ""
    not_before: datetime | None = None
    cause: str = ""


def _money(value: object) -> str:
    return f"{value:,.2f}"


def message_variables(
    *, debtor: Debtor, accounts: Sequence[Account], channel: str, contact_point: str, language: str
) -> dict[str, str]:
    """The standard variables every template may use, from the debtor and the debts concerned."""
    from solvent.portal.links import portal_url_for_message

    first = accounts[0] if accounts else None
    variables = {
        "debtor_first_name": debtor.first_name,
        "debtor_last_name": debtor.last_name,
        "debtor_full_name": debtor.full_name,
        "agency_name": getattr(settings, "SOLVENT_AGENCY_NAME", "Solvent Recovery"),
        "agency_phone": getattr(settings, "SOLVENT_AGENCY_PHONE", "+1 800 555 0100"),
        "agency_hours": getattr(settings, "SOLVENT_AGENCY_HOURS", "Mon-Fri 8am-8pm"),
        "callback_number": getattr(settings, "SOLVENT_AGENCY_PHONE", "+1 800 555 0100"),
        "agent_name": getattr(settings, "SOLVENT_VOICEMAIL_AGENT_NAME", "Alex"),
        # A signed link to the debtor's page, made when a template prints it (portal.links).
        "portal_url": portal_url_for_message(
            debtor_id=debtor.pk,
            account_id=first.pk if first is not None else None,
            channel=channel,
            contact_point=contact_point,
        ),
        "debt_collector_disclosure": _DISCLOSURE.get(language, _DISCLOSURE["en"]),
        "unsubscribe_url": "",
        "validation_end_date": "",
    }
    if channel == Channel.EMAIL:
        variables["unsubscribe_url"] = unsubscribe_url_for(
            debtor_id=debtor.pk, address=contact_point
        )
    if first is not None:
        variables |= {
            "account_number_masked": "••••" + first.account_number[-4:],
            "creditor_name": first.client.name,
            "original_creditor": first.original_creditor or first.client.name,
            "balance": _money(sum((a.balance for a in accounts), start=first.balance * 0)),
            "currency": first.currency,
        }
    return variables


def _active_version(code: str, channel: str, language: str) -> TemplateVersion:
    versions = TemplateVersion.objects.select_related("template").filter(
        template__code=code, template__channel=channel, status=TemplateVersion.Status.ACTIVE
    )
    version = (
        versions.filter(template__language=language).first()
        or versions.filter(template__language="en").first()
    )
    if version is None:
        raise NotFoundError(f"no active template {code!r}", code="template_not_found")
    return version


def _build(
    request: MessageRequest,
    *,
    debtor: Debtor | None,
    actor_id: int | None,
    now: datetime,
    accounts_by_id: Mapping[int, Account],
    versions: dict[tuple[str, str, str], TemplateVersion],
) -> OutboxMessage:
    if debtor is None:
        raise NotFoundError(f"debtor {request.debtor_id} not found")
    language = request.language or debtor.language
    subject, body, version = request.subject, request.body, None
    if request.template_code:
        # Read once per template, channel and language of the batch, not once per message.
        key = (request.template_code, request.channel, language)
        if key not in versions:
            versions[key] = _active_version(*key)
        version = versions[key]
        accounts = [
            accounts_by_id[pk] for pk in sorted(set(request.account_ids)) if pk in accounts_by_id
        ]
        variables = message_variables(
            debtor=debtor,
            accounts=accounts,
            channel=request.channel,
            contact_point=request.contact_point,
            language=version.template.language,
        ) | dict(request.variables)
        try:
            subject, body = render(version.subject, variables), render(version.body, variables)
        except TemplateProblemError as exc:
            raise TemplateInvalidError(exc.problems) from exc
        language = version.template.language
    if not body.strip():
        raise ValidationError("a message needs a body or a template", code="message_empty")
    if request.channel not in set(Channel):
        raise ValidationError(f"unknown channel {request.channel!r}", code="channel_unknown")
    return OutboxMessage(
        channel=request.channel,
        debtor=debtor,
        contact_point=request.contact_point,
        account_ids=list(request.account_ids),
        language=language,
        template_version=version,
        subject=subject,
        body=body,
        cause=request.cause[:100],
        next_attempt_at=request.not_before or now,
        created_by_id=actor_id,
    )


def _kick_dispatch() -> None:
    from solvent.contact.tasks import outbox_dispatch_task

    outbox_dispatch_task.enqueue()


def message_enqueue_many(
    *, requests: Sequence[MessageRequest], actor_id: int | None = None
) -> list[OutboxMessage]:
    """Queue messages inside the caller's transaction; one audit entry for the lot."""
    from solvent.portal.links import portal_links_batch

    now = clock.now()
    with transaction.atomic():
        debtors = Debtor.objects.in_bulk({request.debtor_id for request in requests})
        accounts_by_id = Account.objects.select_related("client").in_bulk(
            {pk for request in requests for pk in request.account_ids}
        )
        versions: dict[tuple[str, str, str], TemplateVersion] = {}
        # The links to the debtor's page the messages print are inserted together (portal.links).
        with portal_links_batch():
            built = [
                _build(
                    request,
                    debtor=debtors.get(request.debtor_id),
                    actor_id=actor_id,
                    now=now,
                    accounts_by_id=accounts_by_id,
                    versions=versions,
                )
                for request in requests
            ]
        messages = OutboxMessage.objects.bulk_create(built, batch_size=500)
        audit_record(
            action="outbox.enqueue",
            object_type="contact.OutboxMessage",
            object_id=messages[0].pk if len(messages) == 1 else "",
            data={"count": len(messages), "ids": [m.pk for m in messages][:1000]},
            actor_id=actor_id,
        )
        transaction.on_commit(_kick_dispatch)
    return messages


def message_enqueue(*, request: MessageRequest, actor_id: int | None = None) -> OutboxMessage:
    return message_enqueue_many(requests=[request], actor_id=actor_id)[0]


def interaction_record(
    *,
    debtor_id: int,
    channel: str,
    direction: str,
    contact_point: str,
    disposition: str,
    account_ids: Sequence[int] = (),
    occurred_at: datetime | None = None,
    agent_id: int | None = None,
    duration_seconds: int | None = None,
    recording_ref: str = "",
    summary: str = "",
    attempt_id: int | None = None,
    decision_log_id: int | None = None,
) -> Interaction:
    """Record a call or any contact the outbox did not send (an agent's call, the dialer, a letter in).

    An outbound attempt must carry the ledger row its authorization reserved; its outcome goes back
    to the ledger. An inbound contact (the consumer called or wrote) goes into the ledger as it
    happened, so the engine counts it (a telephone conversation starts the 7-day wait of
    1006.14(b)(2)(ii) whoever dialled). A disposition such as a cease request or a dispute places a
    hold at once.
    """
    from solvent.compliance.services import (
        contact_attempt_record_outcome,
        contact_inbound_record,
        hold_place,
    )

    try:
        disposition_value = Disposition(disposition)
        outbound = Direction(direction) == Direction.OUTBOUND
        channel_value = Channel(channel)
    except ValueError as exc:
        raise ValidationError(str(exc), code="interaction_invalid") from None
    if outbound and channel_value in _OUTBOUND_ATTEMPT_CHANNELS and attempt_id is None:
        raise ValidationError(
            "an outbound attempt needs the authorization that allowed it (attempt_id)",
            code="attempt_not_authorized",
        )
    if not outbound and attempt_id is not None:
        raise ValidationError(
            "an inbound contact is not authorised by the gate: it has no attempt_id",
            code="interaction_invalid",
        )
    when = occurred_at or clock.now()
    with transaction.atomic():
        if not outbound:
            attempt_id = contact_inbound_record(
                debtor_id=debtor_id,
                channel=channel_value,
                contact_point=contact_point,
                account_ids=account_ids,
                outcome=ledger_outcome_for(disposition_value),
                at=when,
                source="interaction",
                actor_id=agent_id,
            ).pk
        interaction = Interaction.objects.create(
            debtor_id=debtor_id,
            channel=channel,
            direction=direction,
            contact_point=contact_point,
            account_ids=list(account_ids),
            occurred_at=when,
            agent_id=agent_id,
            disposition=disposition_value,
            duration_seconds=duration_seconds,
            recording_ref=recording_ref,
            summary=summary[:255],
            compliance_attempt_id=attempt_id,
            decision_log_id=decision_log_id,
        )
        if outbound and attempt_id is not None:
            contact_attempt_record_outcome(
                attempt_id=attempt_id,
                outcome=ledger_outcome_for(disposition_value),
                at=when,
                actor_id=agent_id,
            )
        hold_kind = _HOLD_FOR_DISPOSITION.get(disposition_value)
        if hold_kind is not None:
            hold_place(
                debtor_id=debtor_id,
                kind=hold_kind,
                source=f"interaction:{interaction.pk}",
                account_ids=list(account_ids),
                evidence=summary,
                at=when,
                actor_id=agent_id,
            )
        if disposition_value is Disposition.WRONG_NUMBER and channel_value in _PHONE_CHANNELS:
            # The number is a stranger's from now on: no contact meant for the debtor goes there.
            from solvent.portfolio.services import phone_wrong_number_mark

            phone_wrong_number_mark(
                debtor_id=debtor_id,
                e164=contact_point,
                source=f"interaction:{interaction.pk}",
                actor_id=agent_id,
            )
        audit_record(
            action="interaction.record",
            object_type="contact.Interaction",
            object_id=interaction.pk,
            data={"channel": channel, "direction": direction, "disposition": disposition},
            actor_id=agent_id,
        )
    return interaction


def template_create(
    *,
    code: str,
    channel: str,
    language: str,
    name: str,
    limited_content: bool = False,
    actor_id: int | None = None,
) -> MessageTemplate:
    with transaction.atomic():
        template = MessageTemplate.objects.create(
            code=code,
            channel=Channel(channel),
            language=language,
            name=name,
            limited_content=limited_content,
        )
        audit_record(
            action="template.create",
            object_type="contact.MessageTemplate",
            object_id=template.pk,
            data={"code": code, "language": language},
            actor_id=actor_id,
        )
    return template


def template_version_add(
    *, template_id: int, subject: str, body: str, actor_id: int | None = None
) -> TemplateVersion:
    """A new draft; versions are never edited once activated, a change is a new version."""
    with transaction.atomic():
        template = MessageTemplate.objects.select_for_update().get(pk=template_id)
        number = (template.versions.aggregate(top=Max("number"))["top"] or 0) + 1
        version = TemplateVersion.objects.create(
            template=template, number=number, subject=subject, body=body, created_by_id=actor_id
        )
        audit_record(
            action="template.version_add",
            object_type="contact.TemplateVersion",
            object_id=version.pk,
            data={"number": number},
            actor_id=actor_id,
        )
    return version


def template_version_activate(*, version_id: int, actor_id: int | None = None) -> TemplateVersion:
    """Make a draft the live version, after the required-content checks; the old one retires."""
    with transaction.atomic():
        version = (
            TemplateVersion.objects.select_related("template")
            .select_for_update()
            .get(pk=version_id)
        )
        template = version.template
        problems = template_problems(
            TemplateDraft(
                channel=Channel(template.channel),
                language=template.language,
                subject=version.subject,
                body=version.body,
                limited_content=template.limited_content,
            )
        )
        if problems:
            raise TemplateInvalidError(problems)
        template.versions.filter(status=TemplateVersion.Status.ACTIVE).update(
            status=TemplateVersion.Status.RETIRED
        )
        version.status = TemplateVersion.Status.ACTIVE
        version.activated_at = clock.now()
        version.save(update_fields=["status", "activated_at"])
        audit_record(
            action="template.activate",
            object_type="contact.TemplateVersion",
            object_id=version.pk,
            data={"template": template.code, "number": version.number},
            actor_id=actor_id,
        )
    return version

"""Writes of the debtor's page: the link's check, a new link, and every action the debtor takes.

Each action is one call, one transaction: it calls the owning app's service (arrangements for
promises and plans, compliance for holds, consents and time preferences, payments for the gateway
and settlements), so the desk reads the change at once. Nobody on the staff acted: the audit entries
name the system actor "the debtor on their own page (link N)".
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from solvent.arrangements.domain.statement import Frequency, LineInput
from solvent.arrangements.models import PaymentPlan, Promise
from solvent.arrangements.services.plans import (
    income_expenditure_record,
    plan_accept,
    plan_propose,
)
from solvent.arrangements.services.promises import promise_create
from solvent.audit.services import audit_record, audit_system
from solvent.compliance.models import Hold
from solvent.compliance.services import (
    consent_grant,
    consent_revoke,
    hold_place,
    time_preference_set,
)
from solvent.core import clock
from solvent.core.crypto import encrypt
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.portal.domain.check import (
    ADDRESS_WINDOW,
    FAILURES_BEFORE_LOCK,
    LOCK_FOR,
    LinkState,
    address_refused,
    answer_matches,
    failure_after,
    link_state,
)
from solvent.portal.domain.documents import MAX_DOCUMENT_BYTES, document_type
from solvent.portal.domain.forms import FormProblemsError, Problem
from solvent.portal.links import address_hash, portal_link_find
from solvent.portal.models import PortalCheckFailure, PortalDocument, PortalLink
from solvent.portfolio.models import AccountDebtor, Debtor, Email, Phone

SOURCE = "portal"
# A new link is sent at most once in this long per debtor (the button cannot flood their phone).
RESEND_PAUSE = timedelta(minutes=10)
DISPUTE_REASONS = (
    "not_mine",
    "amount_wrong",
    "paid",
    "identity_theft",
    "original_creditor",
    "other",
)
CHANNELS = ("sms", "email", "call", "letter")


def _who(link_id: int) -> str:
    return f"the debtor on their own page (portal link {link_id})"


def _audit(action: str, link_id: int, data: dict[str, object]) -> None:
    audit_record(
        action=f"portal.{action}",
        object_type="portal.PortalLink",
        object_id=link_id,
        data=data,
        system=_who(link_id),
    )


# --- the link's check --------------------------------------------------------------------------


class CheckOutcome(StrEnum):
    PASSED = "passed"
    WRONG = "wrong"
    EMPTY = "empty"
    LOCKED = "locked"  # the link (this answer locked it, or it was locked)
    ADDRESS_REFUSED = "address_refused"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"


@dataclass(frozen=True, slots=True)
class CheckResult:
    outcome: CheckOutcome
    link: PortalLink | None = None
    tries_left: int = 0
    account_id: int = 0


_STATE_OUTCOME = {
    LinkState.EXPIRED: CheckOutcome.EXPIRED,
    LinkState.USED: CheckOutcome.USED,
    LinkState.LOCKED: CheckOutcome.LOCKED,
}


def _first_account_id(debtor_id: int) -> int:
    found = (
        AccountDebtor.objects.filter(debtor_id=debtor_id)
        .order_by("account_id")
        .values_list("account_id", flat=True)
        .first()
    )
    return int(found or 0)


def portal_check(*, token: str, date_of_birth: str, last4: str, address: str) -> CheckResult:
    """Answer the link's check. Right: the link is used (it opens the page once) and the result
    names the account to open on. Wrong: counted against the link (the fifth in a row locks it
    for 15 minutes) and against the network address (20 an hour across links refuse it)."""
    now = clock.now()
    hashed = address_hash(address)
    with transaction.atomic():
        recent = PortalCheckFailure.objects.filter(
            address_hash=hashed, at__gte=now - ADDRESS_WINDOW
        ).count()
        if address_refused(recent):
            return CheckResult(CheckOutcome.ADDRESS_REFUSED)
        link = portal_link_find(token, lock=True)
        if link is None:
            # Guessing tokens counts against the address like guessing answers.
            PortalCheckFailure.objects.create(link=None, address_hash=hashed, at=now)
            return CheckResult(CheckOutcome.UNKNOWN)
        state = link_state(
            now=now,
            expires_at=link.expires_at,
            used_at=link.used_at,
            locked_until=link.locked_until,
        )
        if state is not LinkState.OPEN:
            return CheckResult(_STATE_OUTCOME[state], link)
        if not date_of_birth.strip() and not last4.strip():
            return CheckResult(CheckOutcome.EMPTY, link, tries_left=_tries_left(link))
        debtor = link.debtor
        if answer_matches(
            date_of_birth=date_of_birth,
            last4=last4,
            known_date_of_birth=debtor.date_of_birth or "",
            known_last4=debtor.national_id_last4 or "",
        ):
            return _passed(link, now)
        return _failed(link, hashed, now, recent)


def _tries_left(link: PortalLink) -> int:
    return FAILURES_BEFORE_LOCK - link.failed_checks


def _passed(link: PortalLink, now: datetime) -> CheckResult:
    link.used_at = now
    link.failed_checks = 0
    link.save(update_fields=["used_at", "failed_checks"])
    account_id = link.account_id or _first_account_id(link.debtor_id)
    _audit(
        "link_opened",
        link.pk,
        {"debtor_id": link.debtor_id, "account_id": account_id, "source": link.source},
    )
    return CheckResult(CheckOutcome.PASSED, link, account_id=account_id)


def _failed(link: PortalLink, hashed: str, now: datetime, recent: int) -> CheckResult:
    PortalCheckFailure.objects.create(link=link, address_hash=hashed, at=now)
    failure = failure_after(link.failed_checks)
    link.failed_checks = failure.failed_checks
    fields = ["failed_checks"]
    if failure.locks:
        link.locked_until = now + LOCK_FOR
        fields.append("locked_until")
    link.save(update_fields=fields)
    if failure.locks:
        _audit("link_locked", link.pk, {"debtor_id": link.debtor_id, "until": link.locked_until})
        return CheckResult(CheckOutcome.LOCKED, link)
    if address_refused(recent + 1):
        # This address has guessed enough for the hour: said now, not after one more try.
        _audit("address_refused", link.pk, {"debtor_id": link.debtor_id, "address": hashed[:16]})
        return CheckResult(CheckOutcome.ADDRESS_REFUSED, link)
    return CheckResult(CheckOutcome.WRONG, link, tries_left=_tries_left(link))


# --- a new link ---------------------------------------------------------------------------------


class ResendOutcome(StrEnum):
    SENT = "sent"
    RECENT = "recent"
    REFUSED = "refused"


def _resend_point(link: PortalLink) -> tuple[str, str] | None:
    """Where the old link was sent, if that place is still the debtor's and valid; else the
    debtor's first valid mobile (text) or e-mail address."""
    channel, _, point = link.source.partition(":")
    debtor_id = link.debtor_id
    phones = Phone.objects.filter(debtor_id=debtor_id, status="valid", owner="debtor")
    emails = Email.objects.filter(debtor_id=debtor_id, status="valid", owner="debtor")
    if channel == "sms" and phones.filter(e164=point).exists():
        return "sms", point
    if channel == "email" and emails.filter(address=point).exists():
        return "email", point
    mobile = phones.filter(line_type="mobile").order_by("pk").first()
    if mobile is not None:
        return "sms", mobile.e164
    email = emails.order_by("pk").first()
    if email is not None:
        return "email", email.address
    return None


def portal_link_resend(*, token: str) -> ResendOutcome:
    """Send a new link for an expired or used one, to where the old one went, through the outbox
    (so the compliance gate decides, as for any message). At most one in RESEND_PAUSE."""
    from solvent.contact.services import MessageRequest, message_enqueue

    now = clock.now()
    with transaction.atomic():
        link = portal_link_find(token, lock=True)
        if link is None:
            return ResendOutcome.REFUSED
        state = link_state(
            now=now,
            expires_at=link.expires_at,
            used_at=link.used_at,
            locked_until=link.locked_until,
        )
        if state not in {LinkState.EXPIRED, LinkState.USED}:
            return ResendOutcome.REFUSED
        if PortalLink.objects.filter(
            debtor_id=link.debtor_id, created_at__gte=now - RESEND_PAUSE
        ).exists():
            return ResendOutcome.RECENT
        target = _resend_point(link)
        if target is None:
            return ResendOutcome.REFUSED
        channel, point = target
        account_id = link.account_id or _first_account_id(link.debtor_id)
        with audit_system(_who(link.pk)), transaction.atomic():
            message = message_enqueue(
                request=MessageRequest(
                    debtor_id=link.debtor_id,
                    channel=channel,
                    contact_point=point,
                    account_ids=(account_id,) if account_id else (),
                    template_code="portal_link",
                    cause=f"portal_link_resend:{link.pk}",
                )
            )
            _audit("link_resent", link.pk, {"outbox_id": message.pk, "channel": channel})
    return ResendOutcome.SENT


# --- the actions -------------------------------------------------------------------------------


def _owed(debtor_id: int, account_id: int) -> None:
    if not AccountDebtor.objects.filter(debtor_id=debtor_id, account_id=account_id).exists():
        raise NotFoundError(f"debtor {debtor_id} does not owe account {account_id}")


def portal_promise_make(
    *, link_id: int, debtor_id: int, account_id: int, amount: Decimal, due_on: date
) -> Promise:
    with audit_system(_who(link_id)), transaction.atomic():
        _owed(debtor_id, account_id)
        promise = promise_create(
            account_id=account_id,
            debtor_id=debtor_id,
            amount=amount,
            due_on=due_on,
        )
        _audit("promise_made", link_id, {"promise_id": promise.pk, "account_id": account_id})
    return promise


def portal_plan_propose(
    *,
    link_id: int,
    debtor_id: int,
    account_id: int,
    figures: Mapping[str, Decimal],
    frequency: str,
    first_due_on: date,
) -> PaymentPlan:
    """Record the debtor's income and expenditure and propose the plan it affords (refused by the
    arrangements rules when none fits: ProposalRefusedError, a FieldError)."""
    with audit_system(_who(link_id)), transaction.atomic():
        _owed(debtor_id, account_id)
        statement = income_expenditure_record(
            debtor_id=debtor_id,
            account_id=account_id,
            lines=[
                LineInput(code, amount, Frequency.MONTHLY)
                for code, amount in figures.items()
                if amount > 0
            ],
        )
        plan = plan_propose(
            account_id=account_id,
            debtor_id=debtor_id,
            income_expenditure_id=statement.pk,
            frequency=frequency,
            first_due_on=first_due_on,
        )
        _audit("plan_proposed", link_id, {"plan_id": plan.pk, "account_id": account_id})
    return plan


def portal_plan_accept(*, link_id: int, debtor_id: int, plan_id: int) -> PaymentPlan:
    with audit_system(_who(link_id)), transaction.atomic():
        if not PaymentPlan.objects.filter(pk=plan_id, debtor_id=debtor_id).exists():
            raise NotFoundError(f"plan {plan_id} not found for this debtor")
        plan = plan_accept(plan_id=plan_id)
        _audit("plan_accepted", link_id, {"plan_id": plan.pk, "account_id": plan.account_id})
    return plan


def _document_check(upload: UploadedFile[Any]) -> tuple[str, str]:
    if upload.size is None or upload.size > MAX_DOCUMENT_BYTES:
        raise FormProblemsError([Problem("document", "err_file_size")])
    upload.seek(0)
    kind = document_type(upload.read(16))
    upload.seek(0)
    if kind is None:
        raise FormProblemsError([Problem("document", "err_file_type")])
    return kind


def portal_dispute(
    *,
    link_id: int,
    debtor_id: int,
    account_id: int,
    reason: str,
    details: str,
    upload: UploadedFile[Any] | None = None,
) -> Hold:
    """A dispute hold on the account (collection stops until verification is sent), with the
    reason and the debtor's words as its evidence, and the uploaded document kept beside it."""
    if reason not in DISPUTE_REASONS:
        raise FormProblemsError([Problem("reason", "err_choice")])
    kind = _document_check(upload) if upload is not None else None
    with audit_system(_who(link_id)), transaction.atomic():
        _owed(debtor_id, account_id)
        hold = hold_place(
            debtor_id=debtor_id,
            kind=Hold.Kind.DISPUTE,
            source=SOURCE,
            account_ids=[account_id],
            evidence=f"reason: {reason}\n{details.strip()[:2000]}".strip(),
        )
        document = None
        if upload is not None and kind is not None:
            document = PortalDocument(
                debtor_id=debtor_id,
                account_id=account_id,
                original_name=(upload.name or "document")[:255],
                content_type=kind[0],
                size=int(upload.size or 0),
                uploaded_at=clock.now(),
                hold=hold,
            )
            # What people upload is personal data: kept encrypted at rest, like the rest of it
            # (selectors.portal_document_content reads it back).
            upload.seek(0)
            sealed = encrypt(base64.b64encode(upload.read()).decode())
            document.file.save(
                f"dispute-{hold.pk}.{kind[1]}.enc", ContentFile(sealed.encode()), save=True
            )
        _audit(
            "dispute_sent",
            link_id,
            {
                "hold_id": hold.pk,
                "account_id": account_id,
                "reason": reason,
                "document_id": document.pk if document else None,
            },
        )
    return hold


def portal_cease(*, link_id: int, debtor_id: int) -> Hold:
    """The debtor asked us in writing (their page) to stop: a cease hold on the person."""
    with audit_system(_who(link_id)), transaction.atomic():
        hold = hold_place(
            debtor_id=debtor_id,
            kind=Hold.Kind.CEASE,
            source=SOURCE,
            evidence="the debtor asked on their own page that we stop contacting them",
        )
        _audit("cease_requested", link_id, {"hold_id": hold.pk})
    return hold


def _points(debtor: Debtor) -> tuple[list[str], list[str], list[str]]:
    phones = list(debtor.phones.filter(owner="debtor").order_by("pk"))
    mobiles = [p.e164 for p in phones if p.line_type == "mobile" or p.kind == "mobile"]
    emails = [e.address for e in debtor.emails.filter(owner="debtor").order_by("pk")]
    return [p.e164 for p in phones], mobiles, emails


def portal_contact_preference(
    *,
    link_id: int,
    debtor_id: int,
    channel: str,
    not_before: time | None = None,
    not_after: time | None = None,
) -> list[str]:
    """Contact only by ``channel``, and only between the times given (the debtor's local time).

    Every other channel is refused at each of the debtor's contact points (a medium opt-out, as a
    STOP is). Refusing calls at a number ends the automated-contact consents there for texts too
    (consent_revoke, ADR 0009), so a debtor who chose texts gives that consent again, here, for
    their mobile numbers. Letters cannot be refused this way (the law's notices go by post); the
    times are two "inconvenient" ranges (before and after). Returns what was recorded."""
    if channel not in CHANNELS:
        raise FormProblemsError([Problem("channel", "err_choice")])
    if not_before is not None and not_after is not None and not_before >= not_after:
        raise FormProblemsError([Problem("not_after", "err_time_order")])
    done: list[str] = []
    with audit_system(_who(link_id)), transaction.atomic():
        debtor = Debtor.objects.filter(pk=debtor_id).first()
        if debtor is None:
            raise NotFoundError(f"debtor {debtor_id} not found")
        phones, mobiles, emails = _points(debtor)
        moment = clock.now()
        refused = {"call": phones, "voicemail": phones, "sms": phones, "email": emails}
        keep = {"sms": {"sms"}, "call": {"call", "voicemail"}, "email": {"email"}}.get(
            channel, set()
        )
        for refused_channel, points in refused.items():
            if refused_channel in keep:
                continue
            for point in points:
                consent_revoke(
                    debtor_id=debtor_id,
                    channel=refused_channel,
                    contact_point=point,
                    source=SOURCE,
                    at=moment,
                    evidence=f"the debtor chose {channel} only on their own page",
                )
                done.append(f"{refused_channel}:{point}")
        if channel == "sms":
            for point in mobiles:
                consent_grant(
                    debtor_id=debtor_id,
                    channel="sms",
                    contact_point=point,
                    source=SOURCE,
                    at=moment + timedelta(microseconds=1),
                    evidence="the debtor chose text messages only on their own page",
                )
                done.append(f"consent sms:{point}")
        if not_before is not None:
            time_preference_set(
                debtor_id=debtor_id, kind="inconvenient", source=SOURCE, end=not_before
            )
            done.append(f"not before {not_before:%H:%M}")
        if not_after is not None:
            time_preference_set(
                debtor_id=debtor_id, kind="inconvenient", source=SOURCE, start=not_after
            )
            done.append(f"not after {not_after:%H:%M}")
        _audit("contact_preference_set", link_id, {"channel": channel, "recorded": len(done)})
    return done


def portal_payment_start(
    *,
    link_id: int,
    debtor_id: int,
    account_id: int,
    amount: Decimal,
    method: str,
    form_key: str,
    success_url: str,
    cancel_url: str,
    settlement_id: int | None = None,
) -> str:
    """The gateway's page to pay on (payments.services.gateway). The form's one-time key is the
    idempotency key: sending the form twice gives the same page, never a second charge."""
    from solvent.payments.services.gateway import gateway_checkout_start

    _owed(debtor_id, account_id)
    with audit_system(_who(link_id)):
        return gateway_checkout_start(
            account_id=account_id,
            debtor_id=debtor_id,
            amount=amount,
            method=method,
            idempotency_key=f"portal:{link_id}:{form_key}",
            success_url=success_url,
            cancel_url=cancel_url,
            settlement_id=settlement_id,
        )


def portal_settlement_accept(*, link_id: int, debtor_id: int, settlement_id: int) -> object:
    """The debtor takes the settlement offered (payments.services.settlements)."""
    from solvent.payments.services.settlements import settlement_accept

    with audit_system(_who(link_id)), transaction.atomic():
        settlement = settlement_accept(settlement_id=settlement_id, debtor_id=debtor_id)
        _audit("settlement_accepted", link_id, {"settlement_id": settlement_id})
    return settlement


__all__ = [
    "CheckOutcome",
    "CheckResult",
    "ResendOutcome",
    "ValidationError",
    "portal_cease",
    "portal_check",
    "portal_contact_preference",
    "portal_dispute",
    "portal_link_resend",
    "portal_payment_start",
    "portal_plan_accept",
    "portal_plan_propose",
    "portal_promise_make",
    "portal_settlement_accept",
]

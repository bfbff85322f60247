"""Writes to the portfolio's contact points: whose a number is, and what the reassigned-numbers
database said about it.

The compliance engine reads these facts (``compliance.engine_input``): a number recorded as someone
else's gets no contact meant for the debtor (15 U.S.C. 1692c(b); 12 CFR 1006.6(d)(1)), a wrong
number says nothing about where the debtor is (comment 14(b)(2)(i)-3), and a reassigned number
voids the TCPA consent given for it (47 CFR 64.1200(m)). Each write is one transaction with its
audit entry.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from solvent.audit.services import audit_record
from solvent.core.domain.errors import NotFoundError, ValidationError
from solvent.portfolio.models import ContactOwner, ContactStatus, Debtor, Phone


def phone_owner_mark(
    *,
    debtor_id: int,
    e164: str,
    owner: str,
    source: str = "",
    actor_id: int | None = None,
) -> Phone:
    """Record whose number ``e164`` (one of the debtor's) is: the debtor's, or someone else's.

    Marking it the debtor's again also clears a wrong-number status: someone checked it.
    """
    try:
        owner_value = ContactOwner(owner)
    except ValueError:
        raise ValidationError(f"unknown owner {owner!r}", code="phone_owner_invalid") from None
    with transaction.atomic():
        phone = _phone_for_update(debtor_id, e164)
        before = {"owner": phone.owner, "status": phone.status}
        phone.owner = owner_value
        if owner_value is ContactOwner.DEBTOR and phone.status == ContactStatus.WRONG_NUMBER:
            phone.status = ContactStatus.VALID
        phone.save(update_fields=["owner", "status"])
        audit_record(
            action="phone.owner_mark",
            object_type="portfolio.Phone",
            object_id=phone.pk,
            data={"before": before, "owner": phone.owner, "source": source},
            actor_id=actor_id,
        )
    return phone


def phone_wrong_number_mark(
    *,
    debtor_id: int,
    e164: str,
    source: str = "",
    actor_id: int | None = None,
) -> Phone:
    """The number reached someone other than the debtor: it is a third party's from now on.

    A number not on the debtor's file is added as the stranger's, so that a later contact to it is
    denied rather than judged as an unknown number.
    """
    with transaction.atomic():
        debtor = Debtor.objects.select_for_update().filter(pk=debtor_id).first()
        if debtor is None:
            raise NotFoundError("debtor not found", code="debtor_not_found")
        phone, created = Phone.objects.get_or_create(
            debtor=debtor,
            e164=e164,
            defaults={
                "owner": ContactOwner.THIRD_PARTY,
                "status": ContactStatus.WRONG_NUMBER,
                "source": Phone.Source.INTERACTION,
            },
        )
        before = None if created else {"owner": phone.owner, "status": phone.status}
        if not created:
            phone.status = ContactStatus.WRONG_NUMBER
            if phone.owner == ContactOwner.DEBTOR:
                phone.owner = ContactOwner.THIRD_PARTY
            phone.save(update_fields=["owner", "status"])
        audit_record(
            action="phone.wrong_number_mark",
            object_type="portfolio.Phone",
            object_id=phone.pk,
            data={"before": before, "created": created, "source": source},
            actor_id=actor_id,
        )
    return phone


def phone_reassigned_answer_record(
    *,
    debtor_id: int,
    e164: str,
    answer: str,
    checked_at: datetime,
    actor_id: int | None = None,
) -> Phone:
    """Record the Reassigned Numbers Database's answer for one of the debtor's numbers."""
    try:
        answer_value = Phone.ReassignedAnswer(answer)
    except ValueError:
        raise ValidationError(
            f"unknown reassigned-number answer {answer!r}", code="phone_reassigned_invalid"
        ) from None
    with transaction.atomic():
        phone = _phone_for_update(debtor_id, e164)
        phone.reassigned_answer = answer_value
        phone.reassigned_checked_at = checked_at
        phone.save(update_fields=["reassigned_answer", "reassigned_checked_at"])
        audit_record(
            action="phone.reassigned_answer_record",
            object_type="portfolio.Phone",
            object_id=phone.pk,
            data={"answer": answer_value.value, "checked_at": checked_at.isoformat()},
            actor_id=actor_id,
        )
    return phone


def _phone_for_update(debtor_id: int, e164: str) -> Phone:
    phone = Phone.objects.select_for_update().filter(debtor_id=debtor_id, e164=e164).first()
    if phone is None:
        raise NotFoundError("phone not found", code="phone_not_found")
    return phone

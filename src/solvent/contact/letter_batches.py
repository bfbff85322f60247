"""Letters for the print-and-mail vendor: the validation notice to queue, and the daily batch file.

A batch is one ZIP: every letter PDF written to the spool since the last batch, and a manifest.csv
(idempotency key, file, recipient, address lines) the vendor matches against its mail pieces.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction

from solvent.audit.services import audit_record
from solvent.contact.letters import VALIDATION_NOTICE, address_lines
from solvent.contact.models import LetterBatch, OutboxMessage
from solvent.contact.services import MessageRequest, message_enqueue
from solvent.core import clock
from solvent.core.domain.errors import ValidationError
from solvent.payments.selectors import account_paid_to_us
from solvent.portfolio.models import Account, Address

# 30 days for the consumer to respond, plus the 5 days (excluding holidays and weekends, rounded
# up here) Reg F 1006.34(b)(5) lets a collector assume for delivery.
VALIDATION_PERIOD = timedelta(days=35)


def itemization_date(account: Account) -> date:
    """Reg F 1006.34(b)(3) lets the collector pick: charge-off, last payment (to the creditor, as the
    placement says: the ledger never moves it), or placement here."""
    return (
        account.charge_off_date or account.last_payment_date or account.placed_on or clock.today()
    )


def itemization_amounts(account: Account) -> dict[str, str]:
    """The itemization's amounts: as placed (the components now plus what was paid to us), and
    the payments since (the ledger's, net of returns): they add up to the balance now."""
    paid = account_paid_to_us(account_id=account.pk)
    return {
        "amount_on_itemization_date": str(account.principal + paid.principal),
        "interest_since": str(account.interest + paid.interest),
        "fees_since": str(account.fees + paid.fees),
        "payments_since": str(paid.total),
    }


def validation_notice_enqueue(
    *, account_id: int, debtor_id: int, address_id: int, actor_id: int | None = None
) -> OutboxMessage:
    account = Account.objects.select_related("client").get(pk=account_id)
    address = Address.objects.select_related("debtor").get(pk=address_id, debtor_id=debtor_id)
    if not account.account_debtors.filter(debtor_id=debtor_id).exists():
        raise ValidationError("the debtor does not owe this account", code="account_not_debtors")
    today = clock.today()
    collector_address = getattr(settings, "SOLVENT_AGENCY_ADDRESS", "PO Box 1000\nAlbany NY 12201")
    facts = {
        "collector_name": settings.SOLVENT_AGENCY_NAME,
        "collector_address": collector_address.split("\n"),
        "collector_phone": settings.SOLVENT_AGENCY_PHONE,
        "collector_hours": getattr(settings, "SOLVENT_AGENCY_HOURS", "Mon-Fri 8am-8pm"),
        "consumer_name": address.debtor.full_name,
        "consumer_address": address_lines(address).split("\n"),
        "reference": f"{account.client.code.upper()}-{account.pk}",
        "creditor_on_itemization_date": account.original_creditor or account.client.name,
        "current_creditor": account.client.name,
        "account_number_masked": "••••" + account.account_number[-4:],
        "itemization_date": itemization_date(account).isoformat(),
        **itemization_amounts(account),
        "validation_end": (today + VALIDATION_PERIOD).isoformat(),
        "notice_date": today.isoformat(),
    }
    language = "es" if address.debtor.language == "es" else "en"
    subject = "Aviso de validación" if language == "es" else "Validation notice"
    with transaction.atomic():
        message = message_enqueue(
            request=MessageRequest(
                debtor_id=debtor_id,
                channel="letter",
                contact_point=f"address:{address.pk}",
                account_ids=(account.pk,),
                subject=subject,
                body=json.dumps(facts),
                language=language,
                cause=f"validation_notice:{account.pk}",
            ),
            actor_id=actor_id,
        )
        OutboxMessage.objects.filter(pk=message.pk).update(layout=VALIDATION_NOTICE)
    message.layout = VALIDATION_NOTICE
    return message


def letter_batch_export(
    *, spool_dir: Path | None = None, out_dir: Path | None = None
) -> LetterBatch | None:
    """Collect the spooled letters into one ZIP for the vendor; None when there is nothing to send."""
    spool = spool_dir or settings.VAR_DIR / "letters" / "spool"
    target = out_dir or settings.VAR_DIR / "letters" / "batches"
    pdfs = sorted(spool.glob("*.pdf")) if spool.exists() else []
    if not pdfs:
        return None
    keys = [pdf.stem for pdf in pdfs]
    messages = {
        str(m.idempotency_key): m
        for m in OutboxMessage.objects.select_related("debtor").filter(idempotency_key__in=keys)
    }
    manifest = io.StringIO()
    writer = csv.writer(manifest)
    writer.writerow(["idempotency_key", "file", "recipient", "address"])
    from solvent.contact.letters import postal_address_lines
    from solvent.core.domain.csv_safety import csv_row  # names come from clients' files

    for key in keys:
        message = messages.get(key)
        recipient = message.debtor.full_name if message else ""
        address = postal_address_lines(contact_point=message.contact_point) if message else ""
        writer.writerow(csv_row([key, f"{key}.pdf", recipient, address.replace("\n", " | ")]))
    target.mkdir(parents=True, exist_ok=True)
    stamp = clock.now().strftime("%Y%m%dT%H%M%S")
    path = target / f"letters-{stamp}.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.csv", manifest.getvalue())
        for pdf in pdfs:
            archive.write(pdf, pdf.name)
    checksum = hashlib.sha256(path.read_bytes()).hexdigest()
    with transaction.atomic():
        batch = LetterBatch.objects.create(path=str(path), letters=len(pdfs), checksum=checksum)
        audit_record(
            action="letters.batch_export",
            system="letter batch export for the print vendor",
            object_type="contact.LetterBatch",
            object_id=batch.pk,
            data={"letters": len(pdfs), "sha256": checksum},
        )
    # Only after the batch is recorded do the letters leave the spool.
    archived = spool.parent / "archive"
    archived.mkdir(parents=True, exist_ok=True)
    for pdf in pdfs:
        pdf.replace(archived / pdf.name)
    return batch

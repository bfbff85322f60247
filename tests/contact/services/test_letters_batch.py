"""Letters: the validation notice (Model Form B-1) in English and Spanish, and the print batch."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest

from solvent.contact.adapters.letter_pdf import PdfLetterSender
from solvent.contact.domain.validation_notice import NoticeFacts, validation_notice_sections
from solvent.contact.letter_batches import letter_batch_export, validation_notice_enqueue
from solvent.contact.models import LetterBatch, OutboxMessage
from solvent.contact.sender import outbox_dispatch
from tests.contact.factories import make_debtor

FACTS = NoticeFacts(
    collector_name="Solvent Recovery",
    collector_address=("PO Box 1000", "Albany NY 12201"),
    collector_phone="+1 800 555 0100",
    collector_hours="Mon-Fri 8am-8pm",
    consumer_name="Maria Lopez",
    consumer_address=("1 Main St", "Albany NY 12207"),
    reference="ACME-1",
    creditor_on_itemization_date="Acme Bank",
    current_creditor="Acme Bank",
    account_number_masked="••••1234",
    itemization_date=date(2026, 6, 1),
    amount_on_itemization_date=Decimal("1000.00"),
    interest_since=Decimal("25.50"),
    fees_since=Decimal("10.00"),
    payments_since=Decimal("100.00"),
    validation_end=date(2027, 4, 6),
    notice_date=date(2027, 3, 2),
)


def test_the_notice_follows_the_model_form_order_and_arithmetic() -> None:
    sections = validation_notice_sections(FACTS, "en")
    assert [s.heading for s in sections] == [
        "Solvent Recovery is a debt collector.",
        "Our information shows:",
        "How can you dispute the debt?",
        "What else can you do?",
        "How do you want to respond?",
    ]
    assert sections[1].rows[-1] == ("Total amount of the debt now:", "$935.50")
    assert "April 6, 2027" in sections[2].paragraphs[0]
    assert any("cfpb.gov/debt-collection" in p for p in sections[3].paragraphs)
    assert len(sections[4].prompts) == 5


def test_the_spanish_notice_has_the_same_shape() -> None:
    english, spanish = (
        validation_notice_sections(FACTS, "en"),
        validation_notice_sections(FACTS, "es"),
    )
    assert spanish[0].heading == "Solvent Recovery es un cobrador de deudas."
    assert "6 de abril de 2027" in spanish[2].paragraphs[0]
    assert [len(s.rows) for s in spanish] == [len(s.rows) for s in english]
    assert [len(s.prompts) for s in spanish] == [len(s.prompts) for s in english]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es"])
def test_a_validation_notice_goes_out_as_a_pdf_and_into_the_print_batch(
    tmp_path, language, lawful_time
) -> None:
    debtor, account = make_debtor(language=language)
    address = debtor.addresses.first()
    message = validation_notice_enqueue(
        account_id=account.pk, debtor_id=debtor.pk, address_id=address.pk
    )
    spool = tmp_path / "spool"

    report = outbox_dispatch(worker="w", senders={"letter": PdfLetterSender(spool_dir=spool)})

    assert report.sent == 1
    pdf = (spool / f"{message.idempotency_key}.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000
    batch = letter_batch_export(spool_dir=spool, out_dir=tmp_path / "out")
    assert batch is not None and batch.letters == 1
    with zipfile.ZipFile(batch.path) as archive:
        names = set(archive.namelist())
        manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert names == {"manifest.csv", f"{message.idempotency_key}.pdf"}
    assert manifest[0]["recipient"] == debtor.full_name
    assert "Albany NY 12207" in manifest[0]["address"]
    assert list(spool.glob("*.pdf")) == []
    assert letter_batch_export(spool_dir=spool, out_dir=tmp_path / "out") is None
    assert LetterBatch.objects.count() == 1
    assert OutboxMessage.objects.get(pk=message.pk).status == "sent"


@pytest.mark.django_db
def test_a_letter_sent_twice_is_one_file(tmp_path, lawful_time) -> None:
    from solvent.contact.ports import OutgoingMessage

    sender = PdfLetterSender(spool_dir=tmp_path)
    letter = OutgoingMessage(
        idempotency_key="k",
        message_id="<k>",
        channel="letter",
        to="address:1",
        subject="Hello",
        body="## Heading\n\nText",
        extras={"postal_address": "1 Main St"},
    )
    sender.send(letter)
    sender.send(letter)
    assert [p.name for p in tmp_path.iterdir()] == ["k.pdf"]

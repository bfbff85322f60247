"""The print vendor's manifest is a CSV opened in a spreadsheet: no cell may start a formula."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest

from solvent.contact.adapters.letter_pdf import PdfLetterSender
from solvent.contact.letter_batches import letter_batch_export, validation_notice_enqueue
from solvent.contact.sender import outbox_dispatch
from tests.contact.factories import make_debtor

pytestmark = pytest.mark.django_db


def test_a_name_that_is_a_formula_reaches_the_manifest_as_inert_text(tmp_path, lawful_time) -> None:
    debtor, account = make_debtor()
    debtor.first_name = '=HYPERLINK("http://evil.example","x")'
    debtor.save(update_fields=["first_name"])
    message = validation_notice_enqueue(
        account_id=account.pk, debtor_id=debtor.pk, address_id=debtor.addresses.first().pk
    )
    spool = tmp_path / "spool"
    outbox_dispatch(worker="w", senders={"letter": PdfLetterSender(spool_dir=spool)})

    batch = letter_batch_export(spool_dir=spool, out_dir=tmp_path / "out")

    assert batch is not None
    with zipfile.ZipFile(batch.path) as archive:
        rows = list(csv.reader(io.StringIO(archive.read("manifest.csv").decode())))
    assert rows[1][0] == str(message.idempotency_key)
    assert rows[1][2].startswith("'=HYPERLINK(")
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)

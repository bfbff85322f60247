"""The settlement letter, a PDF drawn with ReportLab in the house style of contact/letters.py.

It says who writes (the agency) for whom (the creditor), about which account (masked), what is
owed, what will settle it and by when: paid by then settles the account in full. It carries the
Reg F disclosure that the communication is from a debt collector, in the debtor's language (English
or Spanish). A settlement still waiting for approval prints as a draft, never as an offer.
"""

from __future__ import annotations

import io
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from solvent.contact.domain.validation_notice import format_date
from solvent.contact.letters import address_lines, letter_header
from solvent.contact.services import message_variables
from solvent.core import clock
from solvent.payments.models import Settlement

_TEXT = {
    "en": {
        "title": "Settlement offer",
        "draft": "DRAFT: waiting for a supervisor's approval. This is not an offer yet.",
        "reference": "Reference",
        "creditor": "Creditor",
        "original": "Original creditor",
        "account": "Account",
        "balance": "Balance owed",
        "amount": "Settlement amount",
        "due": "Pay by",
        "opening": "Dear {name},",
        "offer": (
            "We are authorised by {creditor} to accept {amount} to settle this account, whose "
            "balance is {balance}. Paid by then settles the account in full: if we receive "
            "{amount} by {due}, the account is settled and the remaining {remainder} will not be "
            "collected."
        ),
        "payments": (
            "You may pay in one payment or in several, as long as the total reaches {amount} by "
            "{due}. A payment returned by your bank does not count. If the amount is not paid "
            "by then, this offer ends and the full balance remains owed."
        ),
        "expires": "This offer must be accepted by {expires}.",
        "contact": "Questions? Call us on {phone} ({hours}).",
    },
    "es": {
        "title": "Oferta de liquidación",
        "draft": "BORRADOR: pendiente de aprobación. Todavía no es una oferta.",
        "reference": "Referencia",
        "creditor": "Acreedor",
        "original": "Acreedor original",
        "account": "Cuenta",
        "balance": "Saldo adeudado",
        "amount": "Importe de liquidación",
        "due": "Pagar antes del",
        "opening": "Estimado/a {name}:",
        "offer": (
            "{creditor} nos autoriza a aceptar {amount} para liquidar esta cuenta, cuyo saldo es "
            "{balance}. Si recibimos {amount} antes del {due}, la cuenta queda liquidada en su "
            "totalidad y no se cobrará el resto ({remainder})."
        ),
        "payments": (
            "Puede pagar en uno o varios pagos, siempre que el total llegue a {amount} antes del "
            "{due}. Un pago devuelto por su banco no cuenta. Si no se paga a tiempo, esta oferta "
            "termina y se sigue debiendo el saldo completo."
        ),
        "expires": "Esta oferta debe aceptarse antes del {expires}.",
        "contact": "¿Preguntas? Llámenos al {phone} ({hours}).",
    },
}


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "body": ParagraphStyle("body", parent=base["BodyText"], fontSize=10, leading=13.5),
        "small": ParagraphStyle("small", parent=base["BodyText"], fontSize=8.5, leading=10.5),
        "title": ParagraphStyle("title", parent=base["Heading1"], fontSize=14, spaceAfter=4),
        "draft": ParagraphStyle(
            "draft", parent=base["BodyText"], fontSize=11, textColor=colors.HexColor("#a40000")
        ),
    }


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def _lines(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph("<br/>".join(escape(line) for line in text.split("\n") if line.strip()), style)


def settlement_letter_pdf(settlement: Settlement, *, compressed: bool = True) -> bytes:
    """The letter of one settlement as PDF bytes (``compressed=False``: plain streams, for tests
    that read the text back)."""
    account = settlement.account
    debtor = settlement.debtor
    language = debtor.language if debtor.language in _TEXT else "en"
    text = _TEXT[language]
    facts = message_variables(
        debtor=debtor, accounts=[account], channel="letter", contact_point="", language=language
    )
    styles = _styles()
    amount = _money(settlement.amount, settlement.currency)
    balance = _money(settlement.balance_at_offer, settlement.currency)
    remainder = _money(settlement.balance_at_offer - settlement.amount, settlement.currency)
    due = format_date(settlement.due_on, language)
    address = debtor.addresses.filter(is_current=True).order_by("pk").first()
    recipient = "\n".join([debtor.full_name, address_lines(address) if address else ""])
    sender = "\n".join([facts["agency_name"], facts["agency_phone"]])
    reference = f"{text['reference']}: {facts['account_number_masked']}"

    header = letter_header(
        sender=_lines(sender, styles["small"]),
        dated=_lines(f"{format_date(clock.today(), language)}\n{reference}", styles["small"]),
        recipient=_lines(recipient, styles["body"]),
    )
    story: list[Flowable] = [header, Spacer(1, 0.25 * inch)]
    if settlement.status == Settlement.Status.PENDING_APPROVAL:
        story.append(Paragraph(escape(text["draft"]), styles["draft"]))
    story.append(Paragraph(escape(text["title"]), styles["title"]))
    rows = [
        (text["creditor"], facts["creditor_name"]),
        (text["original"], facts["original_creditor"]),
        (text["account"], facts["account_number_masked"]),
        (text["balance"], balance),
        (text["amount"], amount),
        (text["due"], due),
    ]
    facts_table = Table(
        [
            [Paragraph(escape(label), styles["body"]), Paragraph(escape(value), styles["body"])]
            for label, value in rows
        ],
        colWidths=[2.2 * inch, 4.4 * inch],
    )
    facts_table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f2f2f2")),
                ("FONTNAME", (0, 4), (-1, 5), "Helvetica-Bold"),
            ]
        )
    )
    values = {
        "name": debtor.full_name,
        "creditor": facts["creditor_name"],
        "amount": amount,
        "balance": balance,
        "remainder": remainder,
        "due": due,
        "expires": format_date(settlement.expires_on, language),
        "phone": facts["agency_phone"],
        "hours": facts["agency_hours"],
    }
    story += [Paragraph(escape(text["opening"].format(**values)), styles["body"]), Spacer(1, 6)]
    story += [facts_table, Spacer(1, 8)]
    for key in ("offer", "payments", "expires", "contact"):
        story += [Paragraph(escape(text[key].format(**values)), styles["body"]), Spacer(1, 5)]
    story += [
        Spacer(1, 0.2 * inch),
        Paragraph(escape(facts["debt_collector_disclosure"]), styles["body"]),
    ]

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=0.75 * inch,
        rightMargin=0.75 * inch,
        topMargin=0.6 * inch,
        bottomMargin=0.6 * inch,
        title=text["title"],
        author=facts["agency_name"],
        subject=f"settlement {settlement.pk}",
        pageCompression=1 if compressed else 0,
        invariant=0 if compressed else 1,
    )
    document.build(story)
    return buffer.getvalue()

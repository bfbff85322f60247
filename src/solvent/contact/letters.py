"""Letter PDFs with ReportLab: plain letters and the validation notice after Model Form B-1.

A plain letter is the address block (in a #10 window-envelope position) and the body, where blocks
starting with "## " become headings. A validation notice arrives as JSON facts (see
``domain/validation_notice.py``) and is drawn as the model form: collector and reference on top,
"Our information shows" with the itemization table, the consumer's rights, and the tear-off
response form with its check boxes below a cut line.
"""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from solvent.contact.domain.validation_notice import (
    NoticeFacts,
    format_date,
    validation_notice_sections,
)
from solvent.contact.ports import OutgoingMessage
from solvent.portfolio.models import Address

VALIDATION_NOTICE = "validation_notice"


def postal_address_lines(*, contact_point: str) -> str:
    """The lines of the address a letter's contact point ("address:<pk>") names."""
    if not contact_point.startswith("address:"):
        return contact_point
    address = Address.objects.filter(pk=int(contact_point.split(":", 1)[1])).first()
    if address is None:
        return ""
    return address_lines(address)


def address_lines(address: Address) -> str:
    lines = [address.line1, address.line2, f"{address.city} {address.region} {address.postal_code}"]
    if address.country != "US":
        lines.append(address.country)
    return "\n".join(line.strip() for line in lines if line.strip())


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "body": ParagraphStyle("body", parent=base["BodyText"], fontSize=9.5, leading=12.5),
        "small": ParagraphStyle("small", parent=base["BodyText"], fontSize=8.5, leading=10.5),
        "heading": ParagraphStyle(
            "heading", parent=base["Heading3"], fontSize=11, spaceBefore=6, spaceAfter=2
        ),
        "title": ParagraphStyle("title", parent=base["Heading1"], fontSize=14, spaceAfter=4),
        "address": ParagraphStyle("address", parent=base["BodyText"], fontSize=10, leading=12),
    }


def _lines(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph("<br/>".join(escape(line) for line in text.split("\n") if line.strip()), style)


def _document(buffer: io.BytesIO, message: OutgoingMessage) -> SimpleDocTemplate:
    return SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=0.75 * inch,
        rightMargin=0.75 * inch,
        topMargin=0.6 * inch,
        bottomMargin=0.6 * inch,
        title=message.subject or "Letter",
        author="Solvent",
        subject=message.idempotency_key,
    )


def _plain_story(message: OutgoingMessage, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    story: list[Flowable] = [Spacer(1, 1.2 * inch)]
    recipient = "\n".join(
        [message.extras.get("recipient_name", ""), message.extras.get("postal_address", "")]
    )
    story += [_lines(recipient, styles["address"]), Spacer(1, 0.4 * inch)]
    if message.subject:
        story.append(Paragraph(escape(message.subject), styles["title"]))
    for block in message.body.split("\n\n"):
        text = block.strip()
        if text.startswith("## "):
            story.append(Paragraph(escape(text[3:]), styles["heading"]))
        elif text:
            story.append(_lines(text, styles["body"]))
    return story


def notice_facts_from_json(raw: str) -> NoticeFacts:
    data: dict[str, Any] = json.loads(raw)
    for key in ("itemization_date", "validation_end", "notice_date"):
        data[key] = date.fromisoformat(data[key])
    for key in ("amount_on_itemization_date", "interest_since", "fees_since", "payments_since"):
        data[key] = Decimal(data[key])
    for key in ("collector_address", "consumer_address"):
        data[key] = tuple(data[key])
    return NoticeFacts(**data)


def letter_header(*, sender: Flowable, dated: Flowable, recipient: Flowable) -> Table:
    """The house letterhead: the sender and the date with the reference side by side, then the
    recipient's address where a window envelope shows it."""
    header = Table([[sender, dated], [recipient, ""]], colWidths=[4.2 * inch, 2.8 * inch])
    header.setStyle(
        TableStyle(
            [("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 1), (-1, 1), 0.35 * inch)]
        )
    )
    return header


def _notice_story(message: OutgoingMessage, styles: dict[str, ParagraphStyle]) -> list[Flowable]:
    facts = notice_facts_from_json(message.body)
    language = message.language
    sections = validation_notice_sections(facts, language)
    collector = "\n".join([facts.collector_name, *facts.collector_address, facts.collector_phone])
    consumer = "\n".join([facts.consumer_name, *facts.consumer_address])
    reference = ("Referencia" if language == "es" else "Reference") + f": {facts.reference}"
    header = letter_header(
        sender=_lines(collector, styles["small"]),
        dated=_lines(f"{format_date(facts.notice_date, language)}\n{reference}", styles["small"]),
        recipient=_lines(consumer, styles["address"]),
    )
    story: list[Flowable] = [header, Spacer(1, 0.2 * inch)]
    *body_sections, response = sections
    story.append(Paragraph(escape(body_sections[0].heading), styles["title"]))
    story += [Paragraph(escape(p), styles["body"]) for p in body_sections[0].paragraphs]
    for section in body_sections[1:]:
        story.append(Paragraph(escape(section.heading), styles["heading"]))
        story += [Paragraph(escape(p), styles["body"]) for p in section.paragraphs]
        if section.rows:
            table = Table(
                [
                    [Paragraph(escape(label), styles["body"]), amount]
                    for label, amount in section.rows
                ],
                colWidths=[5.0 * inch, 1.6 * inch],
            )
            table.setStyle(
                TableStyle(
                    [
                        ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                        ("LINEABOVE", (0, -1), (-1, -1), 1, colors.black),
                        ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                        ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f2f2f2")),
                    ]
                )
            )
            story.append(table)
    cut = Table([[""]], colWidths=[7.0 * inch], rowHeights=[0.1 * inch])
    cut.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.8, colors.grey, None, (3, 3))]))
    story += [Spacer(1, 0.1 * inch), cut, Paragraph(escape(response.heading), styles["heading"])]
    story += [Paragraph(escape(p), styles["body"]) for p in response.paragraphs]
    story += [
        Paragraph("&#9744;&nbsp;" + escape(prompt), styles["body"]) for prompt in response.prompts
    ]
    mail_to = "Envíe este formulario a:" if language == "es" else "Mail this form to:"
    footer = Table(
        [[_lines(f"{mail_to}\n{collector}", styles["small"]), _lines(consumer, styles["small"])]],
        colWidths=[3.5 * inch, 3.5 * inch],
    )
    story += [Spacer(1, 0.1 * inch), footer]
    return story


def letter_pdf_bytes(message: OutgoingMessage) -> bytes:
    styles = _styles()
    buffer = io.BytesIO()
    document = _document(buffer, message)
    if message.extras.get("layout") == VALIDATION_NOTICE:
        story = _notice_story(message, styles)
    else:
        story = _plain_story(message, styles)
    document.build(story)
    return buffer.getvalue()

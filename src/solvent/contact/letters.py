"""Letter PDFs with ReportLab: an address block in the window position, then the letter text.

The validation notice (Reg F Model Form B-1) is a template whose body is laid out in sections
separated by lines starting with "## "; each becomes a heading, as on the model form.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from solvent.contact.ports import OutgoingMessage


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "body": ParagraphStyle("body", parent=base["BodyText"], fontSize=10, leading=13),
        "heading": ParagraphStyle("heading", parent=base["Heading3"], fontSize=11, spaceBefore=8),
        "title": ParagraphStyle("title", parent=base["Heading1"], fontSize=15),
        "address": ParagraphStyle("address", parent=base["BodyText"], fontSize=10, leading=12),
    }


def letter_pdf_bytes(message: OutgoingMessage) -> bytes:
    styles = _styles()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=0.9 * inch,
        rightMargin=0.9 * inch,
        topMargin=0.7 * inch,
        bottomMargin=0.7 * inch,
        title=message.subject or "Letter",
        author="Solvent",
        subject=message.idempotency_key,
    )
    story: list[object] = []
    recipient = message.extras.get("recipient_name", "")
    address = message.extras.get("postal_address", "")
    # #10 window envelope: the recipient block sits about 2 inches from the top.
    story.append(Spacer(1, 1.2 * inch))
    story.extend(
        Paragraph(escape(line), styles["address"])
        for line in [recipient, *address.split("\n")]
        if line.strip()
    )
    story.append(Spacer(1, 0.4 * inch))
    if message.subject:
        story.append(Paragraph(escape(message.subject), styles["title"]))
    for block in message.body.split("\n\n"):
        text = block.strip()
        if not text:
            continue
        if text.startswith("## "):
            story.append(Paragraph(escape(text[3:]), styles["heading"]))
        else:
            story.append(Paragraph(escape(text).replace("\n", "<br/>"), styles["body"]))
    document.build(story)
    return buffer.getvalue()

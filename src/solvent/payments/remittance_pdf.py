"""A client remittance statement as a PDF (ReportLab, the house style of contact/letters.py):
the agency and the client on top, the period, the totals table, then the lines: collected,
deductions and pending, each payment by account number, date, method, reference and amount.
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

from solvent.payments.domain.remittance import Line, LineKind, Mode, Statement

_HEADINGS = {
    LineKind.COLLECTED: "Collected",
    LineKind.DEDUCTION: "Deductions (collected on an earlier statement, since returned or reversed)",
    LineKind.PENDING: "Pending, not remitted (not yet cleared)",
}


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "body": ParagraphStyle("body", parent=base["BodyText"], fontSize=9.5, leading=12.5),
        "small": ParagraphStyle("small", parent=base["BodyText"], fontSize=8.5, leading=10.5),
        "heading": ParagraphStyle(
            "heading", parent=base["Heading3"], fontSize=11, spaceBefore=8, spaceAfter=3
        ),
        "title": ParagraphStyle("title", parent=base["Heading1"], fontSize=14, spaceAfter=4),
    }


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def _grid(rows: list[list[str]], widths: list[float], *, header: bool) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("ALIGN", (-1, 0), (-1, -1), "RIGHT"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        style += [
            ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
        ]
    table.setStyle(TableStyle(style))
    return table


def _totals(statement: Statement) -> Table:
    figures, currency = statement.figures, statement.currency
    rows = [
        [f"Collected ({figures.collected_count} payments)", _money(figures.collected, currency)],
        [
            f"Less deductions ({figures.deductions_count} payments)",
            _money(-figures.deductions, currency),
        ],
        ["Net collected", _money(figures.net_collected, currency)],
        [
            f"Commission at {figures.commission_percent}"
            + (" (a credit to the client)" if figures.commission < 0 else ""),
            _money(figures.commission, currency),
        ],
    ]
    if figures.mode is Mode.NET:
        rows.append(["To remit (net of commission)", _money(figures.remit, currency)])
    else:
        rows.append(["To remit (gross: the net collected)", _money(figures.remit, currency)])
        rows.append(["Commission invoiced separately", _money(figures.invoice, currency)])
    if figures.pending_count:
        rows.append(
            [
                f"Pending, not remitted ({figures.pending_count} payments)",
                _money(figures.pending, currency),
            ]
        )
    table = _grid(rows, [4.8 * inch, 2.0 * inch], header=False)
    table.setStyle(TableStyle([("FONTNAME", (0, 4), (-1, 4), "Helvetica-Bold")]))
    return table


def _lines_table(lines: list[Line], currency: str) -> Table:
    rows = [["Account", "Paid on", "Method", "Reference", "Status", f"Amount ({currency})"]]
    rows += [
        [
            line.account_number,
            line.paid_on.isoformat() + (" (late)" if line.late else ""),
            line.method,
            line.reference[:40],
            line.status,
            f"{line.amount:,.2f}",
        ]
        for line in lines
    ]
    widths = [1.3 * inch, 1.15 * inch, 0.9 * inch, 1.6 * inch, 0.75 * inch, 1.1 * inch]
    return _grid(rows, widths, header=True)


def statement_pdf_bytes(statement: Statement, *, agency_name: str) -> bytes:
    """The statement as a PDF document."""
    styles = _styles()
    buffer = io.BytesIO()
    period = f"{statement.period_start.isoformat()} to {statement.period_end.isoformat()}"
    document = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=0.75 * inch,
        rightMargin=0.75 * inch,
        topMargin=0.6 * inch,
        bottomMargin=0.6 * inch,
        title=f"Remittance statement {statement.client_code} {period}",
        author=agency_name,
        subject="Client remittance statement",
    )
    if statement.issued_at is not None:
        status = f"Issued {statement.issued_at:%Y-%m-%d %H:%M} UTC" + (
            f" by {statement.issued_by}" if statement.issued_by else ""
        )
    else:
        status = "PREVIEW: not issued; the figures may still change"
    header = "<br/>".join(
        escape(text)
        for text in (
            agency_name,
            f"Client: {statement.client_name} ({statement.client_code})",
            f"Period: {period}",
            f"Currency: {statement.currency}; remittance: {statement.figures.mode.value}",
            status,
        )
    )
    story: list[Flowable] = [
        Paragraph("Client remittance statement", styles["title"]),
        Paragraph(header, styles["body"]),
        Spacer(1, 0.15 * inch),
        Paragraph("Totals", styles["heading"]),
        _totals(statement),
    ]
    story += [Paragraph(escape(note), styles["small"]) for note in statement.notes]
    for kind in LineKind:
        lines = statement.lines_of(kind)
        if not lines:
            continue
        story += [Paragraph(escape(_HEADINGS[kind]), styles["heading"])]
        story.append(_lines_table(lines, statement.currency))
    if not statement.lines:
        story.append(Paragraph("No payments in this period.", styles["body"]))
    document.build(story)
    return buffer.getvalue()

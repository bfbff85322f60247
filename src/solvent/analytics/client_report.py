"""The monthly client report as a PDF (ReportLab, like payments/remittance_pdf.py): the month's
placements and collections, the liquidation curve of each placement cohort and the promise funnel
drawn as charts (ReportLab's own vector graphics: no image files, no matplotlib state), then the
KPIs with numerator and denominator and the compliance blocks by rule.

The tables are ``domain.report_tables``' (the pages' and the exports'), so the PDF shows the same
figures as the desk.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as PdfTable

from solvent.analytics.domain.client_report import ClientMonthReport, summary_rows
from solvent.analytics.domain.report_tables import (
    NO_DATA,
    RATIO,
    Table,
    cell_text,
    cohort_label,
    count_text,
    ratio_percent,
)
from solvent.analytics.domain.reports import CohortCurve, Funnel, Ratio

PALETTE = (
    colors.HexColor("#0f766e"),
    colors.HexColor("#2563eb"),
    colors.HexColor("#7c3aed"),
    colors.HexColor("#d97706"),
    colors.HexColor("#b91c1c"),
    colors.HexColor("#4b5563"),
    colors.HexColor("#0891b2"),
    colors.HexColor("#be185d"),
    colors.HexColor("#65a30d"),
    colors.HexColor("#9333ea"),
    colors.HexColor("#ea580c"),
    colors.HexColor("#1e3a8a"),
)
WIDTH = 7.0 * inch


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "body": ParagraphStyle("body", parent=base["BodyText"], fontSize=9.5, leading=12.5),
        "small": ParagraphStyle("small", parent=base["BodyText"], fontSize=8, leading=10),
        "heading": ParagraphStyle(
            "heading", parent=base["Heading3"], fontSize=11, spaceBefore=10, spaceAfter=4
        ),
        "title": ParagraphStyle("title", parent=base["Heading1"], fontSize=15, spaceAfter=4),
    }


def _grid(rows: list[list[str]], widths: Sequence[float] | None, *, header: bool) -> PdfTable:
    table = PdfTable(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
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


def report_table_flowable(table: Table, *, skip: Sequence[str] = ()) -> PdfTable:
    """A report table as the PDF shows it: each ratio as "rate (numerator / denominator)"."""
    keep = [index for index, column in enumerate(table.columns) if column.key not in skip]
    header = [table.columns[index].label for index in keep]
    rows = [[cell_text(row[index]) for index in keep] for row in table.rows]
    if not rows:
        rows = [["No data for this month.", *([""] * (len(keep) - 1))]]
    return _grid([header, *rows], None, header=True)


def _kpi_flowable(table: Table) -> PdfTable:
    """The KPIs one per line (a client's report has one population): name, rate, figures, what."""
    rows = [["Indicator", "Rate", "Numerator / denominator", "Definition"]]
    total = table.rows[-1] if table.rows else ()
    small = _styles()["small"]
    for index, column in enumerate(table.columns):
        if column.kind != RATIO:
            continue
        cell = total[index] if total else None
        if isinstance(cell, Ratio):
            rate = ratio_percent(cell)
            figures = f"{count_text(cell.numerator)} / {count_text(cell.denominator)}"
        else:
            rate = figures = NO_DATA
        rows.append([column.label, rate, figures, Paragraph(escape(column.help), small)])
    widths = [1.6 * inch, 0.7 * inch, 1.5 * inch, 3.2 * inch]
    return _grid(rows, widths, header=True)


def liquidation_drawing(curves: Sequence[CohortCurve]) -> Drawing:
    """A line per cohort: months since placement against collected / placed (%)."""
    drawing = Drawing(WIDTH, 2.6 * inch)
    drawn = [
        (
            cohort_label(curve, curves),
            [
                (float(month), ratio.value * 100)
                for month, _collected, ratio in curve.points
                if ratio.value is not None
            ],
        )
        for curve in curves
    ]
    labels = [label for label, line in drawn if line]
    lines = [line for _label, line in drawn if line]
    if not lines:
        drawing.add(String(10, 1.2 * inch, "No placement cohort to draw.", fontSize=9))
        return drawing
    plot = LinePlot()
    plot.x, plot.y = 45, 30
    plot.width, plot.height = WIDTH - 170, 2.6 * inch - 50
    plot.data = lines
    plot.xValueAxis.valueMin = 0
    plot.yValueAxis.valueMin = 0
    plot.xValueAxis.labels.fontSize = 7
    plot.yValueAxis.labels.fontSize = 7
    plot.yValueAxis.labelTextFormat = "%d%%"
    for index in range(len(lines)):
        plot.lines[index].strokeColor = PALETTE[index % len(PALETTE)]
        plot.lines[index].strokeWidth = 1.5
    drawing.add(plot)
    legend = Legend()
    # One column at the right, top down: a cohort per line (12 fit the drawing's height).
    legend.x, legend.y = WIDTH - 105, 2.6 * inch - 10
    legend.alignment = "right"
    legend.columnMaximum = len(labels)
    legend.deltay = 10
    legend.dx = legend.dy = 6
    legend.fontSize = 7
    legend.colorNamePairs = [
        (PALETTE[index % len(PALETTE)], label) for index, label in enumerate(labels)
    ]
    drawing.add(legend)
    drawing.add(String(45, 8, "Months since placement", fontSize=7))
    return drawing


def funnel_drawing(funnel: Funnel) -> Drawing:
    """The funnel's steps as horizontal bars, the first on top."""
    drawing = Drawing(WIDTH, 1.6 * inch)
    if not funnel.steps:
        drawing.add(String(10, 0.7 * inch, "No contact in this month.", fontSize=9))
        return drawing
    chart = HorizontalBarChart()
    chart.x, chart.y = 130, 10
    chart.width, chart.height = WIDTH - 160, 1.6 * inch - 20
    steps = list(reversed(funnel.steps))
    chart.data = [[step.count for step in steps]]
    chart.categoryAxis.categoryNames = [step.label for step in steps]
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = PALETTE[0]
    chart.barLabelFormat = "%d"
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 8
    drawing.add(chart)
    return drawing


def client_report_story(report: ClientMonthReport) -> list[Flowable]:
    """The report's content, in order (tests read it without parsing a PDF)."""
    styles = _styles()
    kpis, funnel, liquidation, blocks = report.tables()
    header = "<br/>".join(
        escape(text)
        for text in (
            report.agency_name,
            f"Client: {report.client_name} ({report.client_code})",
            f"Month: {report.month} ({report.period_start.isoformat()} to "
            f"{report.period_end.isoformat()}, the end excluded)",
            f"Currency: {report.currency}; prepared {report.generated_on.isoformat()}",
        )
    )
    story: list[Flowable] = [
        Paragraph(f"Monthly report, {escape(report.month)}", styles["title"]),
        Paragraph(header, styles["body"]),
        Paragraph("Placements and collections", styles["heading"]),
        _grid([list(row) for row in summary_rows(report)], [4.6 * inch, 2.2 * inch], header=False),
    ]
    if report.placements:
        rows = [["Placed on", "File", "Accounts", "Status"]] + [
            [line.placed_on.isoformat(), line.source_name[:50], f"{line.accounts:,}", line.status]
            for line in report.placements
        ]
        story += [
            Spacer(1, 6),
            _grid(rows, [1.0 * inch, 3.6 * inch, 1.0 * inch, 1.2 * inch], header=True),
        ]
    story += [
        KeepTogether(
            [
                Paragraph("Liquidation by placement cohort", styles["heading"]),
                Paragraph(
                    "Collected / placed for each month's placements, by months since placement.",
                    styles["small"],
                ),
                liquidation_drawing(report.curves),
            ]
        ),
        KeepTogether(
            [
                Paragraph("Promise funnel", styles["heading"]),
                funnel_drawing(report.funnel),
                report_table_flowable(funnel),
            ]
        ),
        Paragraph("Key performance indicators", styles["heading"]),
        _kpi_flowable(kpis),
        Paragraph("Contacts refused by the compliance engine, by rule", styles["heading"]),
        report_table_flowable(blocks),
        Paragraph("Liquidation figures", styles["heading"]),
        report_table_flowable(liquidation, skip=("currency",)),
    ]
    return story


def client_report_pdf(report: ClientMonthReport, *, compress: bool = True) -> bytes:
    """The report as a PDF document (``compress=False`` leaves the text readable in the bytes)."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=0.75 * inch,
        rightMargin=0.75 * inch,
        topMargin=0.6 * inch,
        bottomMargin=0.6 * inch,
        title=f"Monthly report {report.client_code} {report.month}",
        author=report.agency_name,
        subject="Monthly client report",
        pageCompression=1 if compress else 0,
        invariant=1,
    )
    document.build(client_report_story(report))
    return buffer.getvalue()


def client_report_filename(report: ClientMonthReport) -> str:
    return f"client-report-{report.client_code}-{report.month}.pdf"

"""The monthly client report: its content from a report built by hand (no database), its reads over
the KPI world's rows (placements, cleared money of the month, the cohort placed, the scope), the PDF
and the `solvent report monthly` command."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing
from reportlab.platypus import Paragraph
from reportlab.platypus import Table as PdfTable

from solvent.analytics.client_report import (
    client_report_filename,
    client_report_pdf,
    client_report_story,
    funnel_drawing,
    liquidation_drawing,
)
from solvent.analytics.domain.client_report import ClientMonthReport, PlacementLine, summary_rows
from solvent.analytics.domain.reports import Funnel
from solvent.analytics.selectors_client_report import client_report_get
from solvent.core.domain.errors import NotFoundError, PermissionDeniedError, ValidationError
from tests.analytics import report_samples as samples
from tests.analytics.kpi_world import NOW, World, world_build


def _report(**changes: object) -> ClientMonthReport:
    fields: dict[str, object] = {
        "agency_name": "Solvent Collections",
        "client_code": "harbor",
        "client_name": "Harbor Bank",
        "currency": "GBP",
        "month": "2026-10",
        "period_start": date(2026, 10, 1),
        "period_end": date(2026, 11, 1),
        "generated_on": date(2026, 11, 15),
        "placements": (PlacementLine(date(2026, 10, 3), "harbor-oct.csv", 4, "done"),),
        "placed_accounts": 4,
        "placed_amount": Decimal("2000.00"),
        "collected": Decimal("1234.50"),
        "payments": 7,
        "other_currency_payments": 0,
        "curves": tuple(samples.curves()),
        "funnel": samples.funnel(),
        "kpis": samples.kpi_table(group_by=""),
        "blocks": tuple(samples.blocks()),
    }
    fields.update(changes)
    return ClientMonthReport(**fields)  # type: ignore[arg-type]


def _texts(story: list[object]) -> list[str]:
    """Every paragraph's text and every table cell's, in order."""
    texts: list[str] = []
    for flowable in story:
        parts = getattr(flowable, "_content", None) or [flowable]
        for part in parts:
            if isinstance(part, Paragraph):
                texts.append(part.getPlainText())
            elif isinstance(part, PdfTable):
                for row in part._cellvalues:
                    texts.extend(
                        cell.getPlainText() if isinstance(cell, Paragraph) else str(cell)
                        for cell in row
                    )
    return texts


def test_the_summary_says_what_was_placed_and_collected() -> None:
    rows = dict(summary_rows(_report()))
    assert rows["Accounts placed this month"] == "4"
    assert rows["Amount placed this month"] == "2,000.00 GBP"
    assert rows["Collected this month (cleared)"] == "1,234.50 GBP"
    assert "Payments in another currency (not counted above)" not in rows
    other = dict(summary_rows(_report(other_currency_payments=2)))
    assert other["Payments in another currency (not counted above)"] == "2"


def test_the_story_holds_the_kpis_with_numerators_and_denominators_and_the_blocks() -> None:
    texts = _texts(client_report_story(_report()))
    assert "Monthly report, 2026-10" in texts
    assert any("Client: Harbor Bank (harbor)" in text for text in texts)
    assert "harbor-oct.csv" in texts
    contact = texts.index("Contact rate")
    assert texts[contact + 1 : contact + 3] == ["37.5%", "30 / 80"]
    assert texts[contact + 3] == "attempts that reached any person / attempts"
    assert "us.reg_f.call_cap_7_in_7" in texts and "12 CFR 1006.14(b)(2)(i)" in texts
    assert "8.8% (7 / 80)" not in texts and "5.0% (7 / 140)" in texts
    assert "Right-party contacts" in texts and "20.0% (40 / 200)" in texts


def test_the_charts_are_drawn_a_line_per_cohort_and_a_bar_per_step() -> None:
    drawing = liquidation_drawing(samples.curves())
    plot = next(item for item in drawing.contents if isinstance(item, LinePlot))
    assert len(plot.data) == 2
    assert [x for x, _ in plot.data[0]] == [0.0, 1.0, 2.0]
    assert [y for _, y in plot.data[0]] == pytest.approx([2.5, 7.0, 12.005])
    chart = next(
        item
        for item in funnel_drawing(samples.funnel()).contents
        if isinstance(item, HorizontalBarChart)
    )
    assert chart.data == [[6, 10, 40, 200]]  # drawn bottom up: attempts on top
    empty = funnel_drawing(Funnel(date(2026, 10, 1), date(2026, 11, 1), ()))
    assert isinstance(empty, Drawing) and not any(
        isinstance(i, HorizontalBarChart) for i in empty.contents
    )
    assert not any(isinstance(i, LinePlot) for i in liquidation_drawing([]).contents)


def test_the_pdf_is_a_document_with_the_clients_name_and_month() -> None:
    report = _report()
    pdf = client_report_pdf(report, compress=False)
    assert pdf.startswith(b"%PDF")
    assert b"(Monthly report, 2026-10)" in pdf
    assert b"Harbor Bank" in pdf and b"1,234.50 GBP" in pdf
    assert client_report_pdf(report) == client_report_pdf(report)  # invariant: no timestamps
    assert client_report_filename(report) == "client-report-harbor-2026-10.pdf"


# --- over the database -----------------------------------------------------------------------


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> World:
    monkeypatch.setattr("solvent.core.clock.now", lambda: NOW)
    return world_build()


@pytest.mark.django_db
def test_the_months_money_is_the_cleared_payments_of_the_client_in_the_month(world) -> None:
    report = client_report_get(
        user=world.viewer, client_code="acme", month="2026-11", agency_name="A", today=NOW.date()
    )
    # acme: 100.00 cleared on 2026-11-14; beta's 250.00 and its returned 500.00 are not acme's.
    assert (report.collected, report.payments) == (Decimal("100.00"), 1)
    assert report.placements == () and report.placed_accounts == 0
    assert report.kpis.total.values["rpc_rate"].denominator == 3
    assert [step.count for step in report.funnel.steps][:2] == [3, 2]


@pytest.mark.django_db
def test_the_placement_month_lists_its_files_and_the_cohort_placed(world) -> None:
    report = client_report_get(
        user=world.supervisor,
        client_code="acme",
        month="2026-09",
        agency_name="A",
        today=NOW.date(),
    )
    assert [(p.source_name, p.placed_on) for p in report.placements] == [
        ("acme.csv", date(2026, 9, 1))
    ]
    assert (report.placed_accounts, report.placed_amount) == (2, Decimal("2000.00"))
    assert report.curves[0].cohort == "2026-09"


@pytest.mark.django_db
def test_the_report_is_for_a_client_the_user_sees_and_a_role_that_reads_reports(world) -> None:
    def ask(user, code="acme", month="2026-11"):
        return client_report_get(
            user=user, client_code=code, month=month, agency_name="A", today=NOW.date()
        )

    with pytest.raises(NotFoundError):
        ask(world.viewer, "beta")
    with pytest.raises(NotFoundError):
        ask(world.viewer, "nobody")
    with pytest.raises(PermissionDeniedError):
        ask(world.ann)
    with pytest.raises(ValidationError):
        ask(world.admin, "")
    with pytest.raises(ValidationError):
        ask(world.admin, month="2026-13")
    assert ask(world.admin, "beta").collected == Decimal("250.00")


@pytest.mark.django_db
def test_the_command_writes_the_pdf_and_prints_the_summary(world, tmp_path: Path, capsys) -> None:
    out = tmp_path / "acme.pdf"
    call_command("report", "monthly", "--client", "acme", "--month", "2026-11", "--out", str(out))
    assert out.read_bytes().startswith(b"%PDF")
    printed = capsys.readouterr().out
    assert "Acme Bank (acme), 2026-11" in printed
    assert "100.00 USD" in printed and f"PDF written to {out}" in printed


@pytest.mark.django_db
def test_the_command_refuses_an_unknown_client_or_month(world, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="client 'nobody' not found"):
        call_command(
            "report",
            "monthly",
            "--client",
            "nobody",
            "--month",
            "2026-11",
            "--out",
            str(tmp_path / "x.pdf"),
        )
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command(
            "report",
            "monthly",
            "--client",
            "acme",
            "--month",
            "11-2026",
            "--out",
            str(tmp_path / "x.pdf"),
        )
    with pytest.raises(CommandError, match="cannot write"):
        call_command(
            "report",
            "monthly",
            "--client",
            "acme",
            "--month",
            "2026-11",
            "--out",
            str(tmp_path / "no" / "x.pdf"),
        )


@pytest.mark.django_db
def test_the_months_money_is_to_the_cent_whatever_the_database_sums(world) -> None:
    from solvent.payments.models import Payment

    for amount in ("0.10", "0.20"):
        Payment.objects.create(
            account=world.a1,
            client=world.acme,
            amount=Decimal(amount),
            currency="USD",
            method="card",
            paid_on=date(2026, 11, 20),
            status="cleared",
            source="api",
            posted_at=NOW,
        )
    report = client_report_get(
        user=world.admin, client_code="acme", month="2026-11", agency_name="A", today=NOW.date()
    )
    assert str(report.collected) == "100.30" and report.payments == 3

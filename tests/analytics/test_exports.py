"""The report tables and their CSV and XLSX exports, from report objects built by hand: every ratio
as numerator, denominator and rate; no data is empty, never 0; text cannot run as a formula; the
XLSX holds the same figures as the CSV, typed."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from solvent.analytics.domain import report_tables as tables
from solvent.analytics.domain.reports import Ratio
from solvent.analytics.exports import export_header, report_csv, report_xlsx
from tests.analytics import report_samples as samples


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_a_kpi_table_has_a_row_per_group_then_all_with_every_metric() -> None:
    table = tables.kpi_report_table(samples.kpi_table())
    assert [column.key for column in table.columns] == ["group", "contact_rate", "kept_rate"]
    assert table.column("group") == ["2026-10", "2026-11", "All"]
    assert table.column("contact_rate")[0] == samples.ratio(21, 50)
    assert "attempts that reached any person / attempts" in table.columns[1].help
    assert table.columns[2].help.endswith("has passed. grace of 3 days")


def test_an_ungrouped_kpi_table_is_one_row_all() -> None:
    table = tables.kpi_report_table(samples.kpi_table(group_by=""))
    assert table.column("group") == ["All"]
    assert table.columns[0].label == "Population"


def test_the_kpi_csv_shows_each_rate_with_its_numerator_and_denominator() -> None:
    rows = _rows(report_csv([tables.kpi_report_table(samples.kpi_table())]))
    assert rows[0] == [
        "Month",
        "Contact rate numerator",
        "Contact rate denominator",
        "Contact rate",
        "Kept rate numerator",
        "Kept rate denominator",
        "Kept rate",
    ]
    assert rows[1] == ["2026-10", "21", "50", "0.420000", "3", "4", "0.750000"]
    # 0 / 0 is no data: the rate is empty, not 0.
    assert rows[2] == ["2026-11", "9", "30", "0.300000", "0", "0", ""]
    assert rows[3][0] == "All"


def test_cell_text_shows_the_rate_and_both_figures_and_a_dash_for_no_data() -> None:
    assert tables.cell_text(samples.ratio(21, 50)) == "42.0% (21 / 50)"
    assert tables.cell_text(samples.ratio(0, 0)) == "\u2013 (0 / 0)"
    assert tables.cell_text(samples.ratio("5.25", "7.5")) == "70.0% (5.25 / 7.50)"
    assert tables.cell_text(None) == "\u2013"
    assert tables.cell_text(Decimal("1234.5")) == "1,234.50"
    assert tables.cell_text(1234) == "1,234"


def test_the_liquidation_table_has_a_row_per_cohort_and_month() -> None:
    table = tables.liquidation_table(samples.curves())
    assert [(row[0], row[4]) for row in table.rows] == [
        ("2026-09", 0),
        ("2026-09", 1),
        ("2026-09", 2),
        ("2026-10", 0),
    ]
    rows = _rows(report_csv([table]))
    assert rows[3][5:] == ["1200.50", "1200.50", "10000", "0.120050"]


def test_the_liquidation_chart_draws_a_line_per_cohort_over_months_since_placement() -> None:
    chart = tables.liquidation_chart(samples.curves())
    assert chart["labels"] == [0, 1, 2]
    assert chart["series"] == [
        {"label": "2026-09", "values": [2.5, 7.0, 12.01]},
        {"label": "2026-10", "values": [5.0, None, None]},
    ]


def test_roll_tables_are_one_per_month_with_counts_and_the_roll_rate() -> None:
    first, second = tables.roll_tables(samples.roll_matrices())
    assert first.key == "roll-2026-10" and second.key == "roll-2026-11"
    assert first.column("from") == ["1-30", "31-60", "61-90"]
    assert first.column("start") == [10, 4, 0]
    assert first.column("to:31-60") == [3, 0, 0]
    assert first.column("to:paid") == [1, 0, 0]
    # 61-90 is the last stage: nothing to roll to, no rate (not 0%).
    assert first.column("roll_rate") == [samples.ratio(3, 10), samples.ratio(2, 4), None]
    chart = tables.roll_chart(samples.roll_matrices())
    assert chart["labels"] == ["2026-10", "2026-11"]
    assert chart["series"] == [
        {"label": "1-30", "values": [30.0, 25.0]},
        {"label": "31-60", "values": [50.0, 20.0]},
    ]


def test_several_tables_are_titled_csv_sections_and_sheets() -> None:
    matrices = tables.roll_tables(samples.roll_matrices())
    rows = _rows(report_csv(matrices))
    assert rows[0] == ["Roll rates, 2026-10"]
    assert rows[1][:3] == ["From \\ to", "At the start", "1-30"]
    assert [] in rows
    assert ["Roll rates, 2026-11"] in rows
    book = load_workbook(io.BytesIO(report_xlsx(matrices)))
    assert book.sheetnames == ["roll-2026-10", "roll-2026-11"]


def test_the_funnel_table_gives_each_step_its_share_of_the_one_before() -> None:
    table = tables.funnel_table(samples.funnel())
    assert table.column("count") == [200, 40, 10, 6]
    assert table.column("of_previous") == [
        None,
        samples.ratio(40, 200),
        samples.ratio(10, 40),
        samples.ratio(6, 10),
    ]
    assert table.column("amount")[2] == Decimal("1500.00")


def test_the_agent_export_makes_a_formula_in_a_name_inert() -> None:
    rows = _rows(report_csv([tables.agent_table(samples.agents())]))
    assert rows[1][0] == "'=cmd|' /C calc'!A0"
    assert rows[2][0] == "bob"
    book = load_workbook(io.BytesIO(report_xlsx([tables.agent_table(samples.agents())])))
    assert book["agents"]["A2"].value == "'=cmd|' /C calc'!A0"


def test_blocks_and_channels_keep_rule_citation_and_rates() -> None:
    blocks = tables.blocks_table(samples.blocks())
    assert blocks.rows[0][:3] == ("us.reg_f.call_cap_7_in_7", "12 CFR 1006.14(b)(2)(i)", 7)
    assert blocks.rows[0][3] == samples.ratio(7, 140)
    channels = tables.channel_table(samples.channels())
    assert channels.column("contact_rate") == [samples.ratio(30, 100), samples.ratio(0, 50)]
    rows = _rows(report_csv([channels]))
    assert rows[2][-3:] == ["0", "50", "0.000000"]


def test_the_xlsx_holds_the_csv_figures_typed_and_formatted() -> None:
    table = tables.agent_table(samples.agents())
    sheet = load_workbook(io.BytesIO(report_xlsx([table])))["agents"]
    header = [cell.value for cell in sheet[1]]
    assert header == export_header(table.columns)
    assert sheet[1][0].font.bold
    csv_rows = _rows(report_csv([table]))[1:]
    for number, csv_values in enumerate(csv_rows, start=2):
        values = [cell.value for cell in sheet[number]]
        assert values[0] == csv_values[0]
        for value, text in zip(values[1:], csv_values[1:], strict=True):
            if text == "":
                assert value is None
            elif isinstance(value, str):
                assert value == text
            else:
                assert Decimal(str(value)) == Decimal(text)
    rate_column = header.index("Promise rate")
    assert sheet.cell(row=2, column=rate_column + 1).number_format == "0.0%"
    assert sheet.cell(row=3, column=rate_column + 1).value is None  # 0 / 0: no data


def test_an_empty_report_exports_a_header_and_an_empty_sheet() -> None:
    table = tables.blocks_table([])
    assert _rows(report_csv([table])) == [export_header(table.columns)]
    assert load_workbook(io.BytesIO(report_xlsx([]))).sheetnames == ["report"]


@given(
    st.integers(min_value=0, max_value=10**9),
    st.integers(min_value=0, max_value=10**9),
)
def test_an_exported_rate_is_its_numerator_over_its_denominator(numerator: int, extra: int) -> None:
    denominator = numerator + extra
    table = tables.Table(
        "t",
        "t",
        (tables.Column("r", "R", tables.RATIO),),
        ((Ratio(Decimal(numerator), Decimal(denominator)),),),
    )
    row = _rows(report_csv([table]))[1]
    assert row[:2] == [str(numerator), str(denominator)]
    if denominator == 0:
        assert row[2] == ""
    else:
        assert Decimal(row[2]) == pytest.approx(
            Decimal(numerator) / Decimal(denominator), abs=Decimal("0.000001")
        )
        assert 0 <= Decimal(row[2]) <= 1


def test_a_cohort_in_two_currencies_is_two_lines_named_by_currency() -> None:
    gbp, usd = samples.curves()[0], replace(samples.curves()[0], currency="USD")
    chart = tables.liquidation_chart([gbp, usd])
    assert [series["label"] for series in chart["series"]] == ["2026-09 GBP", "2026-09 USD"]
    assert [s["label"] for s in tables.liquidation_chart([gbp])["series"]] == ["2026-09"]

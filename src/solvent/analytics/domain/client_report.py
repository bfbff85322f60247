"""The monthly client report: what an agency tells a client about one month of their accounts.

The shape the PDF (analytics/client_report.py) draws, gathered by
``analytics.selectors_client_report``: the month's placements and the amount placed, the money
collected, the liquidation of each placement cohort, the promise funnel, the KPIs with their
numerators and denominators, and the contacts the compliance engine refused. Pure: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from solvent.analytics.domain.report_tables import (
    Table,
    blocks_table,
    funnel_table,
    kpi_report_table,
    liquidation_table,
)
from solvent.analytics.domain.reports import BlockRow, CohortCurve, Funnel, KpiTable


@dataclass(frozen=True, slots=True)
class PlacementLine:
    placed_on: date
    source_name: str
    accounts: int  # accounts the file created or updated
    status: str


@dataclass(frozen=True, slots=True)
class ClientMonthReport:
    agency_name: str
    client_code: str
    client_name: str
    currency: str
    month: str  # "2026-11"
    period_start: date
    period_end: date  # exclusive
    generated_on: date
    placements: tuple[PlacementLine, ...]
    placed_accounts: int  # the month's cohort (liquidation's own count)
    placed_amount: Decimal
    collected: Decimal  # cleared payments dated in the month, in the client's currency
    payments: int
    # Payments of the month in another currency, not in ``collected`` (they are named apart).
    other_currency_payments: int
    curves: tuple[CohortCurve, ...]
    funnel: Funnel
    kpis: KpiTable
    blocks: tuple[BlockRow, ...]

    def tables(self) -> list[Table]:
        """The report's tables, the same as the pages' and the exports'."""
        return [
            kpi_report_table(self.kpis),
            funnel_table(self.funnel),
            liquidation_table(self.curves),
            blocks_table(self.blocks),
        ]


def summary_rows(report: ClientMonthReport) -> list[tuple[str, str]]:
    """The first table of the report: what was placed and what was collected."""
    currency = report.currency
    rows = [
        ("Placement files this month", f"{len(report.placements):,}"),
        ("Accounts placed this month", f"{report.placed_accounts:,}"),
        ("Amount placed this month", f"{report.placed_amount:,.2f} {currency}"),
        ("Collected this month (cleared)", f"{report.collected:,.2f} {currency}"),
        ("Payments this month (cleared)", f"{report.payments:,}"),
    ]
    if report.other_currency_payments:
        rows.append(
            (
                "Payments in another currency (not counted above)",
                f"{report.other_currency_payments:,}",
            )
        )
    return rows

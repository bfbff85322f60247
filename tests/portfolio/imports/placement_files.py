"""Small placement files for the import tests: one good row by default, any column overridden."""

from __future__ import annotations

import csv
from pathlib import Path

from solvent.portfolio.domain.placement_columns import COLUMN_NAMES


def good_row(number: int = 1, **overrides: str) -> dict[str, str]:
    row = dict.fromkeys(COLUMN_NAMES, "")
    row.update(
        account_number=f"A-{number:04d}",
        original_creditor="Harbor Bank",
        product="credit_card",
        currency="USD",
        principal="1234.56",
        interest="10.00",
        fees="0",
        open_date="2020-01-15",
        delinquency_date="2025-03-01",
        first_name="Maria",
        last_name=f"Lopez{number}",
        date_of_birth="1980-05-17",
        national_id=f"123-45-{6000 + number:04d}",
        address_line1=f"{number} Main St",
        city="New York",
        region="NY",
        postal_code="10001",
        country="US",
        phone_mobile="(917) 234-5678",
        phone_home="718-234-5678",
        email=f"maria{number}@example.com",
    )
    row.update(overrides)
    return row


def write_rows(path: Path, rows: list[dict[str, str]], *, columns: list[str] | None = None) -> Path:
    names = columns or list(COLUMN_NAMES)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=names, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path

"""csv_cell: text a spreadsheet would run as a formula is made inert; everything else is kept."""

from __future__ import annotations

from decimal import Decimal

import pytest

from solvent.core.domain.csv_safety import csv_cell, csv_row


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+1 555 0100", "-1+2", "-5,00", "@SUM(A1)", "\t=1", "\r=1", "=cmd|' /C calc'!A0"],
)
def test_text_starting_a_formula_gets_a_leading_quote(text: str) -> None:
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize(
    "text", ["", "Maria", "1 Main St", "a=b", "O'Brien", "12.50", "-5", "+12.50", "-0.01"]
)
def test_ordinary_text_is_unchanged(text: str) -> None:
    assert csv_cell(text) == text


def test_numbers_and_none_pass_through_so_amounts_stay_numbers() -> None:
    assert csv_row([-3, Decimal("-1.50"), None, 2.5]) == [-3, Decimal("-1.50"), None, 2.5]


def test_a_nul_character_is_shown_as_its_symbol() -> None:
    assert csv_cell("a\x00b") == "a\u2400b"

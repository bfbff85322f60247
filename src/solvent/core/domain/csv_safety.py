"""CSV cells that a spreadsheet cannot mistake for a formula (CSV or "formula" injection).

A cell beginning with = + - @ (or a tab or carriage return, which some spreadsheets skip before
reading one of those) is run as a formula when the file is opened: `=HYPERLINK(...)` in a debtor's
name would reach a clerk's machine through our export. OWASP's advice is followed: such a cell is
prefixed with a single quote, which spreadsheets show as text and do not display. Every CSV the
platform writes for people goes through `csv_cell` or `csv_row` (docs/adr/0018).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A signed number alone ("-5", "+12.50") cannot call anything; a spreadsheet reads it as a number.
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def csv_cell(value: object) -> object:
    """The value, or for text that a spreadsheet would run, the same text made inert.

    Numbers are left alone, and so is text that is only a signed number ("-5"): an amount is not
    an attack, and a quote would stop a spreadsheet from summing it.
    A NUL character, which no CSV reader expects, is shown as the visible symbol for it.
    """
    if not isinstance(value, str):
        return value
    if "\x00" in value:
        value = value.replace("\x00", "\u2400")
    if value.startswith(_FORMULA_STARTS) and _PLAIN_NUMBER.fullmatch(value) is None:
        return "'" + value
    return value


def csv_row(values: Iterable[object]) -> list[object]:
    """Every cell of a row through `csv_cell`, for `csv.writer(...).writerow`."""
    return [csv_cell(value) for value in values]

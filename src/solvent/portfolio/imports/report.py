"""The error report: one CSV line per problem (row, column, value, reason), streamed to a file.

The report is read by people, in a spreadsheet, and kept on the placement row: so a rejected date
of birth or national id is masked (the row, the column and the reason stay, the value never does),
and no cell can start a formula (docs/adr/0018-personal-data-and-bad-input.md).
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from solvent.core.domain.csv_safety import csv_row
from solvent.portfolio.imports.source import RowError

REPORT_HEADER = ("row", "column", "value", "reason")
# What the placement row keeps of the error report; the CLI's --errors file has every line.
ERROR_REPORT_MAX_LINES = 100_000
# What a report keeps of a value: enough to recognise it, not a whole pasted document.
_MAX_VALUE = 200
# Columns whose values are stored encrypted: the report must not hold them in plain text either.
MASKED_COLUMNS = frozenset(
    {"date_of_birth", "national_id", "cosigner_date_of_birth", "cosigner_national_id"}
)
MASK = "[masked]"


def error_masked(error: RowError) -> RowError:
    """The error as the report may show it: for a masked column, without the value anywhere."""
    if error.column.strip().lower() not in MASKED_COLUMNS or not error.value:
        return error
    reason = error.reason
    # Parsers quote the text they refuse (repr), and name the value; take out both forms.
    for shown in (repr(error.value), error.value):
        reason = reason.replace(shown, MASK)
    return RowError(error.row, error.column, MASK, reason)


def report_text_masked(text: str) -> str:
    """A stored report as it may be served: masked and formula-safe, whenever it was written.

    Reports written before masking existed still hold values in plain text; serving goes through
    this too. It is idempotent: a report written by `ErrorReport` comes out unchanged.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for number, line in enumerate(csv.reader(io.StringIO(text))):
        if number == 0 or len(line) != len(REPORT_HEADER):
            writer.writerow(csv_row(line))
            continue
        row, column, value, reason = line
        error = error_masked(RowError(int(row) if row.isdigit() else 0, column, value, reason))
        writer.writerow(csv_row((row, error.column, error.value, error.reason)))
    return out.getvalue()


class ErrorReport:
    """Writes errors as they are found, so a file with a million bad rows needs no memory."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.writer = csv.writer(stream, lineterminator="\n")
        self.writer.writerow(REPORT_HEADER)
        self.errors = 0
        self.rows_rejected = 0
        self._last_row = -1

    def add(self, errors: Iterable[RowError]) -> None:
        for raw in errors:
            error = error_masked(raw)
            value = (
                error.value if len(error.value) <= _MAX_VALUE else error.value[:_MAX_VALUE] + "…"
            )
            self.writer.writerow(csv_row((error.row, error.column, value, error.reason)))
            self.errors += 1
            # A row's errors arrive together, so counting changes of row number counts rows.
            if error.row != self._last_row:
                self.rows_rejected += 1
                self._last_row = error.row

    def finish(self, errors_path: Path | None) -> str:
        """Write the whole report to `errors_path` (if given); the text the placement row keeps."""
        self.stream.flush()
        self.stream.seek(0)
        if errors_path is not None:
            with errors_path.open("w", encoding="utf-8", newline="") as target:
                shutil.copyfileobj(self.stream, target)
            self.stream.seek(0)
        if not self.errors:
            return ""
        kept = []
        for number, line in enumerate(self.stream):
            if number > ERROR_REPORT_MAX_LINES:
                hidden = self.errors - ERROR_REPORT_MAX_LINES
                kept.append(f'0,,,"{hidden} more errors are not shown"\n')
                break
            kept.append(line)
        return "".join(kept)

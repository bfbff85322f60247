"""The error report: one CSV line per problem (row, column, value, reason), streamed to a file."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from solvent.portfolio.imports.source import RowError

REPORT_HEADER = ("row", "column", "value", "reason")
# What a report keeps of a value: enough to recognise it, not a whole pasted document.
_MAX_VALUE = 200


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
        for error in errors:
            value = (
                error.value if len(error.value) <= _MAX_VALUE else error.value[:_MAX_VALUE] + "…"
            )
            self.writer.writerow((error.row, error.column, value, error.reason))
            self.errors += 1
            # A row's errors arrive together, so counting changes of row number counts rows.
            if error.row != self._last_row:
                self.rows_rejected += 1
                self._last_row = error.row

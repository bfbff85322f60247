"""The dry run of a placement file: what the import would store, and refuse, with nothing written.

The file is read exactly as the import reads it (the profile's spec: its encoding, header row,
column mapping, skipped rows and value formats; `row_validate` with the same ImportContext), so
what the preview shows is what the import does. It shows the first valid rows as they would be
stored: personal data masked as the error report masks it (a date of birth or national id is never
shown, only whether there is one), and the errors, masked too.

Counting: every data row is counted; at most `check_rows` of them are validated (the desk passes a
limit so a million-row file answers in seconds; the page says when the counts are partial).

The file itself waits between the dry run and "Import" under MEDIA_ROOT/placements/staged, named
by an unguessable token (`placement_file_stage`): the one thing here that writes, and a file only.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from solvent.core import clock
from solvent.core.crypto import keyed_hash
from solvent.core.domain.errors import NotFoundError
from solvent.portfolio.domain.placement_profile import ProfileSpec, spec_from_json
from solvent.portfolio.imports.layout import Layout, RowCounter, data_rows, layout_for
from solvent.portfolio.imports.records import ImportContext, PersonRecord, PlacementRow
from solvent.portfolio.imports.report import MASK, MASKED_COLUMNS, error_masked
from solvent.portfolio.imports.rows import row_validate
from solvent.portfolio.imports.source import (
    PlacementFileError,
    PlacementSource,
    RowError,
    placement_source_open,
)
from solvent.portfolio.models import Client, PlacementProfileVersion

# The record's keys, in the order the preview table shows them.
RECORD_COLUMNS: tuple[str, ...] = (
    "row",
    "account_number",
    "first_name",
    "middle_name",
    "last_name",
    "balance",
    "principal",
    "interest",
    "fees",
    "currency",
    "open_date",
    "delinquency_date",
    "charge_off_date",
    "last_payment_date",
    "last_payment_amount",
    "phones",
    "email",
    "address",
    "date_of_birth",
    "national_id",
    "product",
    "original_creditor",
    "cosigner",
)
# Rows the desk validates at most in one request: counts past them are the import's to give.
DESK_CHECK_ROWS = 50_000
_MASKED_VALUE = 200


@dataclass(slots=True)
class PlacementPreview:
    encoding: str
    header_row: int
    # The record's keys (RECORD_COLUMNS), and for each of our fields the file's column name.
    columns: list[str]
    records: list[dict[str, str]]
    errors: list[RowError]
    rows_total: int
    rows_valid: int
    rows_rejected: int
    rows_skipped: int
    warnings: list[str]
    sources: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    # Data rows validated: all of them unless `check_rows` stopped short (then `complete` is False).
    rows_checked: int = 0
    complete: bool = True
    # The file cannot be imported at all (its header, its encoding): why; no rows then.
    failure: str = ""


def placement_preview(
    *,
    client: Client,
    path: Path,
    profile_version: PlacementProfileVersion | None = None,
    spec: ProfileSpec | None = None,
    rows: int = 20,
    error_limit: int = 1000,
    placed_on: date | None = None,
    check_rows: int | None = None,
) -> PlacementPreview:
    """The dry run of `path` for `client`, read with `spec`, else the version's, else our format."""
    if spec is None:
        spec = (
            spec_from_json(profile_version.spec)
            if profile_version is not None
            else ProfileSpec.default()
        )
    try:
        source = placement_source_open(path, encoding=spec.encoding)
        layout = layout_for(source, spec)
    except PlacementFileError as problem:
        return PlacementPreview(
            encoding=spec.encoding,
            header_row=0,
            columns=list(RECORD_COLUMNS),
            records=[],
            errors=[_masked(error, set()) for error in problem.errors[:error_limit]],
            rows_total=0,
            rows_valid=0,
            rows_rejected=0,
            rows_skipped=0,
            warnings=[],
            failure=problem.message,
            complete=True,
        )
    counter = RowCounter()
    total, duplicates = _first_pass(source, layout, spec, counter)
    context = ImportContext(
        client_id=client.pk,
        client_country=client.country,
        client_currency=client.currency,
        placed_on=placed_on or clock.today(),
        hasher=keyed_hash,
        today=clock.today(),
        duplicates=duplicates,
        spec=spec,
    )
    masked_labels = {layout.label(name).strip().lower() for name in MASKED_COLUMNS}
    records: list[dict[str, str]] = []
    errors: list[RowError] = []
    valid = rejected = checked = 0
    for raw in data_rows(source, layout, spec):
        if check_rows is not None and checked >= check_rows:
            break
        checked += 1
        result = row_validate(raw, layout=layout, context=context)
        if isinstance(result, list):
            rejected += 1
            room = error_limit - len(errors)
            if room > 0:
                errors.extend(_masked(error, masked_labels) for error in result[:room])
            continue
        valid += 1
        if len(records) < rows:
            records.append(record_shown(result))
    return PlacementPreview(
        encoding=getattr(source, "encoding", spec.encoding),
        header_row=layout.header_row,
        columns=list(RECORD_COLUMNS),
        records=records,
        errors=errors,
        rows_total=total,
        rows_valid=valid,
        rows_rejected=rejected,
        rows_skipped=counter.skipped,
        warnings=list(layout.warnings),
        sources={name: layout.label(name) for name in layout.positions},
        constants=dict(layout.constants),
        rows_checked=checked,
        complete=checked >= total,
    )


def _first_pass(
    source: PlacementSource, layout: Layout, spec: ProfileSpec, counter: RowCounter
) -> tuple[int, dict[str, int]]:
    """Count the data rows (and the skipped ones) and find account numbers used twice.

    The import rejects every row of an account number the file repeats; the preview must too.
    """
    seen: set[str] = set()
    repeated: dict[str, int] = {}
    total = 0
    column = layout.positions.get("account_number")
    for raw in data_rows(source, layout, spec, counter):
        total += 1
        if column is None or column >= len(raw.values):
            continue
        number = raw.values[column].strip()
        if not number:
            continue
        if number in seen:
            repeated[number] = repeated.get(number, 1) + 1
        else:
            seen.add(number)
    return total, repeated


def _masked(error: RowError, masked_labels: set[str]) -> RowError:
    """The error report's masking, also under the file's own name for a masked field ("DOB")."""
    shown = error_masked(error)
    if shown is error and error.value and error.column.strip().lower() in masked_labels:
        reason = error.reason
        for text in (repr(error.value), error.value):
            reason = reason.replace(text, MASK)
        shown = RowError(error.row, error.column, MASK, reason)
    if len(shown.value) > _MASKED_VALUE:
        shown = RowError(shown.row, shown.column, shown.value[:_MASKED_VALUE] + "…", shown.reason)
    return shown


def record_shown(row: PlacementRow) -> dict[str, str]:
    """One valid row as it will be stored, in text; a date of birth or national id only masked."""
    account, debtor = row.account, row.debtor
    balance = account.principal + account.interest + account.fees
    return {
        "row": str(row.number),
        "account_number": account.account_number,
        "currency": account.currency,
        "principal": _money(account.principal),
        "interest": _money(account.interest),
        "fees": _money(account.fees),
        "balance": _money(balance),
        "product": account.product,
        "original_creditor": account.original_creditor,
        "open_date": _day(account.open_date),
        "delinquency_date": _day(account.delinquency_date),
        "charge_off_date": _day(account.charge_off_date),
        "last_payment_date": _day(account.last_payment_date),
        "last_payment_amount": _money(account.last_payment_amount),
        "first_name": debtor.first_name,
        "middle_name": debtor.middle_name,
        "last_name": debtor.last_name,
        "date_of_birth": MASK if debtor.date_of_birth else "",
        "national_id": MASK if debtor.national_id else "",
        "address": _address(debtor),
        "phones": _phones(debtor),
        "email": ", ".join(debtor.emails),
        "cosigner": _cosigner(row.cosigner),
    }


def _money(amount: Decimal | None) -> str:
    # As stored: the currency's minor unit is the validation's to decide (JPY has none).
    return "" if amount is None else str(amount)


def _day(day: date | None) -> str:
    return day.isoformat() if day is not None else ""


def _address(person: PersonRecord) -> str:
    address = person.address
    if address is None:
        return ""
    parts: Iterable[str] = (
        address.line1,
        address.line2,
        address.city,
        " ".join(p for p in (address.region, address.postal_code) if p),
        address.country,
    )
    return ", ".join(part for part in parts if part)


def _phones(person: PersonRecord) -> str:
    shown = []
    for phone in person.phones:
        number = f"{phone.e164} ext. {phone.extension}" if phone.extension else phone.e164
        shown.append(f"{number} ({phone.kind})")
    return "; ".join(shown)


def _cosigner(person: PersonRecord | None) -> str:
    if person is None:
        return ""
    name = " ".join(p for p in (person.first_name, person.last_name) if p)
    private = ", ".join(
        f"{label} {MASK}"
        for label, value in (("born", person.date_of_birth), ("id", person.national_id))
        if value
    )
    return f"{name} ({private})" if private else name


# --- the file between the dry run and the import ------------------------------------------------

# A staged file holds every debtor's date of birth and national id in plain text (ADR 0018):
# one nobody confirmed within this long is deleted the next time a file is staged.
STAGED_MAX_AGE = timedelta(hours=2)
_TOKEN = re.compile(r"^[0-9a-f]{32}(\.csv|\.xlsx)?$")


def _staged_folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "placements" / "staged"


def placement_file_stage(*, name: str, content: Iterable[bytes]) -> str:
    """Keep an uploaded file for its dry run and its import; its token names it (unguessable)."""
    folder = _staged_folder()
    folder.mkdir(parents=True, exist_ok=True)
    _staged_sweep(folder)
    suffix = Path(name).suffix.lower()
    token = secrets.token_hex(16) + (suffix if suffix in {".csv", ".xlsx"} else "")
    with (folder / token).open("wb") as handle:
        for chunk in content:
            handle.write(chunk)
    return token


def placement_file_staged(*, token: str) -> Path:
    """The staged file of `token`; NotFoundError when the token is malformed or its file gone."""
    path = _staged_folder() / token
    if not _TOKEN.match(token) or not path.is_file():
        raise NotFoundError(
            "the uploaded file is gone (over two hours old, or imported): upload it again"
        )
    return path


def placement_file_discard(*, token: str) -> None:
    if _TOKEN.match(token):
        (_staged_folder() / token).unlink(missing_ok=True)


def _staged_sweep(folder: Path) -> None:
    oldest = time.time() - STAGED_MAX_AGE.total_seconds()
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < oldest:
                path.unlink(missing_ok=True)
        except OSError:  # another request swept it first
            continue

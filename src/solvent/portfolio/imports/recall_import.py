"""A recall file: the client lists the account numbers it takes back; each is recalled.

The file is a list of account numbers under an `account_number` column (or the column the client's
profile maps to it), found in the profile's header row or in the file's first rows; other columns
(a reason, a date) are ignored. It makes a placement of kind `recall`, so the client and the audit
see what came in and when; a number that is not one of the client's accounts is a row error in the
placement's error report, as for a placement file (docs/adr/0037-recalls.md).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.contrib.auth.models import User
from django.db import transaction

from solvent.audit.services import audit_record
from solvent.core import clock
from solvent.portfolio.domain.placement_profile import ProfileSpec, spec_from_json
from solvent.portfolio.imports.liveness import this_worker
from solvent.portfolio.imports.recall_accounts import (
    RECALLABLE,
    accounts_recall_outcome,
    placement_warnings_add,
)
from solvent.portfolio.imports.report import ErrorReport
from solvent.portfolio.imports.runs import file_checksum
from solvent.portfolio.imports.source import (
    PlacementFileError,
    PlacementSource,
    RawRow,
    RowError,
    placement_source_open,
)
from solvent.portfolio.models import Account, Client, Placement, PlacementProfileVersion

# A recall file's header is looked for in its first rows (a title above it is common).
HEADER_SEARCH_ROWS = 20
# Account numbers looked up and recalled per transaction.
CHUNK = 500
_SEPARATORS = re.compile(r"[\s_\-.]+")


@dataclass(frozen=True, slots=True)
class RecallLine:
    """One data row of a recall file: its row number and the account number it gives."""

    row: int
    account_number: str


@dataclass(slots=True)
class RecallFile:
    source: PlacementSource
    header_row: int
    column: int
    label: str
    skip: tuple[re.Pattern[str], ...]
    skipped: int = 0

    def lines(self) -> Iterator[RecallLine | RowError]:
        """Each data row's account number, or the row's error; blank and skipped rows left out."""
        for raw in self.source.rows():
            if raw.number <= self.header_row:
                continue
            if raw.problem is not None:
                yield raw.problem
                continue
            if not any(value.strip() for value in raw.values):
                continue
            if self._skipped(raw):
                self.skipped += 1
                continue
            number = raw.values[self.column].strip() if self.column < len(raw.values) else ""
            if not number:
                yield RowError(raw.number, self.label, "", "required, but empty")
            elif len(number) > 64:
                reason = f"longer than 64 characters ({len(number)})"
                yield RowError(raw.number, self.label, number, reason)
            else:
                yield RecallLine(raw.number, number)

    def _skipped(self, raw: RawRow) -> bool:
        first = next((value for value in raw.values if value.strip()), "")
        return any(pattern.search(first) for pattern in self.skip)


def recall_file_open(path: Path, spec: ProfileSpec) -> RecallFile:
    """Open a recall file and find its account-number column; PlacementFileError if it has none.

    The column is the one the spec maps `account_number` to (Solvent's own name by default),
    matched without case, spaces, dots, dashes or underscores, in the spec's header row or, when
    the spec does not say, in the first rows of the file.
    """
    name = spec.columns.get("account_number") or "account_number"
    wanted = _key(name)
    source = placement_source_open(path, encoding=spec.encoding)
    skip = tuple(re.compile(pattern, re.IGNORECASE) for pattern in spec.skip_rows)
    last = spec.header_row or HEADER_SEARCH_ROWS
    for raw in source.rows():
        if raw.number > last:
            break
        if spec.header_row is not None and raw.number != spec.header_row:
            continue
        keys = [_key(value) for value in raw.values]
        if wanted in keys:
            index = keys.index(wanted)
            return RecallFile(source, raw.number, index, raw.values[index].strip(), skip)
    where = f"row {spec.header_row}" if spec.header_row else f"the first {HEADER_SEARCH_ROWS} rows"
    raise PlacementFileError(
        f"the recall file has no {name!r} column (looked in {where}): a recall file lists the "
        f"account numbers to recall under a column named {name!r}"
    )


def _key(text: str) -> str:
    return _SEPARATORS.sub("", text.strip().lower())


def placement_recall_import(
    *,
    client: Client,
    path: Path,
    created_by: User | None = None,
    placed_on: date | None = None,
    errors_path: Path | None = None,
    profile_version: PlacementProfileVersion | None = None,
) -> Placement:
    """Recall every open account of `client` that the recall file lists; returns its placement.

    Done in this process. Rows: imported = the account was found (recalled now, or already
    recalled or finished: left as it is); rejected = no such account of the client, or no number.
    Running the same file again recalls nothing more.
    """
    path = Path(path)
    worker, now = this_worker(), clock.now()
    placement = Placement.objects.create(
        client=client,
        kind=Placement.Kind.RECALL,
        placed_on=placed_on or clock.today(),
        source_name=path.name[:255],
        source_path=str(path),
        checksum=file_checksum(path),
        status=Placement.Status.RUNNING,
        created_by=created_by,
        profile_version=profile_version,
        attempt=1,
        heartbeat_at=now,
        worker_host=worker.host,
        worker_pid=worker.pid,
    )
    spec = spec_from_json(profile_version.spec) if profile_version else ProfileSpec.default()
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="") as stream:
        report = ErrorReport(stream)
        failure = ""
        try:
            _recall_lines(placement, recall_file_open(path, spec), report)
        except PlacementFileError as problem:
            report.add(problem.errors)
            failure = problem.message
        return _finish(placement, report, errors_path, failure=failure)


def _recall_lines(placement: Placement, recall: RecallFile, report: ErrorReport) -> None:
    total = found = 0
    left_alone: dict[str, int] = {}
    chunk: list[RecallLine] = []

    def flush() -> None:
        nonlocal found
        numbers = {line.account_number for line in chunk}
        accounts: dict[str, int] = {}
        statuses: dict[str, str] = {}
        for number, pk, status in Account.objects.filter(
            client_id=placement.client_id, account_number__in=numbers
        ).values_list("account_number", "pk", "status"):
            accounts[number], statuses[number] = pk, status
        for line in chunk:
            if line.account_number not in accounts:
                report.add(
                    [
                        RowError(
                            line.row,
                            recall.label,
                            line.account_number,
                            "no account with this number for the client",
                        )
                    ]
                )
                continue
            found += 1
            status = statuses[line.account_number]
            if status not in RECALLABLE:
                left_alone[status] = left_alone.get(status, 0) + 1
        accounts_recall_outcome(
            client=placement.client,
            account_ids=list(accounts.values()),
            placement=placement,
            reason=f"listed in the client's recall file {placement.source_name}",
            actor_id=placement.created_by_id,
        )
        chunk.clear()

    for line in recall.lines():
        total += 1
        if isinstance(line, RowError):
            report.add([line])
            continue
        chunk.append(line)
        if len(chunk) >= CHUNK:
            flush()
    flush()
    warnings = [
        f"{count:,} listed accounts were already {status}: left as they are"
        for status, count in sorted(left_alone.items())
    ]
    Placement.objects.filter(pk=placement.pk).update(
        rows_total=total,
        rows_done=total,
        rows_imported=found,
        rows_rejected=report.rows_rejected,
        rows_skipped=recall.skipped,
    )
    if warnings:
        placement_warnings_add(placement, warnings)


def _finish(
    placement: Placement, report: ErrorReport, errors_path: Path | None, *, failure: str
) -> Placement:
    kept = report.finish(errors_path)
    with transaction.atomic():
        placement = (
            Placement.objects.select_for_update().select_related("client").get(pk=placement.pk)
        )
        placement.status = Placement.Status.FAILED if failure else Placement.Status.DONE
        placement.failure = failure
        placement.error_report = kept
        placement.finished_at = clock.now()
        placement.save()
        audit_record(
            action="placement.recall_failed" if failure else "placement.recall_imported",
            system="recall file from the command line",
            object_type="placement",
            object_id=placement.pk,
            data={
                "client": placement.client.code,
                "source_name": placement.source_name,
                "checksum": placement.checksum,
                "rows_total": placement.rows_total,
                "rows_found": placement.rows_imported,
                "rows_rejected": placement.rows_rejected,
                "accounts_recalled": placement.accounts_recalled,
                "failure": failure,
            },
            actor_id=placement.created_by_id,
        )
    return placement
